"""Structural equation models of the OMS subsystems: construct validity, PLS-SEM, CB-SEM, IPMA.

Public API::

    from omsmethod import sem
    sem.validity(responses, "customer")            # reliability, AVE, HTMT, problems
    res = sem.fit(responses, "customer")           # PLS path model of the OMS relations
    sem.ipma(res, target="customer")               # importance–performance map
    sem.compare_groups(responses, "customer", by="gender")   # MICOM + PLS-MGA
    sem.plot_model(res)

Models are lavaan-style text (``brand =~ b1 + b2; brand ~ vis + pr``) or a ``lhs, op,
rhs`` table; with none, the instrument and the OMS model give the default (see
:mod:`omsmethod.sem.prepare`). Submodules: ``spec`` (parser), ``pls`` (kernel),
``bootstrap``, ``measures`` and ``validity``, ``structural`` (``fit``), ``predict``
(PLSpredict), ``cbsem`` (ML CFA/SEM), ``ipma``, ``mga``, ``plots``, ``results``.
"""

from __future__ import annotations

from .ipma import ipma
from .mga import compare_groups
from .plots import plot_ipma, plot_model
from .prepare import default_model
from .spec import ModelSpec, parse_model, specify
from .structural import fit
from .validity import validity

__all__ = [
    "fit",
    "validity",
    "ipma",
    "compare_groups",
    "plot_model",
    "plot_ipma",
    "parse_model",
    "specify",
    "default_model",
    "ModelSpec",
]
