"""Figures of the service ratio: the response/net-value curve and the staff allocation.

Labels (English and Chinese) live in ``labels.csv`` next to this module.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..validation import require_columns, require_dataframe

__all__ = ["plot_curve", "plot_allocation", "label"]


@lru_cache(maxsize=1)
def _labels() -> pd.DataFrame:
    return pd.read_csv(Path(__file__).with_name("labels.csv"), encoding="utf-8").set_index("key")


def label(key: str, lang: str = "en") -> str:
    """Bilingual label for ``key`` (``lang`` is ``"en"`` or ``"zh"``)."""
    if lang not in ("en", "zh"):
        raise InputError(f"unknown language {lang!r}", value=lang, hint="use 'en' or 'zh'")
    return str(_labels().loc[key, lang])


def plot_curve(result, lang: str = "en", show_data: bool = True):
    """Response curve with its band, the net value and the optimum.

    Parameters
    ----------
    result : RatioOptimum or ResponseFit
        From :func:`~omsmethod.ratio.optimise_ratio` (curve, net value, optimum and the
        within-1% range) or :func:`~omsmethod.ratio.fit_response` (curve only).
    lang : {"en", "zh"}
    show_data : bool
        Draw the observed units.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import omsmethod as oms
    >>> from omsmethod.ratio import fit_response, plot_curve
    >>> fit = fit_response(oms.datasets.load("units"), "customers_per_staff", "satisfaction")
    >>> fig = plot_curve(fit, lang="zh")
    >>> fig.layout.xaxis.title.text
    '每名员工服务客户数'
    """
    import numpy as np
    import plotly.graph_objects as go

    from .optimise import RatioOptimum
    from .response import ResponseFit

    label("ratio", lang)  # validates lang
    if isinstance(result, RatioOptimum):
        fit, curve = result.response, result.curve
    elif isinstance(result, ResponseFit):
        fit = result
        r = fit._frame["_r"].to_numpy()
        band = fit.predict(np.geomspace(r.min(), r.max(), 200))
        curve = band.rename(
            columns={"fit": "outcome", "ci_low": "outcome_ci_low", "ci_high": "outcome_ci_high"}
        )
    else:
        raise InputError(
            "plot_curve needs a RatioOptimum or a ResponseFit", value=type(result).__name__
        )
    fig = go.Figure()
    x = curve["ratio"]
    fig.add_trace(
        go.Scatter(
            x=pd.concat([x, x[::-1]]),
            y=pd.concat([curve["outcome_ci_high"], curve["outcome_ci_low"][::-1]]),
            fill="toself",
            line={"width": 0},
            fillcolor="rgba(31,119,180,0.2)",
            name=label("band", lang),
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x, y=curve["outcome"], name=label("fit", lang), line={"color": "rgb(31,119,180)"}
        )
    )
    if show_data:
        fig.add_trace(
            go.Scatter(
                x=fit._frame["_r"],
                y=fit.data[fit.outcome],
                mode="markers",
                name=label("observed", lang),
                marker={"color": "rgba(80,80,80,0.6)", "size": 6},
            )
        )
    if isinstance(result, RatioOptimum):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=curve["net_value"],
                name=label("net_value", lang),
                yaxis="y2",
                line={"color": "rgb(214,39,40)"},
            )
        )
        near = curve.loc[curve["near_optimum"], "ratio"]
        fig.add_vrect(
            x0=near.min(),
            x1=near.max(),
            fillcolor="rgba(44,160,44,0.15)",
            line_width=0,
            annotation_text=label("near", lang),
        )
        fig.add_vline(
            x=result["ratio"],
            line_dash="dash",
            annotation_text=f"{label('optimum', lang)}: {result['ratio']:,.0f}",
        )
        fig.update_layout(
            yaxis2={"title": {"text": label("net_value", lang)}, "overlaying": "y", "side": "right"}
        )
    fig.update_layout(
        title={"text": label("curve_title", lang)},
        xaxis={"title": {"text": label("ratio", lang)}, "type": "log"},
        yaxis={"title": {"text": f"{label('outcome', lang)} ({fit.outcome})"}},
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def plot_allocation(allocation: pd.DataFrame, lang: str = "en"):
    """Stacked bars of minimum and added staff per unit, with customers per staff.

    Parameters
    ----------
    allocation : pandas.DataFrame
        From :func:`~omsmethod.ratio.allocate_staff`.
    lang : {"en", "zh"}

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from omsmethod.ratio import plot_allocation
    >>> a = pd.DataFrame({"unit": ["B01", "B02"], "min_staff": [3, 4], "added": [1, 0],
    ...                   "staff": [4, 4], "customers_per_staff": [900.0, 1200.0]})
    >>> len(plot_allocation(a).data)
    3
    """
    import plotly.graph_objects as go

    require_dataframe(allocation, "allocation")
    require_columns(
        allocation, ["unit", "min_staff", "added", "staff", "customers_per_staff"], "allocation"
    )
    label("unit", lang)
    units = allocation["unit"].astype(str)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=units,
            y=allocation["min_staff"],
            name=label("min_staff", lang),
            marker_color="rgb(158,202,225)",
        )
    )
    fig.add_trace(
        go.Bar(
            x=units,
            y=allocation["added"],
            name=label("added", lang),
            marker_color="rgb(31,119,180)",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=units,
            y=allocation["customers_per_staff"],
            mode="markers",
            name=label("ratio", lang),
            yaxis="y2",
            marker={"color": "rgb(214,39,40)", "symbol": "diamond"},
        )
    )
    fig.update_layout(
        barmode="stack",
        title={"text": label("allocation_title", lang)},
        xaxis={"title": {"text": label("unit", lang)}},
        yaxis={"title": {"text": label("staff", lang)}},
        yaxis2={"title": {"text": label("ratio", lang)}, "overlaying": "y", "side": "right"},
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
    )
    return fig
