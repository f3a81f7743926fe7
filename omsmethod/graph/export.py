"""Graphs for other tools: GraphML (Gephi, Cytoscape, yEd) and networkx node-link JSON.

Both writers are atomic (temporary file, then rename). Graph-level tables (the edge
table an empirical graph carries in ``G.graph["edges"]``) are left out: every edge's
numbers are already edge attributes.

Examples
--------
>>> from omsmethod import graph
>>> data = graph.to_json(graph.structural())
>>> len(data["nodes"]), sorted(data["graph"])[:2]
(10, ['kind', 'model'])
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ..files import atomic_path

__all__ = ["to_graphml", "to_json"]


def _scalar(value):
    """A GraphML/JSON-safe scalar: numpy → Python, NaN/None → '' (GraphML) handled by caller."""
    if isinstance(value, np.generic):
        value = value.item()
    return value


def _clean(graph, for_graphml: bool):
    """A copy whose attributes are plain scalars (NaN dropped for GraphML, None for JSON)."""
    H = graph.__class__()
    for key, value in graph.graph.items():
        value = _scalar(value)
        if isinstance(value, (str, int, float, bool)) and not (isinstance(value, float) and math.isnan(value)):
            H.graph[key] = value

    def attrs(d):
        out = {}
        for key, value in d.items():
            value = _scalar(value)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                if not for_graphml:
                    out[key] = None
                continue
            if isinstance(value, (str, int, float, bool)):
                out[key] = value
            else:
                out[key] = str(value)
        return out

    for node, d in graph.nodes(data=True):
        H.add_node(node, **attrs(d))
    for a, b, d in graph.edges(data=True):
        H.add_edge(a, b, **attrs(d))
    return H


def to_graphml(graph, path) -> Path:
    """Write a graph as GraphML.

    Parameters
    ----------
    graph : networkx.Graph or DiGraph
    path : str or Path

    Returns
    -------
    Path
        The file written. Missing values (e.g. no interval when ``n_boot=0``) are left
        out of the element rather than written as NaN.

    Examples
    --------
    >>> import tempfile, pathlib, networkx as nx
    >>> from omsmethod import graph
    >>> path = graph.to_graphml(graph.structural(), pathlib.Path(tempfile.mkdtemp()) / "oms.graphml")
    >>> nx.read_graphml(path).edges["pr", "brand"]["kind"]
    'functional'
    """
    import networkx as nx

    target = Path(path)
    with atomic_path(target) as tmp:
        nx.write_graphml(_clean(graph, for_graphml=True), tmp, encoding="utf-8")
    return target


def to_json(graph, path=None):
    """The graph as networkx node-link JSON (``nodes``, ``edges``, ``graph``).

    Parameters
    ----------
    graph : networkx.Graph or DiGraph
    path : str or Path, optional
        Write the JSON there (UTF-8, atomically); without it, return the dict.

    Returns
    -------
    dict or Path
        Node-link data (``networkx.node_link_data(G, edges="edges")``, missing values
        as ``null``), or the path written.
    """
    import networkx as nx

    data = nx.node_link_data(_clean(graph, for_graphml=False), edges="edges")
    if path is None:
        return data
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return target
