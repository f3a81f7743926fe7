"""Interaction plot of estimated marginal means with confidence intervals."""

from __future__ import annotations

from ..validation import as_list
from .posthoc import emmeans

__all__ = ["interaction_plot"]


def interaction_plot(
    data,
    x: str,
    trace: str | None = None,
    result=None,
    *,
    dv=None,
    within=None,
    between=None,
    subject=None,
    conf_level: float = 0.95,
    labels: dict | None = None,
    title: str | None = None,
):
    """Plotly line chart of marginal means of ``x`` (one line per level of ``trace``).

    Parameters
    ----------
    data : pandas.DataFrame
        The long data the ANOVA was run on.
    x : str
        Factor on the horizontal axis.
    trace : str, optional
        Factor drawn as separate lines.
    result : DataFrame from an ANOVA function, optional
        Supplies the design names.
    conf_level : float
        Error bars are ``conf_level`` t intervals from :func:`emmeans`.
    labels : dict, optional
        Display names for factors, levels and the dv (e.g. Chinese labels).
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import omsmethod as oms
    >>> df = oms.datasets.load("promotion")
    >>> res = oms.anova.mixed_anova(df, "likelihood", "promotion", "behaviour", "respondent")
    >>> fig = interaction_plot(df, "promotion", "behaviour", res)
    >>> len(fig.data)
    3
    """
    import plotly.graph_objects as go

    labels = labels or {}
    lab = lambda v: labels.get(v, str(v))  # noqa: E731
    specs = as_list(trace) + [x]
    emm = emmeans(
        data,
        specs,
        result,
        dv=dv,
        within=within,
        between=between,
        subject=subject,
        conf_level=conf_level,
    )
    groups = emm.groupby(trace, sort=False) if trace else [(None, emm)]
    fig = go.Figure()
    for key, grp in groups:
        key = key[0] if isinstance(key, tuple) else key
        fig.add_trace(
            go.Scatter(
                x=[lab(v) for v in grp[x]],
                y=grp["emmean"],
                mode="lines+markers",
                name=lab(key) if trace else lab(dv or result.attrs.get("dv")),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": grp["upper"] - grp["emmean"],
                    "arrayminus": grp["emmean"] - grp["lower"],
                },
            )
        )
    name_dv = dv or (result.attrs.get("dv") if result is not None else "")
    fig.update_layout(
        title=title or f"{lab(name_dv)}: {lab(x)}" + (f" × {lab(trace)}" if trace else ""),
        xaxis_title=lab(x),
        yaxis_title=f"{lab(name_dv)} ({conf_level:.0%} CI)",
        legend_title=lab(trace) if trace else None,
        template="simple_white",
    )
    return fig
