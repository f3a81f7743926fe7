"""omsmethod: the OMS consulting method as tested survey statistics.

Submodules load on first use so that ``import omsmethod`` stays fast::

    import omsmethod as oms
    model = oms.model.load()
    responses = oms.datasets.load("customer")
"""

from __future__ import annotations

import importlib

from .errors import OMSError

__version__ = "0.1.0"

_SUBMODULES = (
    "model",
    "instrument",
    "scoring",
    "assessment",
    "sampling",
    "anova",
    "graph",
    "ratio",
    "sem",
    "report",
    "workspace",
    "datasets",
    "errors",
    "validation",
    "i18n",
    "files",
    "responses",
    "xlsform",
)

__all__ = ["OMSError", "__version__", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'omsmethod' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
