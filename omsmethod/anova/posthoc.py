"""Estimated marginal means, pairwise comparisons and simple effects.

All follow-ups use the multivariate cell-means model that ``emmeans`` uses for an afex
fit (``model = "multivariate"``): one mean vector of the within cells per
between-subjects group and one pooled within-group covariance matrix ``S`` with
``N - G`` degrees of freedom. A marginal mean (or a contrast) is a weight matrix ``W``
over groups x within cells: estimate ``sum(W * M)``, variance
``sum_g W_g S W_g' / n_g``. Marginal means weight the levels of the other factors
equally. For a design without within factors this is the ordinary pooled-MSE
comparison (Tukey HSD); for a design without between factors it is the paired t-test.
"""

from __future__ import annotations

from itertools import combinations, product

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validation import as_list, require_columns, require_dataframe, require_numeric
from .design import _check_factor, _codes, prepare

__all__ = ["emmeans", "posthoc", "simple_effects", "best_levels"]

_ADJUST = ("holm", "bonferroni", "fdr", "tukey", "none")


class _CellModel:
    """Group x within-cell means, group sizes and pooled covariance."""

    def __init__(self, data, result=None, dv=None, within=None, between=None, subject=None):
        attrs = dict(result.attrs) if result is not None else {}
        self.dv = dv or attrs.get("dv")
        self.within = as_list(within) or list(attrs.get("within", []))
        self.between = as_list(between) or list(attrs.get("between", []))
        self.subject = subject or attrs.get("subject")
        if self.dv is None:
            raise InputError("no dv given", hint="pass result= from an ANOVA or dv='column'")
        if self.within:
            d = prepare(data, self.dv, self.within, self.between, self.subject)
            y, codes = d.y, d.between_codes
            self.within_levels, self.between_levels = d.within_levels, d.between_levels
        else:
            data = require_dataframe(data)
            require_columns(data, [self.dv, *self.between])
            values = require_numeric(data, self.dv)
            keep = ~np.isnan(values)
            sub = data.loc[keep]
            cols, self.between_levels = [], []
            for f in self.between:
                _check_factor(sub, f)
                c, lv = _codes(sub[f])
                cols.append(c)
                self.between_levels.append(lv)
            y = values[keep][:, None]
            codes = np.column_stack(cols) if cols else np.zeros((len(y), 0), dtype=int)
            self.within_levels = []
        self.factors = self.between + self.within
        self.levels = dict(zip(self.factors, self.between_levels + self.within_levels, strict=True))
        gshape = tuple(len(lv) for lv in self.between_levels)
        gidx = np.ravel_multi_index(tuple(codes.T), gshape) if gshape else np.zeros(len(y), int)
        n_groups = int(np.prod(gshape)) if gshape else 1
        self.y, self.gidx = y, gidx
        self.n = np.bincount(gidx, minlength=n_groups).astype(float)
        if (self.n == 0).any():
            empty = np.unravel_index(int(np.argmin(self.n)), gshape)
            raise InputError(
                "a between-subjects cell has no complete subject",
                value=" x ".join(
                    str(lv[i]) for lv, i in zip(self.between_levels, empty, strict=True)
                ),
                hint="marginal means need every combination of groups",
            )
        sums = np.zeros((n_groups, y.shape[1]))
        np.add.at(sums, gidx, y)
        self.m = sums / self.n[:, None]
        resid = y - self.m[gidx]
        self.df = len(y) - n_groups
        if self.df < 1:
            raise InputError("no residual degrees of freedom for follow-up tests")
        self.s = resid.T @ resid / self.df
        self.gshape, self.wshape = gshape, tuple(len(lv) for lv in self.within_levels)

    def check(self, names):
        for f in names:
            if f not in self.factors:
                raise InputError(
                    "is not a factor of the design",
                    value=f,
                    hint=f"choose from {', '.join(self.factors)}",
                )

    def weights(self, fixed: dict) -> np.ndarray:
        """Equal-weight average over all cells matching the fixed factor levels."""
        shape = self.gshape + self.wshape
        w = np.ones(shape if shape else (1,))
        for axis, f in enumerate(self.factors):
            if f in fixed:
                mask = np.zeros(shape[axis])
                mask[self.levels[f].index(fixed[f])] = 1.0
                w = w * mask.reshape([-1 if a == axis else 1 for a in range(len(shape))])
        w = w / w.sum()
        return w.reshape(len(self.n), -1)

    def estimate(self, w: np.ndarray) -> float:
        return float((w * self.m).sum())

    def cov(self, w1: np.ndarray, w2: np.ndarray) -> float:
        return float(np.einsum("gi,ij,gj,g->", w1, self.s, w2, 1.0 / self.n))

    def sd(self, w: np.ndarray) -> float:
        """Subject-level SD of the within combination defined by ``w`` (pooled)."""
        c = w.sum(axis=0)
        return float(np.sqrt(c @ self.s @ c))


def _level_grid(model: _CellModel, names: list[str]):
    return [
        dict(zip(names, combo, strict=True)) for combo in product(*(model.levels[f] for f in names))
    ]


def emmeans(
    data,
    specs,
    result=None,
    *,
    dv=None,
    within=None,
    between=None,
    subject=None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Estimated marginal means with confidence intervals.

    Parameters
    ----------
    data : pandas.DataFrame
        The long data the ANOVA was run on.
    specs : str or list of str
        Factor(s) whose level combinations get a mean.
    result : DataFrame from rm_anova / mixed_anova / two_way, optional
        Supplies ``dv``, ``within``, ``between``, ``subject`` from its ``attrs``.
    conf_level : float
        Confidence level of the t interval (df = N - groups).

    Returns
    -------
    pandas.DataFrame
        One row per level combination: the factor columns, ``emmean``, ``SE``, ``df``,
        ``lower``, ``upper``.

    References
    ----------
    Lenth, R. emmeans: Estimated Marginal Means (``emmeans(afex_fit, ~ a | b)``).

    Examples
    --------
    >>> import omsmethod as oms
    >>> df = oms.datasets.load("promotion")
    >>> res = oms.anova.mixed_anova(df, "likelihood", "promotion", "behaviour", "respondent")
    >>> emm = emmeans(df, "promotion", res)
    >>> list(emm.columns)
    ['promotion', 'emmean', 'SE', 'df', 'lower', 'upper']
    """
    from scipy.stats import t as tdist

    model = _CellModel(data, result, dv, within, between, subject)
    specs = as_list(specs)
    model.check(specs)
    crit = tdist.ppf(0.5 + conf_level / 2, model.df)
    rows = []
    for fixed in _level_grid(model, specs):
        w = model.weights(fixed)
        est, se = model.estimate(w), np.sqrt(model.cov(w, w))
        rows.append(
            {
                **fixed,
                "emmean": est,
                "SE": se,
                "df": float(model.df),
                "lower": est - crit * se,
                "upper": est + crit * se,
            }
        )
    return pd.DataFrame(rows)


def _adjust(p: np.ndarray, method: str) -> np.ndarray:
    m = len(p)
    if method in ("none", "tukey") or m == 0:
        return p.copy()
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(p)
    ranked = p[order]
    if method == "holm":
        adj = np.maximum.accumulate((m - np.arange(m)) * ranked)
    else:  # fdr: Benjamini-Hochberg
        adj = np.minimum.accumulate(m / np.arange(m, 0, -1) * ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


def posthoc(
    data,
    factor,
    result=None,
    by=None,
    padjust: str | None = None,
    *,
    dv=None,
    within=None,
    between=None,
    subject=None,
) -> pd.DataFrame:
    """Pairwise comparisons of a factor's levels, optionally at each level of others.

    Parameters
    ----------
    data : pandas.DataFrame
        The long data the ANOVA was run on.
    factor : str or list of str
        Factor whose levels are compared pairwise (marginal over factors not in ``by``).
        A list compares all cells of those factors with each other (across factors);
        cell labels join the levels with ``:``.
    result : DataFrame from an ANOVA function, optional
        Supplies the design names from its ``attrs``.
    by : str or list of str, optional
        Compare within each level (combination) of these factors (simple comparisons);
        p-values are adjusted within each ``by`` family.
    padjust : {"holm", "bonferroni", "fdr", "tukey", "none"}, optional
        Default: ``"tukey"`` (Tukey HSD, studentized range over the number of compared
        levels) when all compared factors are between-subjects, else ``"holm"`` (paired
        t on difference scores).

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``factor``, ``level_1``, ``level_2``, ``contrast``,
        ``estimate`` (level_1 - level_2), ``SE``, ``df``, ``t``, ``p_unc``, ``p_adj``,
        ``padjust``, ``hedges_g``.

    Notes
    -----
    Hedges' g = estimate / pooled SD x (1 - 3 / (4 df - 1)); the pooled SD is the
    within-group SD of the compared conditions, averaged over the two levels as
    variances (for a within factor: the SD of each condition, not of the difference).

    Examples
    --------
    >>> import omsmethod as oms
    >>> df = oms.datasets.load("promotion")
    >>> res = oms.anova.mixed_anova(df, "likelihood", "promotion", "behaviour", "respondent")
    >>> ph = posthoc(df, "behaviour", res)
    >>> ph[["contrast", "padjust"]].iloc[0].tolist()
    ['habitual - variety_seeking', 'tukey']
    >>> len(posthoc(df, ["behaviour", "promotion"], res))  # 12 cells, 66 pairs
    66
    """
    from scipy.stats import studentized_range
    from scipy.stats import t as tdist

    model = _CellModel(data, result, dv, within, between, subject)
    factors, by = as_list(factor), as_list(by)
    model.check([*factors, *by])
    if set(factors) & set(by):
        raise InputError("a compared factor cannot also be a by factor", value=factor)
    if padjust is None:
        padjust = "tukey" if all(f in model.between for f in factors) else "holm"
    if padjust not in _ADJUST:
        raise InputError(f"padjust must be one of {', '.join(_ADJUST)}", value=padjust)
    cells = _level_grid(model, factors)
    k = len(cells)
    j = 1 - 3 / (4 * model.df - 1)
    label = ":".join(factors)
    rows = []
    for fixed in _level_grid(model, by) if by else [{}]:
        family = []
        for a, b in combinations(cells, 2):
            wa, wb = model.weights({**fixed, **a}), model.weights({**fixed, **b})
            w = wa - wb
            est, se = model.estimate(w), np.sqrt(model.cov(w, w))
            sd = np.sqrt((model.sd(wa) ** 2 + model.sd(wb) ** 2) / 2)
            t = est / se
            name_a, name_b = (":".join(str(v) for v in c.values()) for c in (a, b))
            family.append(
                {
                    **fixed,
                    "factor": label,
                    "level_1": name_a if len(factors) > 1 else a[factors[0]],
                    "level_2": name_b if len(factors) > 1 else b[factors[0]],
                    "contrast": f"{name_a} - {name_b}",
                    "estimate": est,
                    "SE": se,
                    "df": float(model.df),
                    "t": t,
                    "p_unc": float(2 * tdist.sf(abs(t), model.df)),
                    "hedges_g": est / sd * j if sd > 0 else np.nan,
                }
            )
        p = np.array([r["p_unc"] for r in family])
        if padjust == "tukey":
            adj = studentized_range.sf(np.sqrt(2) * np.abs([r["t"] for r in family]), k, model.df)
        else:
            adj = _adjust(p, padjust)
        for r, pa in zip(family, adj, strict=True):
            r["p_adj"], r["padjust"] = float(pa), padjust
        rows.extend(family)
    cols = [
        *by,
        "factor",
        "level_1",
        "level_2",
        "contrast",
        "estimate",
        "SE",
        "df",
        "t",
        "p_unc",
        "p_adj",
        "padjust",
        "hedges_g",
    ]
    return pd.DataFrame(rows)[cols]


def simple_effects(
    data, effect: str, by, result=None, *, dv=None, within=None, between=None, subject=None
) -> pd.DataFrame:
    """F test of one factor at each level (combination) of other factor(s).

    Parameters
    ----------
    data : pandas.DataFrame
        The long data the ANOVA was run on.
    effect : str
        Factor whose simple effect is tested.
    by : str or list of str
        Factor(s) at whose levels it is tested.
    result : DataFrame from an ANOVA function, optional
        Supplies the design names.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``effect``, ``df1``, ``df2``, ``F``, ``p``.

    Notes
    -----
    Wald F = theta' V^-1 theta / r for the r = k - 1 contrasts "level i - last level"
    with the pooled multivariate covariance, df2 = N - groups; this is
    ``emmeans::joint_tests(afex_fit, by = ...)``. For a within effect it does not
    assume sphericity.

    Examples
    --------
    >>> import omsmethod as oms
    >>> df = oms.datasets.load("promotion")
    >>> res = oms.anova.mixed_anova(df, "likelihood", "promotion", "behaviour", "respondent")
    >>> simple_effects(df, "promotion", "behaviour", res)["df1"].tolist()
    [3.0, 3.0, 3.0]
    """
    from scipy.stats import f as fdist

    model = _CellModel(data, result, dv, within, between, subject)
    by = as_list(by)
    model.check([effect, *by])
    levels = model.levels[effect]
    rows = []
    for fixed in _level_grid(model, by):
        last = model.weights({**fixed, effect: levels[-1]})
        ws = [model.weights({**fixed, effect: lv}) - last for lv in levels[:-1]]
        theta = np.array([model.estimate(w) for w in ws])
        v = np.array([[model.cov(a, b) for b in ws] for a in ws])
        r = len(ws)
        f = float(theta @ np.linalg.solve(v, theta) / r)
        rows.append(
            {
                **fixed,
                "effect": effect,
                "df1": float(r),
                "df2": float(model.df),
                "F": f,
                "p": float(fdist.sf(f, r, model.df)),
            }
        )
    return pd.DataFrame(rows)


def best_levels(
    data, factor: str, by, result=None, *, dv=None, within=None, between=None, subject=None
) -> pd.DataFrame:
    """The level of ``factor`` with the highest marginal mean at each level of ``by``.

    Also reports the runner-up and the Holm-adjusted p of best vs runner-up from
    :func:`posthoc`, so a reader sees whether "best" is distinguishable.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``best``, ``emmean``, ``runner_up``, ``emmean_runner_up``,
        ``difference``, ``p_adj``.

    Examples
    --------
    >>> import omsmethod as oms
    >>> df = oms.datasets.load("promotion")
    >>> res = oms.anova.mixed_anova(df, "likelihood", "promotion", "behaviour", "respondent")
    >>> best_levels(df, "promotion", "behaviour", res)["best"].tolist()
    ['price_discount', 'lottery', 'bonus_pack']
    """
    by = as_list(by)
    names = dict(dv=dv, within=within, between=between, subject=subject)
    emm = emmeans(data, [*by, factor], result, **names)
    ph = posthoc(data, factor, result, by=by, padjust="holm", **names)
    rows = []
    for key, grp in emm.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        top = grp.sort_values("emmean", ascending=False).iloc[:2]
        best, second = top[factor].iloc[0], top[factor].iloc[1]
        mask = np.ones(len(ph), dtype=bool)
        for f, v in zip(by, key, strict=True):
            mask &= (ph[f] == v).to_numpy()
        pair = ph[
            mask
            & (
                ((ph["level_1"] == best) & (ph["level_2"] == second))
                | ((ph["level_1"] == second) & (ph["level_2"] == best))
            ).to_numpy()
        ]
        rows.append(
            {
                **dict(zip(by, key, strict=True)),
                "best": best,
                "emmean": top["emmean"].iloc[0],
                "runner_up": second,
                "emmean_runner_up": top["emmean"].iloc[1],
                "difference": top["emmean"].iloc[0] - top["emmean"].iloc[1],
                "p_adj": float(pair["p_adj"].iloc[0]),
            }
        )
    return pd.DataFrame(rows)
