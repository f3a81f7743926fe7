"""Figures of the service ratio: the response/net-value curve and the staff allocation.

Labels (English and Chinese) live in ``labels.csv`` next to this module.

Each figure is built from plain dicts in one ``go.Figure`` call: every ``add_trace`` /
``update_layout`` / ``add_vline`` call validates the figure again, which costs more than
the numbers behind it in a report.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..figures import make_figure
from ..validation import require_columns, require_dataframe

__all__ = ["plot_curve", "plot_allocation", "label"]

_LEGEND = {"orientation": "h", "y": -0.2}


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    with open(Path(__file__).with_name("labels.csv"), encoding="utf-8", newline="") as f:
        return {row["key"]: row for row in csv.DictReader(f)}


def label(key: str, lang: str = "en") -> str:
    """Bilingual label for ``key`` (``lang`` is ``"en"`` or ``"zh"``)."""
    if lang not in ("en", "zh"):
        raise InputError(f"unknown language {lang!r}", value=lang, hint="use 'en' or 'zh'")
    return str(_labels()[key][lang])


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
    from .optimise import RatioOptimum
    from .response import ResponseFit

    label("ratio", lang)  # validates lang
    if isinstance(result, RatioOptimum):
        fit, curve = result.response, result.curve
        x = curve["ratio"].to_numpy()
        y, lo, hi = (curve[k].to_numpy() for k in ("outcome", "outcome_ci_low", "outcome_ci_high"))
    elif isinstance(result, ResponseFit):
        fit = result
        r = fit._frame["_r"].to_numpy()
        band = fit.predict(np.geomspace(r.min(), r.max(), 200))
        x, y, lo, hi = (band[k].to_numpy() for k in ("ratio", "fit", "ci_low", "ci_high"))
    else:
        raise InputError(
            "plot_curve needs a RatioOptimum or a ResponseFit", value=type(result).__name__
        )
    data = [
        {
            "type": "scatter",
            "x": np.concatenate([x, x[::-1]]),
            "y": np.concatenate([hi, lo[::-1]]),
            "fill": "toself",
            "line": {"width": 0},
            "fillcolor": "rgba(31,119,180,0.2)",
            "name": label("band", lang),
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": x,
            "y": y,
            "name": label("fit", lang),
            "line": {"color": "rgb(31,119,180)"},
        },
    ]
    if show_data:
        data.append(
            {
                "type": "scatter",
                "x": fit._frame["_r"].to_numpy(),
                "y": fit.data[fit.outcome].to_numpy(),
                "mode": "markers",
                "name": label("observed", lang),
                "marker": {"color": "rgba(80,80,80,0.6)", "size": 6},
            }
        )
    layout = {
        "title": {"text": label("curve_title", lang)},
        "xaxis": {"title": {"text": label("ratio", lang)}, "type": "log"},
        "yaxis": {"title": {"text": f"{label('outcome', lang)} ({fit.outcome})"}},
        "legend": _LEGEND,
    }
    if isinstance(result, RatioOptimum):
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": curve["net_value"].to_numpy(),
                "name": label("net_value", lang),
                "yaxis": "y2",
                "line": {"color": "rgb(214,39,40)"},
            }
        )
        near = x[curve["near_optimum"].to_numpy(dtype=bool)]
        x0, x1, best = float(near.min()), float(near.max()), result["ratio"]
        # what add_vrect / add_vline draw: full-height shapes with a top annotation
        span = {"xref": "x", "yref": "y domain", "y0": 0, "y1": 1}
        top = {"showarrow": False, "xref": "x", "yref": "y domain", "y": 1, "yanchor": "top"}
        layout["shapes"] = [
            {
                "type": "rect",
                "x0": x0,
                "x1": x1,
                "fillcolor": "rgba(44,160,44,0.15)",
                "line": {"width": 0},
                **span,
            },
            {"type": "line", "x0": best, "x1": best, "line": {"dash": "dash"}, **span},
        ]
        layout["annotations"] = [
            {"text": label("near", lang), "x": x1, "xanchor": "right", **top},
            {"text": f"{label('optimum', lang)}: {best:,.0f}", "x": best, "xanchor": "left", **top},
        ]
        layout["yaxis2"] = {
            "title": {"text": label("net_value", lang)},
            "overlaying": "y",
            "side": "right",
        }
    return make_figure(data, layout, template="plotly_white")


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
    require_dataframe(allocation, "allocation")
    require_columns(
        allocation, ["unit", "min_staff", "added", "staff", "customers_per_staff"], "allocation"
    )
    label("unit", lang)
    units = allocation["unit"].astype(str).to_numpy()
    data = [
        {
            "type": "bar",
            "x": units,
            "y": allocation["min_staff"].to_numpy(),
            "name": label("min_staff", lang),
            "marker": {"color": "rgb(158,202,225)"},
        },
        {
            "type": "bar",
            "x": units,
            "y": allocation["added"].to_numpy(),
            "name": label("added", lang),
            "marker": {"color": "rgb(31,119,180)"},
        },
        {
            "type": "scatter",
            "x": units,
            "y": allocation["customers_per_staff"].to_numpy(),
            "mode": "markers",
            "name": label("ratio", lang),
            "yaxis": "y2",
            "marker": {"color": "rgb(214,39,40)", "symbol": "diamond"},
        },
    ]
    layout = {
        "barmode": "stack",
        "title": {"text": label("allocation_title", lang)},
        "xaxis": {"title": {"text": label("unit", lang)}},
        "yaxis": {"title": {"text": label("staff", lang)}},
        "yaxis2": {"title": {"text": label("ratio", lang)}, "overlaying": "y", "side": "right"},
        "legend": _LEGEND,
    }
    return make_figure(data, layout, template="plotly_white")
