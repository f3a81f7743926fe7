"""Structural versus measured: which model relations the data support, which strong
measured relations the model lacks, and which subsystems hold the system together.

Examples
--------
>>> from omsmethod import datasets, graph, scoring
>>> G = graph.empirical(scoring.score(datasets.load("customer"), "customer"), n_boot=0)
>>> table = graph.compare(graph.structural(), G)
>>> table.loc[table["target"] == "brand", ["source", "status"]].head(2)
     source     status
0  customer  supported
3   service  supported
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from .structure import base_subsystem

__all__ = ["compare", "centrality", "STATUS"]

#: Status values of :func:`compare`, in display order.
STATUS = ("supported", "weak", "opposite", "absent", "not measured", "not in model")

_COLUMNS = [
    "source", "target", "kind", "provenance", "directed", "measured_source", "measured_target",
    "weight", "ci_low", "ci_high", "p_fdr", "significant", "status",
]


def _measured_edges(G) -> pd.DataFrame:
    from .measured import edges_table

    table = edges_table(G)
    for column in ("weight", "p_fdr", "significant"):
        if column not in table.columns:
            raise InputError(
                f"the measured graph has no edge attribute {column!r}",
                hint="pass the result of graph.empirical(...) as the second argument",
            )
    table = table.copy()
    table["base_source"] = table["source"].map(base_subsystem)
    table["base_target"] = table["target"].map(base_subsystem)
    return table


def _status(weight: float, significant: bool, min_weight: float) -> str:
    if significant and weight <= -min_weight:
        return "opposite"
    if significant and abs(weight) >= min_weight:
        return "supported"
    if significant or abs(weight) >= min_weight:
        return "weak"
    return "absent"


def compare(structural, empirical, min_weight: float = 0.1, strong: float = 0.2) -> pd.DataFrame:
    """Check each structural relation against the measured graph.

    Parameters
    ----------
    structural : networkx.DiGraph
        :func:`omsmethod.graph.structural` (or an edited copy).
    empirical : networkx.Graph or DiGraph
        :func:`omsmethod.graph.empirical`.
    min_weight : float
        Smallest ``|weight|`` that counts as a substantive relation (default 0.1,
        Cohen's "small" correlation).
    strong : float
        Smallest ``|weight|`` of a significant measured relation the model lacks to be
        listed as ``"not in model"`` (default 0.2).

    Returns
    -------
    DataFrame
        One row per structural relation (``source, target, kind, provenance,
        directed``), the measured edge matched to it (``measured_source,
        measured_target, weight, ci_low, ci_high, p_fdr, significant``) and ``status``;
        then one row per strong measured relation the model does not have (``status =
        "not in model"``, structural columns empty).

    Notes
    -----
    Status of a structural relation (the OMS relations are all reinforcing, so the
    expected sign is positive):

    - ``supported``: significant (BH-adjusted ``p_fdr < alpha``) and ``weight >= min_weight``;
    - ``opposite``: significant and ``weight <= -min_weight``;
    - ``weak``: significant but ``|weight| < min_weight``, or ``|weight| >= min_weight``
      but not significant (too uncertain to call, e.g. few units);
    - ``absent``: not significant and ``|weight| < min_weight``;
    - ``not measured``: an end is not in the measured graph (e.g. ``environment``).

    A relation is matched to the measured edge between the two subsystems in either
    direction; when survey-prefixed copies exist (``customer:brand``, ``staff:brand``)
    the copy with the largest ``|weight|`` is taken. Pairs of copies of one subsystem
    are never "not in model".

    Examples
    --------
    >>> import networkx as nx
    >>> from omsmethod.graph import compare, structural
    >>> G = nx.Graph([("customer", "brand", {"weight": 0.3, "p_fdr": 0.001, "significant": True}),
    ...               ("pr", "brand", {"weight": 0.02, "p_fdr": 0.6, "significant": False})])
    >>> compare(structural(), G).query("status != 'not measured'")[["source", "target", "status"]]
         source target     status
    0  customer  brand  supported
    7        pr  brand     absent
    """
    measured = _measured_edges(empirical)
    # plain arrays and a pair -> rows index: one dict lookup per structural relation
    # instead of four pandas comparisons over the whole edge table
    base_source = measured["base_source"].tolist()
    base_target = measured["base_target"].tolist()
    source, target = measured["source"].tolist(), measured["target"].tolist()
    weight = measured["weight"].to_numpy()
    p_fdr = measured["p_fdr"].to_numpy()
    significant = measured["significant"].to_numpy()
    nan = np.full(len(measured), np.nan)
    ci_low = measured["ci_low"].to_numpy() if "ci_low" in measured.columns else nan
    ci_high = measured["ci_high"].to_numpy() if "ci_high" in measured.columns else nan
    measured_bases = set(base_source) | set(base_target)
    rows_of: dict = {}
    for k, pair in enumerate(zip(base_source, base_target, strict=True)):
        rows_of.setdefault(pair, []).append(k)
    rows = []
    modelled = set()
    for u, v, d in structural.edges(data=True):
        modelled |= {(u, v), (v, u)}
        row = {
            "source": u, "target": v, "kind": d.get("kind", ""),
            "provenance": d.get("source", ""), "directed": bool(d.get("directed", True)),
        }
        if u not in measured_bases or v not in measured_bases:
            rows.append({**row, "status": "not measured"})
            continue
        hit = sorted(set(rows_of.get((u, v), [])) | set(rows_of.get((v, u), [])))
        if not hit:
            rows.append({**row, "status": "not measured"})
            continue
        size = np.abs(weight[hit].astype(float))
        if np.isnan(size).all():  # as pandas idxmax: all-NA raises
            measured.loc[hit, "weight"].abs().idxmax()
        k = hit[int(np.nanargmax(size))]  # the first of the largest |weight|, as idxmax
        rows.append(
            {
                **row, "measured_source": source[k], "measured_target": target[k],
                "weight": weight[k], "ci_low": ci_low[k], "ci_high": ci_high[k], "p_fdr": p_fdr[k],
                "significant": bool(significant[k]),
                "status": _status(float(weight[k]), bool(significant[k]), min_weight),
            }
        )
    strong_rows = np.flatnonzero(
        significant.astype(bool) & (np.abs(weight.astype(float)) >= strong)
        & (np.asarray(base_source, dtype=object) != np.asarray(base_target, dtype=object))
    )
    for k in strong_rows:
        if (base_source[k], base_target[k]) in modelled:
            continue
        rows.append(
            {
                "measured_source": source[k], "measured_target": target[k], "weight": weight[k],
                "ci_low": ci_low[k], "ci_high": ci_high[k], "p_fdr": p_fdr[k], "significant": True,
                "status": "not in model",
            }
        )
    return pd.DataFrame(rows, columns=_COLUMNS)


def centrality(graph, significant_only: bool = True) -> pd.DataFrame:
    """Strength, betweenness and eigenvector centrality of every node, and the hubs.

    Parameters
    ----------
    graph : networkx.Graph or DiGraph
        A measured graph (edge attribute ``weight``) or the structural graph (every
        edge weight 1). Direction is ignored.
    significant_only : bool
        Use only edges with ``significant=True`` (when the attribute exists).

    Returns
    -------
    DataFrame
        ``node, subsystem, layer, name_en, name_zh, degree, strength, betweenness,
        eigenvector, hub``, sorted by strength (largest first).

    Notes
    -----
    On the undirected graph of ``|weight|``: ``strength`` is the sum of a node's
    ``|weight|`` (Opsahl, Agneessens & Skvoretz 2010); ``betweenness`` is normalised
    shortest-path betweenness with edge length ``1 / |weight|`` (strong relations are
    short); ``eigenvector`` the leading eigenvector of the ``|weight|`` matrix
    (networkx, unit Euclidean norm; zero for a graph without edges). ``hub`` flags the
    nodes that hold the system together: strength or betweenness at least one standard
    deviation above the mean over the nodes (betweenness also > 0).

    Examples
    --------
    >>> import networkx as nx
    >>> from omsmethod.graph import centrality
    >>> star = nx.Graph([("brand", s, {"weight": 0.3}) for s in ("customer", "vis", "pr")])
    >>> centrality(star)[["node", "strength", "hub"]].round(2)
           node  strength    hub
    0     brand       0.9   True
    1  customer       0.3  False
    2       vis       0.3  False
    3        pr       0.3  False
    """
    import networkx as nx

    U = nx.Graph()
    U.add_nodes_from(graph.nodes(data=True))
    for a, b, d in graph.edges(data=True):
        if significant_only and "significant" in d and not d["significant"]:
            continue
        w = abs(float(d.get("weight", 1.0)))
        if a == b or w == 0 or not np.isfinite(w):
            continue
        if U.has_edge(a, b):  # both directions of a DiGraph: keep the stronger
            w = max(w, U.edges[a, b]["strength"])
        U.add_edge(a, b, strength=w, length=1.0 / w)
    nodes = list(U.nodes)
    strength = dict(U.degree(weight="strength"))
    between = nx.betweenness_centrality(U, weight="length", normalized=True)
    if U.number_of_edges():
        vals, vecs = np.linalg.eigh(nx.to_numpy_array(U, nodelist=nodes, weight="strength"))
        lead = np.abs(vecs[:, -1])
        eigen = dict(zip(nodes, lead / np.linalg.norm(lead), strict=True))
    else:
        eigen = dict.fromkeys(nodes, 0.0)

    def above(values: dict) -> dict:
        v = np.array([values[n] for n in nodes], dtype=float)
        cut = v.mean() + v.std(ddof=0)
        return {n: bool(values[n] >= cut and values[n] > 0 and v.std() > 0) for n in nodes}

    strong, broker = above(strength), above(between)
    table = pd.DataFrame(
        {
            "node": nodes,
            "subsystem": [U.nodes[n].get("subsystem", base_subsystem(n)) for n in nodes],
            "layer": [U.nodes[n].get("layer", "") for n in nodes],
            "name_en": [U.nodes[n].get("name_en", n) for n in nodes],
            "name_zh": [U.nodes[n].get("name_zh", n) for n in nodes],
            "degree": [U.degree(n) for n in nodes],
            "strength": [float(strength[n]) for n in nodes],
            "betweenness": [float(between[n]) for n in nodes],
            "eigenvector": [float(eigen[n]) for n in nodes],
            "hub": [strong[n] or broker[n] for n in nodes],
        }
    )
    return table.sort_values("strength", ascending=False, kind="stable").reset_index(drop=True)
