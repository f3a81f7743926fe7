"""Figures of ``omsmethod.sem``: path diagram and importance–performance map (plotly).

The path diagram places OMS subsystems on the three rings of the graph module's layout
(core inside, control around it, external outside; :func:`omsmethod.graph.layer_positions`),
so a subsystem sits where it sits in the subsystem graphs; other constructs go on one circle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["layout", "plot_model", "plot_ipma"]

def _oms_tables():
    try:
        from .. import model as model_module

        return model_module.load().subsystems
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

        return layer_positions(names)
    pos = {}
    for i, c in enumerate(names):
        angle = np.pi / 2 - 2 * np.pi * i / len(names)
        pos[c] = (float(np.cos(angle)), float(np.sin(angle)))
    return pos


def _label(name, subsystems, lang):
    if subsystems is None or name not in set(subsystems["id"]):
        return name
    row = subsystems.set_index("id").loc[name]
    return row.get("name_zh" if lang == "zh" else "name_en", name)


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
    import plotly.graph_objects as go

    spec = result.model
    subsystems = _oms_tables()
    pos = layout(spec.constructs, subsystems)
    fig = go.Figure()
    paths = result.paths
    biggest = max(paths["estimate"].abs().max(), 1e-9) if len(paths) else 1.0
    for row in paths.itertuples(index=False):
        (x0, y0), (x1, y1) = pos[row.source], pos[row.target]
        lo, hi = getattr(row, "ci_low", np.nan), getattr(row, "ci_high", np.nan)
        unsure = np.isfinite(lo) and np.isfinite(hi) and lo <= 0 <= hi
        width = 1 + 7 * abs(row.estimate) / biggest
        color = "#1f77b4" if row.estimate >= 0 else "#d62728"
        fig.add_trace(go.Scatter(
            x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="text",
            text=f"{row.source} → {row.target}: {row.estimate:.3f}",
            line={"width": width, "color": color, "dash": "dash" if unsure else "solid"},
            showlegend=False))
        fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=3, arrowsize=1, arrowwidth=max(1, width / 2),
                           arrowcolor=color, standoff=22, text="")
        fig.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=f"{row.estimate:.2f}",
                           showarrow=False, bgcolor="white", font={"size": 11})
    r2 = {} if result.r2 is None else dict(zip(result.r2["construct"], result.r2["r2"], strict=True))
    labels = [_label(c, subsystems, lang) for c in spec.constructs]
    text = [f"{lab}<br>R² {r2[c]:.2f}" if c in r2 else lab for c, lab in zip(spec.constructs, labels, strict=True)]
    fig.add_trace(go.Scatter(
        x=[pos[c][0] for c in spec.constructs], y=[pos[c][1] for c in spec.constructs],
        mode="markers+text", text=text, textposition="middle center", hoverinfo="text",
        marker={"size": 78, "color": "#f2f2f2", "line": {"color": "#444", "width": 1.5}},
        showlegend=False))
    fig.update_layout(
        title="结构模型" if lang == "zh" else "Structural model",
        xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x"},
        plot_bgcolor="white", margin={"l": 20, "r": 20, "t": 50, "b": 20})
    return fig


def plot_ipma(result, level: str = "constructs", lang: str = "en"):
    """Importance–performance quadrant figure of an :class:`IPMAResult`.

    Quadrant lines at the mean importance and mean performance of the points shown.
    """
    import plotly.graph_objects as go

    table = result.constructs if level == "constructs" else result.items
    label = table["construct"] if level == "constructs" else table["item"]
    subsystems = _oms_tables() if level == "constructs" else None
    label = [_label(c, subsystems, lang) for c in label]
    fig = go.Figure(go.Scatter(
        x=table["importance"], y=table["performance"], mode="markers+text", text=label,
        textposition="top center", marker={"size": 12, "color": "#1f77b4"}))
    mx, my = table["importance"].mean(), table["performance"].mean()
    fig.add_vline(x=mx, line_dash="dot", line_color="grey")
    fig.add_hline(y=my, line_dash="dot", line_color="grey")
    zh = lang == "zh"
    fig.update_layout(
        title=(f"重要性–绩效图（目标：{result.target}）" if zh
               else f"Importance–performance map (target: {result.target})"),
        xaxis_title="重要性（总效应）" if zh else "Importance (total effect)",
        yaxis_title="绩效（0–100）" if zh else "Performance (0–100)",
        plot_bgcolor="white")
    return fig
