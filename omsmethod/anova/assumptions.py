"""Assumption checks for repeated-measures, mixed and between-subjects ANOVA."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .posthoc import _CellModel

__all__ = ["assumptions", "AssumptionChecks"]


@dataclass
class AssumptionChecks:
    """Result of :func:`assumptions`.

    Attributes
    ----------
    normality : DataFrame
        Shapiro-Wilk per design cell: factor columns, ``n``, ``W``, ``p``.
    homogeneity : DataFrame
        Levene (mean-centred) and Brown-Forsythe (median-centred) tests across the
        between-subjects groups, one row per within cell and test: within factor
        columns, ``test``, ``statistic``, ``df1``, ``df2``, ``p``.
    sphericity : DataFrame
        Mauchly's test and epsilons per within effect: ``source``, ``W``,
        ``p_mauchly``, ``eps_gg``, ``eps_hf``.
    qq : plotly.graph_objects.Figure
        Normal Q-Q plot of the standardised residuals.
    """

    normality: pd.DataFrame
    homogeneity: pd.DataFrame
    sphericity: pd.DataFrame
    qq: object

    def summary(self) -> pd.DataFrame:
        """Counts of tests with p < .05 per assumption."""
        return pd.DataFrame(
            {
                "assumption": ["normality", "homogeneity", "sphericity"],
                "tests": [len(self.normality), len(self.homogeneity), len(self.sphericity)],
                "p_below_05": [
                    int((self.normality["p"] < 0.05).sum()),
                    int((self.homogeneity["p"] < 0.05).sum()),
                    int((self.sphericity["p_mauchly"] < 0.05).sum()),
                ],
            }
        )

    def __repr__(self) -> str:
        return "AssumptionChecks\n" + self.summary().to_string(index=False)

    def _repr_html_(self) -> str:
        return (
            "<h4>Assumption checks</h4>"
            + self.summary().to_html(index=False)
            + "<h5>Sphericity</h5>"
            + self.sphericity.to_html(index=False)
        )


def assumptions(
    data, result=None, *, dv=None, within=None, between=None, subject=None
) -> AssumptionChecks:
    """Normality, homogeneity of variance and sphericity for an ANOVA design.

    Parameters
    ----------
    data : pandas.DataFrame
        The long data the ANOVA was run on.
    result : DataFrame from rm_anova / mixed_anova / two_way, optional
        Supplies the design names and the sphericity columns.
    dv, within, between, subject : optional
        Design names when ``result`` is not given.

    Returns
    -------
    AssumptionChecks

    Notes
    -----
    Residuals are deviations from the cell means of the full-factorial model.
    Shapiro-Wilk uses ``scipy.stats.shapiro`` (cells with fewer than 3 values get
    NaN); Levene/Brown-Forsythe use ``scipy.stats.levene`` with ``center="mean"`` /
    ``"median"`` (as ``car::leveneTest``).

    Examples
    --------
    >>> import omsmethod as oms
    >>> df = oms.datasets.load("promotion")
    >>> res = oms.anova.mixed_anova(df, "likelihood", "promotion", "behaviour", "respondent")
    >>> chk = assumptions(df, res)
    >>> len(chk.normality), len(chk.homogeneity)
    (12, 8)
    """
    import plotly.graph_objects as go
    from scipy.stats import levene, norm, shapiro

    model = _CellModel(data, result, dv, within, between, subject)
    y, gidx = model.y, model.gidx
    resid = y - model.m[gidx]
    wgrid = _grid(model.within, model.within_levels)
    ggrid = _grid(model.between, model.between_levels)
    norm_rows, hom_rows = [], []
    for j, wcell in enumerate(wgrid):
        groups = []
        for g, gcell in enumerate(ggrid):
            values = y[gidx == g, j]
            groups.append(values)
            if len(values) >= 3 and np.ptp(values) > 0:
                w, p = shapiro(values)
            else:
                w, p = np.nan, np.nan
            norm_rows.append({**gcell, **wcell, "n": len(values), "W": float(w), "p": float(p)})
        if len(groups) > 1:
            for test, center in (("levene", "mean"), ("brown_forsythe", "median")):
                stat, p = levene(*groups, center=center)
                hom_rows.append(
                    {
                        **wcell,
                        "test": test,
                        "statistic": float(stat),
                        "df1": float(len(groups) - 1),
                        "df2": float(len(y) - len(groups)),
                        "p": float(p),
                    }
                )
    if result is not None and "p_mauchly" in result:
        sph = result.loc[result["eps_gg"].notna(), ["source", "W", "p_mauchly", "eps_gg", "eps_hf"]]
    elif model.within:
        from .within import mixed_anova, rm_anova

        tab = (
            mixed_anova(data, model.dv, model.within, model.between, model.subject)
            if model.between
            else rm_anova(data, model.dv, model.within, model.subject)
        )
        sph = tab.loc[tab["eps_gg"].notna(), ["source", "W", "p_mauchly", "eps_gg", "eps_hf"]]
    else:
        sph = pd.DataFrame(columns=["source", "W", "p_mauchly", "eps_gg", "eps_hf"])
    z = resid.ravel()
    z = np.sort((z - z.mean()) / z.std(ddof=1)) if z.std() > 0 else np.sort(z)
    theo = norm.ppf((np.arange(1, len(z) + 1) - 0.5) / len(z))
    step = max(1, len(z) // 5000)  # keep the figure light for big data
    fig = go.Figure(
        [
            go.Scattergl(
                x=theo[::step],
                y=z[::step],
                mode="markers",
                name="residuals",
                marker={"size": 4, "opacity": 0.6},
            ),
            go.Scatter(
                x=[theo[0], theo[-1]],
                y=[theo[0], theo[-1]],
                mode="lines",
                name="normal",
                line={"dash": "dash"},
            ),
        ]
    )
    fig.update_layout(
        title="Normal Q-Q plot of residuals",
        xaxis_title="theoretical quantile",
        yaxis_title="standardised residual",
        template="simple_white",
    )
    return AssumptionChecks(
        pd.DataFrame(norm_rows), pd.DataFrame(hom_rows), sph.reset_index(drop=True), fig
    )


def _grid(names, levels) -> list[dict]:
    from itertools import product

    return [dict(zip(names, combo, strict=True)) for combo in product(*levels)] if names else [{}]
