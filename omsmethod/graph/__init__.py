"""Subsystem interaction graphs: the OMS structure, measured relations, change over time.

Public API::

    from omsmethod import graph
    S = graph.structural()                      # the model's relations (networkx.DiGraph)
    G = graph.empirical(scores)                 # measured relations with CIs and FDR p
    graph.compare(S, G)                         # supported / weak / absent / not in model
    graph.centrality(G)                         # strength, betweenness, eigenvector, hub
    graph.change({1: s1, 2: s2}, unit="unit")   # levels, relations and lagged paths over waves
    graph.plot(G, lang="zh"); graph.plot_matrix(G)
    graph.to_graphml(G, "g.graphml"); graph.to_json(G)

Submodules: ``structure`` (structural graph), ``kernels`` (pure numpy: covariances,
partial correlations, regressions, vectorised bootstrap), ``measured`` (``empirical``,
``unit_means``, ``edges_table``), ``comparison`` (``compare``, ``centrality``),
``waves`` (``change``), ``layout`` (``layer_positions``, shared with the SEM path
diagram), ``plots``, ``export``. (The modules are not named after the functions
``empirical``/``compare``/``change`` so that a function never shadows its module.)
"""

from __future__ import annotations

from .comparison import centrality, compare
from .layout import layer_positions
from .measured import METHODS, edges_table, empirical, unit_means
from .structure import structural
from .waves import Change, GraphWarning, change

__all__ = [
    "structural",
    "empirical",
    "unit_means",
    "edges_table",
    "compare",
    "centrality",
    "change",
    "Change",
    "GraphWarning",
    "layer_positions",
    "plot",
    "plot_matrix",
    "to_graphml",
    "to_json",
    "METHODS",
]


def __getattr__(name):
    if name in ("plot", "plot_matrix"):
        from . import plots

        return getattr(plots, name)
    if name in ("to_graphml", "to_json"):
        from . import export

        return getattr(export, name)
    raise AttributeError(f"module 'omsmethod.graph' has no attribute {name!r}")
