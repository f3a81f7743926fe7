"""Plotly drawings of subsystem graphs: the three-layer network and the relation matrix.

Examples
--------
>>> from omsmethod import graph
>>> fig = graph.plot(graph.structural(), lang="zh")
>>> fig.layout.title.text
'OMS 结构模型'
"""

from __future__ import annotations

import math

import numpy as np

from ..figures import make_figure
from ..model import ENVIRONMENT
from .layout import RING_RADIUS, layer_positions
from .structure import base_subsystem, model_of

__all__ = ["plot", "plot_matrix", "node_label", "POSITIVE", "NEGATIVE"]

POSITIVE = "#2166ac"
NEGATIVE = "#b2182b"
_NEUTRAL = "#555555"
_LAYER_COLOURS = {"core": "#d6604d", "control": "#4393c3", "external": "#5aae61", ENVIRONMENT: "#999999"}
_TEXT = {
    "en": {"structural": "OMS structural model", "empirical": "Measured relations",
           "weight": "weight", "ci": "CI", "n": "n", "layer": "layer", "mean": "mean",
           "significant": "significant", "not significant": "not significant",
           "kind": "kind", "source": "source", "matrix": "Relation matrix"},
    "zh": {"structural": "OMS 结构模型", "empirical": "实测关系", "weight": "系数", "ci": "置信区间",
           "n": "样本量", "layer": "层面", "mean": "均值", "significant": "显著",
           "not significant": "不显著", "kind": "类型", "source": "来源", "matrix": "关系矩阵"},
}
_METHOD = {
    "en": {"partial_correlation": "partial correlation", "correlation": "correlation",
           "regression": "standardised regression"},
    "zh": {"partial_correlation": "偏相关", "correlation": "相关", "regression": "标准化回归"},
}


def _text(lang: str) -> dict:
    return _TEXT["zh" if lang == "zh" else "en"]


def _labels(m, lang: str):
    """``m.label`` as a dict lookup (one pass over the model tables instead of pandas
    filtering per call): a function id → display name in ``lang``."""
    column = "name_zh" if lang == "zh" else "name_en"
    table: dict = {}
    for frame in (m.subsystems, m.layers, m.information_categories):
        for id_, name in zip(frame["id"].tolist(), frame[column].tolist(), strict=True):
            table.setdefault(id_, str(name))
    environment = "外部环境" if lang == "zh" else "Environment"

    def label(id_: str) -> str:
        hit = table.get(id_)
        if hit is not None:
            return hit
        return environment if id_ == ENVIRONMENT else id_

    return label


def _node_label(node, label) -> str:
    name = label(base_subsystem(node))
    if ":" in str(node):
        return f"{name} ({str(node).rsplit(':', 1)[0]})"
    return name


def node_label(node: str, lang: str = "en", model=None) -> str:
    """Display name of a node: the subsystem's name, with the survey for prefixed nodes."""
    return _node_label(node, _labels(model_of(model), lang))


def _positions(G, layout: str, model) -> dict:
    import networkx as nx

    if layout == "layers":
        return layer_positions(list(G.nodes), model)
    if layout == "circle":
        return {k: tuple(v) for k, v in nx.circular_layout(G).items()}
    if layout == "spring":
        H = nx.Graph()
        H.add_nodes_from(G.nodes)
        H.add_weighted_edges_from((a, b, abs(float(d.get("weight", 1.0)))) for a, b, d in G.edges(data=True))
        return {k: tuple(v) for k, v in nx.spring_layout(H, seed=0, weight="weight").items()}
    from ..errors import InputError

    raise InputError(f"unknown layout {layout!r}", value=layout, hint="use 'layers', 'circle' or 'spring'")


def _edge_hover(a, b, d, lang, label) -> str:
    t = _text(lang)
    head = f"{_node_label(a, label)} — {_node_label(b, label)}"
    if "weight" in d and "p_fdr" in d:
        lines = [head, f"{t['weight']}: {d['weight']:.3f}"]
        if d.get("ci_low") is not None and np.isfinite(d.get("ci_low", np.nan)):
            lines.append(f"{t['ci']}: [{d['ci_low']:.3f}, {d['ci_high']:.3f}]")
        lines.append(f"p (FDR): {d['p_fdr']:.3g} — {t['significant'] if d['significant'] else t['not significant']}")
        lines.append(f"{t['n']}: {d.get('n', '')}")
        return "<br>".join(lines)
    lines = [head, f"{t['kind']}: {d.get('kind', '')}", f"{t['source']}: {d.get('source', '')}"]
    citation = str(d.get("citation", ""))
    if citation:
        lines.append("<i>" + "<br>".join(citation[i : i + 70] for i in range(0, len(citation), 70)) + "</i>")
    return "<br>".join(lines)


def plot(graph, layout: str = "layers", lang: str = "en", model=None, title: str | None = None,
         max_width: float = 10.0):
    """Draw a structural or measured subsystem graph.

    Parameters
    ----------
    graph : networkx.Graph or DiGraph
        :func:`omsmethod.graph.structural` or :func:`omsmethod.graph.empirical`.
    layout : {"layers", "circle", "spring"}
        ``layers``: the three OMS layers as concentric rings (core inside, control,
        external, the environment outside; :func:`~omsmethod.graph.layer_positions`).
    lang : {"en", "zh"}
        Language of node names, hover text and title.
    model : OMSModel or path, optional
        Names and layers (default: the bundled model).
    title : str, optional
    max_width : float
        Line width of an edge with ``|weight| = 1``.

    Returns
    -------
    plotly.graph_objects.Figure
        One line trace per edge: width ``1 + max_width |weight|``, blue when positive,
        red when negative, dashed when not significant (structural graphs: dark for
        patent relations, dotted grey for inferred ones, width 2). Directed edges get
        an arrow. Hovering an edge's midpoint shows its numbers (or the patent quote).

    Examples
    --------
    >>> import networkx as nx
    >>> from omsmethod.graph import plot
    >>> G = nx.Graph([("customer", "brand", {"weight": -0.3, "significant": False, "p_fdr": 0.2})],
    ...              kind="empirical")
    >>> fig = plot(G)
    >>> fig.data[0].line.dash, fig.data[0].line.color
    ('dash', '#b2182b')
    """
    m = model_of(model)
    t = _text(lang)
    label = _labels(m, lang)
    other = _labels(m, "zh" if lang != "zh" else "en")
    pos = _positions(graph, layout, m)
    measured = graph.graph.get("kind") == "empirical"
    shapes, annotations, traces = [], [], []
    if layout == "layers":
        layers_present = {m.layer_of.get(base_subsystem(v), ENVIRONMENT) for v in graph.nodes}
        for layer in [*m.layers["id"], ENVIRONMENT]:
            if layer not in layers_present:
                continue
            r = RING_RADIUS.get(layer, 4.0)
            colour = _LAYER_COLOURS.get(layer, "#999")
            shapes.append({"type": "circle", "x0": -r, "y0": -r, "x1": r, "y1": r, "layer": "below",
                           "line": {"color": colour, "width": 1, "dash": "dot"}})
            annotations.append({"x": r * math.cos(math.radians(-45)), "y": r * math.sin(math.radians(-45)),
                                "text": label(layer), "showarrow": False, "font": {"color": colour, "size": 11}})
    mid_x, mid_y, mid_text = [], [], []
    directed = graph.is_directed()
    for a, b, d in graph.edges(data=True):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        if measured:
            w = float(d.get("weight", 0.0))
            width = 1 + max_width * min(abs(w), 1.0)
            colour = POSITIVE if w >= 0 else NEGATIVE
            dash = "solid" if d.get("significant") else "dash"
        else:
            width = 2.0
            colour = _NEUTRAL if d.get("source") == "patent" else "#999999"
            dash = "solid" if d.get("source") == "patent" else "dot"
        traces.append({
            "type": "scatter", "x": [x0, x1], "y": [y0, y1], "mode": "lines", "hoverinfo": "skip",
            "showlegend": False, "line": {"width": width, "color": colour, "dash": dash}, "name": f"{a}–{b}",
        })
        if directed and d.get("directed", True):
            annotations.append({
                "x": x0 + 0.85 * (x1 - x0), "y": y0 + 0.85 * (y1 - y0), "ax": x0 + 0.6 * (x1 - x0),
                "ay": y0 + 0.6 * (y1 - y0), "xref": "x", "yref": "y", "axref": "x", "ayref": "y",
                "showarrow": True, "arrowhead": 2, "arrowsize": 1.2, "arrowcolor": colour, "text": "",
            })
        mid_x.append((x0 + x1) / 2)
        mid_y.append((y0 + y1) / 2)
        mid_text.append(_edge_hover(a, b, d, lang, label))
    traces.append({"type": "scatter", "x": mid_x, "y": mid_y, "mode": "markers",
                   "marker": {"size": 8, "opacity": 0}, "hovertext": mid_text, "hoverinfo": "text",
                   "showlegend": False, "name": "edges"})
    nodes = list(graph.nodes)
    hover, names, colours = [], [], []
    for v in nodes:
        data = graph.nodes[v]
        base = base_subsystem(v)
        layer = m.layer_of.get(base, ENVIRONMENT)
        name = _node_label(v, label)
        text = f"<b>{name}</b><br>{other(base)}"
        text += f"<br>{t['layer']}: {label(layer)}"
        if "mean" in data:
            text += f"<br>{t['mean']}: {data['mean']:.2f}"
        hover.append(text)
        names.append(name)
        colours.append(_LAYER_COLOURS.get(layer, "#999"))
    traces.append({
        "type": "scatter", "x": [pos[v][0] for v in nodes], "y": [pos[v][1] for v in nodes],
        "mode": "markers+text", "text": names, "textposition": "top center",
        "hovertext": hover, "hoverinfo": "text", "showlegend": False, "name": "subsystems",
        "marker": {"size": 26, "line": {"width": 1, "color": "white"}, "color": colours},
    })
    if title is None:
        if measured:
            method = _METHOD["zh" if lang == "zh" else "en"].get(graph.graph.get("method"), "")
            title = f"{t['empirical']} ({method}, n = {graph.graph.get('n')})"
        else:
            title = t["structural"]
    layout_dict = {
        "title": {"text": title}, "hovermode": "closest", "height": 620,
        "xaxis": {"visible": False, "scaleanchor": "y"}, "yaxis": {"visible": False},
        "margin": {"l": 20, "r": 20, "t": 60, "b": 20},
    }
    if shapes:
        layout_dict["shapes"] = shapes
    if annotations:
        layout_dict["annotations"] = annotations
    return make_figure(traces, layout_dict, template="plotly_white")


def plot_matrix(graph, lang: str = "en", model=None, title: str | None = None):
    """Heat map of the measured relation matrix (``*`` marks significant cells).

    Parameters
    ----------
    graph : networkx.Graph or DiGraph
        :func:`omsmethod.graph.empirical`. For regression graphs rows are the
        regressed subsystems and columns the predictors.
    lang : {"en", "zh"}

    Returns
    -------
    plotly.graph_objects.Figure
        A heat map on a red–blue scale fixed at [-1, 1], blank where no relation was
        estimated.

    Examples
    --------
    >>> import networkx as nx
    >>> from omsmethod.graph import plot_matrix
    >>> G = nx.Graph([("customer", "brand", {"weight": 0.3, "significant": True})])
    >>> plot_matrix(G).data[0].z[0][1]
    0.3
    """
    m = model_of(model)
    nodes = list(graph.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    z = np.full((len(nodes), len(nodes)), np.nan)
    text = np.full((len(nodes), len(nodes)), "", dtype=object)
    for a, b, d in graph.edges(data=True):
        w = float(d.get("weight", np.nan))
        star = "*" if d.get("significant") else ""
        cells = [(index[b], index[a])] if graph.is_directed() else [(index[a], index[b]), (index[b], index[a])]
        for i, j in cells:
            z[i, j] = w
            text[i, j] = f"{w:.2f}{star}"
    label = _labels(m, lang)
    labels = [_node_label(v, label) for v in nodes]
    method = _METHOD["zh" if lang == "zh" else "en"].get(graph.graph.get("method"), "")
    heatmap = {
        "type": "heatmap", "z": [[None if np.isnan(v) else float(v) for v in row] for row in z],
        "x": labels, "y": labels, "text": text.tolist(), "texttemplate": "%{text}", "colorscale": "RdBu",
        "zmin": -1, "zmax": 1, "zmid": 0, "hovertemplate": "%{y} — %{x}: %{z:.3f}<extra></extra>",
    }
    return make_figure([heatmap], {
        "title": {"text": title or f"{_text(lang)['matrix']}{' (' + method + ')' if method else ''}"},
        "yaxis": {"autorange": "reversed"}, "height": 520,
    }, template="plotly_white")
