"""Figures of ``omsmethod.sem``: path diagram and importance–performance map (plotly).

The path diagram places OMS subsystems on the three rings of the graph module's layout
(core inside, control around it, external outside; :func:`omsmethod.graph.layer_positions`),
so a subsystem sits where it sits in the subsystem graphs; other constructs go on one circle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..figures import crosshairs, make_figure

__all__ = ["layout", "plot_model", "plot_ipma"]

def _oms_tables():
    try:
        from .prepare import _oms_model

        return _oms_model().subsystems
    except Exception:  # the OMS model file is optional for drawing
        return None


def layout(constructs, subsystems: pd.DataFrame | None = None) -> dict:
    """Positions ``{name: (x, y)}``: OMS subsystems on the graph module's three-layer
    rings (:func:`omsmethod.graph.layer_positions`), any other constructs on a circle.

    Examples
    --------
    >>> pos = layout(["A", "B", "C", "D"])
    >>> [tuple(round(v, 3) for v in pos[c]) for c in "AB"]
    [(0.0, 1.0), (1.0, 0.0)]
    """
    names = list(constructs)
    if subsystems is not None and names and set(names) <= set(subsystems["id"]):
        from ..graph import layer_positions
        from .prepare import _oms_model

        return layer_positions(names, model=_oms_model())
    pos = {}
    for i, c in enumerate(names):
        angle = np.pi / 2 - 2 * np.pi * i / len(names)
        pos[c] = (float(np.cos(angle)), float(np.sin(angle)))
    return pos


def _labels(subsystems, lang) -> dict:
    """Subsystem id → display name in ``lang`` (empty without the OMS model)."""
    if subsystems is None:
        return {}
    column = "name_zh" if lang == "zh" else "name_en"
    if column not in subsystems:
        return {}
    return dict(zip(subsystems["id"], subsystems[column], strict=True))


def _label(name, labels):
    return labels.get(name, name)


def plot_model(result, lang: str = "en"):
    """Path diagram of a fitted model (PLS or CB): edge width by |coefficient|, dashed
    where the confidence interval covers zero, R² under endogenous constructs.

    Parameters
    ----------
    result : PLSResult or CBResult
    lang : {"en", "zh"}
        Language of the subsystem labels.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    spec = result.model
    subsystems = _oms_tables()
    pos = layout(spec.constructs, subsystems)
    paths = result.paths
    n = len(paths)
    est = paths["estimate"].to_numpy(float) if n else np.zeros(0)
    biggest = max(np.abs(est).max(), 1e-9) if n else 1.0
    nan = np.full(n, np.nan)
    lo = paths["ci_low"].to_numpy(float) if "ci_low" in paths else nan
    hi = paths["ci_high"].to_numpy(float) if "ci_high" in paths else nan
    data, notes = [], []
    for source, target, e, a, b in zip(paths["source"], paths["target"], est, lo, hi, strict=True):
        (x0, y0), (x1, y1) = pos[source], pos[target]
        unsure = np.isfinite(a) and np.isfinite(b) and a <= 0 <= b
        width = 1 + 7 * abs(e) / biggest
        color = "#1f77b4" if e >= 0 else "#d62728"
        data.append({
            "type": "scatter", "x": [x0, x1], "y": [y0, y1], "mode": "lines", "hoverinfo": "text",
            "text": f"{source} → {target}: {e:.3f}",
            "line": {"width": width, "color": color, "dash": "dash" if unsure else "solid"},
            "showlegend": False})
        notes.append({"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y", "axref": "x",
                      "ayref": "y", "showarrow": True, "arrowhead": 3, "arrowsize": 1,
                      "arrowwidth": max(1, width / 2), "arrowcolor": color, "standoff": 22, "text": ""})
        notes.append({"x": (x0 + x1) / 2, "y": (y0 + y1) / 2, "text": f"{e:.2f}", "showarrow": False,
                      "bgcolor": "white", "font": {"size": 11}})
    r2 = {} if result.r2 is None else dict(zip(result.r2["construct"], result.r2["r2"], strict=True))
    labels = _labels(subsystems, lang)
    text = [f"{_label(c, labels)}<br>R² {r2[c]:.2f}" if c in r2 else _label(c, labels) for c in spec.constructs]
    data.append({
        "type": "scatter", "x": [pos[c][0] for c in spec.constructs],
        "y": [pos[c][1] for c in spec.constructs],
        "mode": "markers+text", "text": text, "textposition": "middle center", "hoverinfo": "text",
        "marker": {"size": 78, "color": "#f2f2f2", "line": {"color": "#444", "width": 1.5}},
        "showlegend": False})
    return make_figure(data, {
        "annotations": notes,
        "title": {"text": "结构模型" if lang == "zh" else "Structural model"},
        "xaxis": {"visible": False}, "yaxis": {"visible": False, "scaleanchor": "x"},
        "plot_bgcolor": "white", "margin": {"l": 20, "r": 20, "t": 50, "b": 20}})


def plot_ipma(result, level: str = "constructs", lang: str = "en"):
    """Importance–performance quadrant figure of an :class:`IPMAResult`.

    Quadrant lines at the mean importance and mean performance of the points shown.
    """
    table = result.constructs if level == "constructs" else result.items
    label = table["construct"] if level == "constructs" else table["item"]
    labels = _labels(_oms_tables(), lang) if level == "constructs" else {}
    label = [_label(c, labels) for c in label]
    mx, my = table["importance"].mean(), table["performance"].mean()
    zh = lang == "zh"
    dot = {"color": "grey", "dash": "dot"}
    return make_figure(
        [{"type": "scatter", "x": table["importance"].to_numpy(), "y": table["performance"].to_numpy(),
                  "mode": "markers+text", "text": label, "textposition": "top center",
                  "marker": {"size": 12, "color": "#1f77b4"}}],
        {
            "shapes": crosshairs(mx, my, dot),
            "title": {"text": f"重要性–绩效图（目标：{result.target}）" if zh
                      else f"Importance–performance map (target: {result.target})"},
            "xaxis": {"title": {"text": "重要性（总效应）" if zh else "Importance (total effect)"}},
            "yaxis": {"title": {"text": "绩效（0–100）" if zh else "Performance (0–100)"}},
            "plot_bgcolor": "white",
        })
