"""Design-based estimators: influence values per estimator, one variance kernel.

Each estimator (mean, total, ratio, proportion) is linear in sums over *cells*
(PSU x domain) of ``w*y``, ``w*x`` and ``w``; its linearised influence values summed
within PSUs are

* total:  :math:`z_c = \\sum_{i \\in c} w_i y_i`
* mean:   :math:`z_c = \\sum_{i \\in c} w_i (y_i - \\hat{\\bar y}_d) / \\hat W_d`
* ratio:  :math:`z_c = \\sum_{i \\in c} w_i (y_i - \\hat R_d x_i) / \\hat X_d`

for respondents ``i`` in domain ``d`` with the variable(s) observed (0 otherwise:
domain estimation keeps the whole design, it never subsets it). The PSU totals go to
:func:`omsmethod.sampling._kernels.psu_variance`. A row whose variable is missing is
outside the domain for that variable: the same as R's ``na.rm=TRUE`` on a design.

Design effects follow R's ``deff=TRUE``: the design variance over the variance of the
same estimate under simple random sampling *without* replacement from a population of
size :math:`\\hat N_d = \\sum_{i \\in d} w_i` (``svyvar(y) * (N - n) / (N n)`` for a
mean, times :math:`\\hat N_d^2` for a total; for a ratio the total of
:math:`(y_i - \\hat R x_i) / \\hat X`).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from ..errors import DesignError
from ..validation import as_list, require_columns, require_numeric
from ._kernels import dense_codes, psu_variance

__all__ = ["linear_estimates", "proportions", "ratios", "quantiles"]

_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "deff", "n"]


def _normal_quantile(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise DesignError(
            "confidence must be between 0 and 1", value=confidence, hint="e.g. confidence=0.95"
        )
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _domains(design, by):
    """Integer domain code per row and a table of the domains' ``by`` values."""
    by = as_list(by)
    n = len(design.data)
    if not by:
        return np.zeros(n, dtype=np.int64), pd.DataFrame(index=[0]), 1, by
    require_columns(design.data, by)
    codes, levels = [], []
    for col in by:
        series = design.data[col]
        miss = series.isna().to_numpy()
        if miss.any():
            i = int(np.argmax(miss))
            raise DesignError(
                "domain (by) value is missing",
                column=col,
                row=design.data.index[i],
                hint="fill it, e.g. with a level 'missing', or drop the row",
            )
        c, u = _factorize(series)
        codes.append(c)
        levels.append(u)
    shape = tuple(len(u) for u in levels)
    combined = np.ravel_multi_index(tuple(codes), shape)
    uniq, dom = dense_codes(combined)
    parts = np.unravel_index(uniq, shape)
    table = pd.DataFrame(
        {col: np.asarray(lv)[p] for col, lv, p in zip(by, levels, parts, strict=True)}
    )
    return dom.astype(np.int64), table, len(uniq), by


def _factorize(series: pd.Series):
    """``pd.factorize(sort=True)``; O(n) for integer columns with a compact range."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iu" and len(series):
        values = series.to_numpy()
        low = int(values.min())
        if int(values.max()) - low <= 4 * len(values):
            uniq, codes = dense_codes(values.astype(np.int64) - low)
            return codes, pd.Index(uniq + low, dtype=series.dtype)
    return pd.factorize(series, sort=True)


def _numeric(design, column: str) -> np.ndarray:
    require_columns(design.data, [column])
    series = design.data[column]
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "fiu":
        y = series.to_numpy(dtype=float)  # plain numeric: nothing to check per cell
    else:
        y = require_numeric(design.data, column)
    if np.isnan(y).all():
        raise DesignError(
            "has no non-missing values", column=column, hint="drop the variable or check the import"
        )
    return y


class _Cells:
    """Cell (PSU x domain) sums for one domain split, with caches for complete data."""

    def __init__(self, design, dom, n_dom):
        self.design = design
        self.dom = dom
        self.n_dom = n_dom
        self.n_psu = len(design._psu_stratum)
        self.code = design._psu * n_dom + dom
        self._full = None
        self._scratch = None
        self._group_codes = {}
        self._share = None

    def group_code(self, group: np.ndarray, k: int) -> np.ndarray:
        """Cached ``group * n_dom + dom`` (cell codes of a group x domain table)."""
        key = (id(group), k)
        if key not in self._group_codes:
            self._group_codes[key] = (group, group * self.n_dom + self.dom)
        return self._group_codes[key][1]

    def weight_share(self, wm: np.ndarray, W: np.ndarray) -> np.ndarray:
        """``wm / W[dom]`` (cached for the full weights)."""
        if wm is not self.design.weights:
            return wm / W[self.dom]
        if self._share is None:
            self._share = wm / W[self.dom]
        return self._share

    def scratch(self):
        """A reusable float buffer of one value per row."""
        if self._scratch is None:
            self._scratch = np.empty(len(self.dom))
        return self._scratch

    def sums(self, values):
        n_cells = self.n_psu * self.n_dom
        return np.bincount(self.code, weights=values, minlength=n_cells).reshape(
            self.n_psu, self.n_dom
        )

    def weight_sums(self, observed):
        """Cell sums of w and domain counts over observed rows (cached if all observed)."""
        w = self.design.weights
        if observed is None:
            if self._full is None:
                self._full = (self.sums(w), np.bincount(self.dom, minlength=self.n_dom))
            return self._full
        wm = np.where(observed, w, 0.0)
        return self.sums(wm), np.bincount(self.dom[observed], minlength=self.n_dom)

    def variance(self, totals, weight_cells=None):
        """Kernel variance of PSU totals; ``weight_cells`` marks strata present (average)."""
        d = self.design
        present = None
        if d.lonely_psu == "average" and weight_cells is not None:
            starts = np.concatenate(([0], np.cumsum(d.n_psu)[:-1]))
            present = np.add.reduceat(weight_cells > 0, starts, axis=0) > 0
        return psu_variance(totals, d._psu_stratum, d.n_psu, d._fpc_factor, d.lonely_psu, present)

    def calibrated_totals(self, influence):
        """PSU totals of calibration-residualised row-level influence values.

        The influence of each row sits in its domain's column; every calibration
        step residualises the whole (rows x domains) matrix (all strata then count as
        present, as R keeps the rows of calibrated designs when taking domains).
        """
        d = self.design
        steps = d._calibration
        if len(steps) == 1:  # reduced form: no (rows x domains) matrix
            return steps[0].psu_totals(influence, self)
        n = len(influence)
        Z = np.zeros((n, self.n_dom))
        Z[np.arange(n), self.dom] = influence
        for residual in d._calibration:
            Z = residual(Z)
        totals = np.empty((self.n_psu, self.n_dom))
        for j in range(self.n_dom):
            totals[:, j] = np.bincount(d._psu, weights=Z[:, j], minlength=self.n_psu)
        return totals


def _check_domains(n_d, variable, table, by):
    empty = np.flatnonzero(n_d == 0)
    if empty.size:
        where = ", ".join(f"{c}={table[c].iloc[empty[0]]!r}" for c in by) or "the sample"
        raise DesignError(
            f"domain {where} has no respondents with {variable!r} observed",
            column=variable,
            value=table.iloc[empty[0]].tolist() if by else None,
            hint="merge small domains or drop the empty level",
        )


def _srs_variance(s2_sum, W, n):
    """R's deff=TRUE denominator for a mean: svyvar * (N - n) / (N n)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = s2_sum / W * n / (n - 1)
        v = s2 * (W - n) / (W * n)
    return np.where(W < n, np.nan, v)


def _linear_parts(cells, y, kind, x=None):
    """Estimate, PSU totals of influence values, cells present, SRS variance and n."""
    w = cells.design.weights
    dom = cells.dom
    if x is None and kind != "ratio":
        wy = np.multiply(w, y, out=cells.scratch())
        if cells.design._calibration:  # PSU totals come from the residuals: domain sums do
            S_y = np.bincount(dom, weights=wy, minlength=cells.n_dom)[None, :]
        else:
            S_y = cells.sums(wy)
        if np.isfinite(S_y.sum()):  # no missing values: skip the mask passes
            S_w, n_d = cells.weight_sums(None)
            parts = _shifted_parts(cells, y, w, kind, S_w, S_w.sum(axis=0), n_d, S_y)
            return _calibrated_parts(cells, parts, y, w, kind)
    obs = ~np.isnan(y)
    if x is not None:
        obs &= ~np.isnan(x)
    complete = bool(obs.all())
    yz = y if complete else np.where(obs, y, 0.0)
    S_w, n_d = cells.weight_sums(None if complete else obs)
    W = S_w.sum(axis=0)
    wm = w if complete else np.where(obs, w, 0.0)
    if kind != "ratio":
        parts = _shifted_parts(cells, yz, wm, kind, S_w, W, n_d)
        return _calibrated_parts(cells, parts, yz, wm, kind)
    S_y = cells.sums(w * yz)
    Y = S_y.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "ratio":
            xz = np.where(obs, x, 0.0)
            S_x = cells.sums(w * xz)
            X = S_x.sum(axis=0)
            est = Y / X
            totals = (S_y - est * S_x) / X
            r = (yz - est[dom] * xz) / X[dom]
            rbar = np.bincount(dom, weights=wm * r, minlength=cells.n_dom) / W
            ss = np.bincount(dom, weights=wm * (r - rbar[dom]) ** 2, minlength=cells.n_dom)
            vsrs = _srs_variance(ss, W, n_d) * W**2
    present_cells = S_w
    if cells.design._calibration:
        with np.errstate(divide="ignore", invalid="ignore"):
            totals = cells.calibrated_totals(wm * r)
        present_cells = None
    return est, totals, present_cells, vsrs, n_d


def _calibrated_parts(cells, parts, yz, wm, kind):
    """Swap in calibration-residualised PSU totals (mean/total) when calibrated."""
    if not cells.design._calibration:
        return parts
    est, _, S_w, vsrs, n_d = parts
    dom = cells.dom
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "mean":
            influence = np.take(est, dom, out=cells.scratch())
            np.subtract(yz, influence, out=influence)
            influence *= cells.weight_share(wm, S_w.sum(axis=0))
        else:
            influence = np.multiply(wm, yz, out=cells.scratch())
        totals = cells.calibrated_totals(influence)
    return est, totals, None, vsrs, n_d


def _shifted_parts(cells, yz, wm, kind, S_w, W, n_d, S_y=None):
    """Mean/total parts in few passes: sums of ``w (y - a)`` and ``w (y - a)^2``.

    ``a`` is the overall weighted mean, so the within-domain sum of squares
    :math:`\\sum w (y - a)^2 - W_d (\\bar y_d - a)^2` loses no precision.
    """
    n_dom = cells.n_dom
    if S_y is None:
        S_y = cells.sums(wm * yz)
    Y = S_y.sum(axis=0)
    a = float(Y.sum() / W.sum())
    u = np.subtract(yz, a, out=cells.scratch())  # in place: no page faults per item
    np.square(u, out=u)
    u *= wm
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = Y / W
        ss = np.bincount(cells.dom, weights=u, minlength=n_dom) - W * (mean - a) ** 2
        vsrs = _srs_variance(np.maximum(ss, 0.0), W, n_d)
        if kind == "mean":
            return mean, (S_y - mean * S_w) / W, S_w, vsrs, n_d
    return Y, S_y, S_w, vsrs * W**2, n_d


def _linear(cells, y, kind, x=None):
    """Estimate, variance, SRS variance and n per domain for one variable."""
    est, totals, present_cells, vsrs, n_d = _linear_parts(cells, y, kind, x)
    return est, cells.variance(totals, present_cells), vsrs, n_d


def level_indicators(series: pd.Series):
    """``(level, y)`` for each level of a categorical variable: ``y`` is 1 where the
    answer is that level, 0 for another level, NaN where it is missing. Levels in
    category order, else sorted."""
    missing = series.isna().to_numpy()
    if isinstance(series.dtype, pd.CategoricalDtype):
        levels = list(series.cat.categories)
    else:
        levels = sorted(pd.unique(series[~missing]))
    for level in levels:
        yield level, np.where(missing, np.nan, (series == level).to_numpy(dtype=float))


def _rows(table, est, var, vsrs, n_d, z, **labels):
    se = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = var / vsrs
    out = table.copy()
    for key, value in labels.items():
        out.insert(0, key, value)
    out["estimate"] = est
    out["se"] = se
    out["ci_low"] = est - z * se
    out["ci_high"] = est + z * se
    out["deff"] = deff
    out["n"] = n_d.astype(np.int64)
    return out


def _finish(frames, first):
    result = pd.concat(frames, ignore_index=True)
    lead = [c for c in first if c in result.columns]
    rest = [c for c in result.columns if c not in lead and c not in _COLUMNS]
    return result[lead + rest + _COLUMNS]


def linear_estimates(design, variables, kind, by=None, confidence=0.95):
    """Means or totals of numeric variables, overall or by domain.

    Parameters
    ----------
    design : Design
    variables : list of str
        Numeric columns.
    kind : {"mean", "total"}
    by : str or list of str, optional
        Domain column(s); estimates for every combination present in the data.
    confidence : float
        Level of the normal-theory confidence interval.

    Returns
    -------
    DataFrame
        ``variable``, the ``by`` columns, ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``deff``, ``n`` (respondents with the variable observed).

    References
    ----------
    R survey: ``svymean``, ``svytotal``, ``svyby(..., deff=TRUE, na.rm=TRUE)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from omsmethod.sampling import Design
    >>> df = pd.DataFrame({"y": [1.0, 3, 2, 6], "g": ["a", "a", "b", "b"]})
    >>> Design(df).total("y", by="g")[["g", "estimate"]].to_numpy().tolist()
    [['a', 4.0], ['b', 8.0]]
    """
    z = _normal_quantile(confidence)
    dom, table, n_dom, by = _domains(design, by)
    cells = _Cells(design, dom, n_dom)
    parts = []
    for var in variables:
        y = _numeric(design, var)
        est, v, vsrs, n_d = _linear(cells, y, kind)
        _check_domains(n_d, var, table, by)
        parts.append((est, v, vsrs, n_d))
    return _stacked(table, variables, parts, z)


def _stacked(table, variables, parts, z):
    """One frame for all variables (as :func:`_rows` + :func:`_finish`, built once)."""
    est, var, vsrs, n_d = (np.concatenate(k) for k in zip(*parts, strict=True))
    n_dom = len(table)
    se = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = var / vsrs
    out = table.iloc[np.tile(np.arange(n_dom), len(variables))].reset_index(drop=True)
    out.insert(0, "variable", [v for v in variables for _ in range(n_dom)])
    columns = dict(
        estimate=est,
        se=se,
        ci_low=est - z * se,
        ci_high=est + z * se,
        deff=deff,
        n=n_d.astype(np.int64),
    )
    return pd.concat([out, pd.DataFrame(columns)], axis=1)


def proportions(design, variables, by=None, confidence=0.95):
    """Share of each level of categorical variables (R: ``svymean`` of a factor).

    Levels are the categories of a pandas Categorical, else the sorted distinct
    values. Missing values are left out (as ``na.rm=TRUE``).
    """
    z = _normal_quantile(confidence)
    dom, table, n_dom, by = _domains(design, by)
    cells = _Cells(design, dom, n_dom)
    frames = []
    for var in variables:
        require_columns(design.data, [var])
        series = design.data[var]
        if series.isna().all():
            raise DesignError(
                "has no non-missing values",
                column=var,
                hint="drop the variable or check the import",
            )
        for level, y in level_indicators(series):
            est, v, vsrs, n_d = _linear(cells, y, "mean")
            _check_domains(n_d, var, table, by)
            frame = _rows(table, est, v, vsrs, n_d, z, level=level)
            frame.insert(0, "variable", var)
            frames.append(frame)
    return _finish(frames, ["variable", "level"])


def ratios(design, numerators, denominators, by=None, confidence=0.95):
    """Ratios of weighted totals, ``variable`` named ``"num/den"`` (R: ``svyratio``).

    One denominator is used for every numerator; else they are paired in order.
    Rows missing either variable are left out of that ratio.
    """
    if len(denominators) == 1:
        denominators = denominators * len(numerators)
    if len(denominators) != len(numerators):
        raise DesignError(
            f"{len(numerators)} numerators but {len(denominators)} denominators",
            hint="give one denominator, or one per numerator",
        )
    z = _normal_quantile(confidence)
    dom, table, n_dom, by = _domains(design, by)
    cells = _Cells(design, dom, n_dom)
    frames = []
    for num, den in zip(numerators, denominators, strict=True):
        y, x = _numeric(design, num), _numeric(design, den)
        est, v, vsrs, n_d = _linear(cells, y, "ratio", x=x)
        _check_domains(n_d, f"{num}/{den}", table, by)
        frames.append(_rows(table, est, v, vsrs, n_d, z, variable=f"{num}/{den}"))
    return _finish(frames, ["variable"])


def _degf(design, mask):
    """R's ``degf`` of the design restricted to ``mask`` rows: PSUs - strata."""
    return len(np.unique(design._psu[mask])) - len(np.unique(design._stratum[mask]))


def _share_se(design, indicator):
    """Mean of a 0/1 indicator (NaN = outside the domain) and its Taylor SE."""
    one = _Cells(design, np.zeros(len(indicator), dtype=np.int64), 1)
    phat, v, _, _ = _linear(one, indicator, "mean")
    return float(phat[0]), float(np.sqrt(v[0]))


INTERVALS = ("mean", "beta", "xlogit", "asin")


def _share_interval(phat, se_p, tcrit, alpha, interval_type, n_rows, df):
    """Confidence interval of the CDF share ``phat`` (R's ``woodruffCI`` methods)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if interval_type == "mean":
            return phat - tcrit * se_p, phat + tcrit * se_p
        if interval_type == "xlogit":
            centre = np.log(phat / (1 - phat))
            half = tcrit * se_p / (phat * (1 - phat))
            return 1 / (1 + np.exp(-(centre - half))), 1 / (1 + np.exp(-(centre + half)))
        if interval_type == "asin":
            centre = np.arcsin(np.sqrt(phat))
            half = tcrit * se_p / (2 * np.sqrt(phat * (1 - phat)))
            return np.sin(centre - half) ** 2, np.sin(centre + half) ** 2
    from ..distributions import beta_ppf, t_ppf

    n_eff = phat * (1 - phat) / se_p**2
    n_eff *= (t_ppf(alpha / 2, n_rows - 1) / t_ppf(alpha / 2, df)) ** 2
    lo = beta_ppf(alpha / 2, n_eff * phat, n_eff * (1 - phat) + 1)
    hi = beta_ppf(1 - alpha / 2, n_eff * phat + 1, n_eff * (1 - phat))
    return float(lo), float(hi)


def quantiles(
    design, variables, probs=(0.5,), by=None, confidence=0.95, qrule="math", interval_type="mean"
):
    """Weighted quantiles with Woodruff confidence intervals.

    The quantile follows ``qrule`` (R survey >= 4.1 ``svyquantile(qrule=)``; default
    "math", the inverse of the weighted CDF; "school", "hf1" ... "hf9" as
    :func:`omsmethod.sampling._kernels.quantile_rule`). The interval (Woodruff
    1952): estimate the share :math:`\\hat p` of the domain at or below the quantile
    with its design SE, build a confidence interval for it and map the two limits
    back through the same ``qrule``; ``se`` is the interval width over
    :math:`2 t_{df}`, ``df`` the design degrees of freedom of the domain (PSUs -
    strata; for replicate designs the rank of the domain's replicate weights - 1).
    ``interval_type`` (R's ``interval.type``) sets the share's interval:

    * ``"mean"`` (default): :math:`\\hat p \\pm t_{df} SE`;
    * ``"xlogit"``: symmetric on the logit scale (delta-method SE), back-transformed;
    * ``"asin"``: symmetric on the :math:`\\arcsin\\sqrt{p}` scale;
    * ``"beta"``: Clopper-Pearson-type beta quantiles with the effective sample size
      :math:`\\hat p(1-\\hat p)/SE^2` times :math:`(t_{n-1}/t_{df})^2` (Korn and
      Graubard 1998), ``n`` the domain's rows.

    A limit outside [0, 1] gives NaN, as R. Matches R survey 4.1.1 (R's
    ``interval.type="score"`` needs a root search with a loose tolerance and is not
    offered). ``design`` may be a :class:`Design` or a :class:`ReplicateDesign`
    (which supplies ``_share_se`` and ``_domain_df``); R 4.1.1 ignores
    ``interval.type`` on replicate designs and always uses "mean", omsmethod
    honours it.
    """
    from ..distributions import t_ppf
    from ._kernels import QRULES, quantile_rule

    if not 0 < confidence < 1:
        _normal_quantile(confidence)
    if qrule not in QRULES:
        raise DesignError(
            f"unknown qrule {qrule!r}", value=qrule, hint=f"use one of {', '.join(QRULES)}"
        )
    if interval_type not in INTERVALS:
        raise DesignError(
            f"unknown interval_type {interval_type!r}",
            value=interval_type,
            hint=f"use one of {', '.join(INTERVALS)}",
        )
    probs = [float(p) for p in np.atleast_1d(probs)]
    for p in probs:
        if not 0 <= p <= 1:
            raise DesignError("quantile must be between 0 and 1", value=p)
    dom, table, n_dom, by = _domains(design, by)
    # R's svydesign keeps prob = 1/weight and reports weights as 1/prob: one ulp off,
    # which decides exact ties of the weighted CDF (equal weights, p = k/n)
    w = design.weights if hasattr(design, "n_replicates") else 1.0 / (1.0 / design.weights)
    alpha = 1 - confidence
    frames = []
    for var in variables:
        y = _numeric(design, var)
        rows = []
        for d in range(n_dom):
            mask = (dom == d) & ~np.isnan(y)
            if not mask.any():
                _check_domains(np.array([0]), var, table.iloc[[d]], by)
            order = np.argsort(y[mask], kind="stable")
            xs, ws = y[mask][order], w[mask][order]
            df = design._domain_df(mask)
            tcrit = float(t_ppf(1 - alpha / 2, df)) if df > 0 else np.nan
            n_rows = int((dom == d).sum())
            for p in probs:
                q = quantile_rule(xs, ws, p, qrule)
                ind = np.where(mask, (y <= q).astype(float), np.nan)
                phat, se_p = design._share_se(ind)
                lo, hi = _share_interval(phat, se_p, tcrit, alpha, interval_type, n_rows, df)
                q_lo = np.nan if not lo >= 0 else quantile_rule(xs, ws, lo, qrule)
                q_hi = np.nan if not hi <= 1 else quantile_rule(xs, ws, hi, qrule)
                row = {"variable": var}
                row.update({c: table[c].iloc[d] for c in by})
                row.update(
                    quantile=p,
                    estimate=q,
                    se=(q_hi - q_lo) / (2 * tcrit),
                    ci_low=q_lo,
                    ci_high=q_hi,
                    deff=np.nan,
                    n=int(mask.sum()),
                )
                rows.append(row)
        frames.append(pd.DataFrame(rows))
    return _finish(frames, ["variable"])


def _contrast_matrix(table, by, contrasts):
    """Coefficient matrix (domains x contrasts) and contrast names."""
    labels = table[by].astype(str).agg(":".join, axis=1).tolist()
    if contrasts is None:
        pairs = [(a, b) for i, a in enumerate(labels) for b in labels[i + 1 :]]
        contrasts = {f"{b} - {a}": {b: 1.0, a: -1.0} for a, b in pairs}
    C = np.zeros((len(labels), len(contrasts)))
    for k, (name, coefs) in enumerate(contrasts.items()):
        for level, coef in dict(coefs).items():
            if str(level) not in labels:
                raise DesignError(
                    f"contrast {name!r} names a domain that is not in the data",
                    value=level,
                    hint=f"domains: {', '.join(labels[:20])}",
                )
            C[labels.index(str(level)), k] = float(coef)
    return C, list(contrasts)


def contrasts(
    design, variables, by, contrasts=None, estimator="mean", denominator=None, confidence=0.95
):
    """Linear contrasts of domain estimates with their design-based SEs.

    The variance of :math:`\\sum_d c_d \\hat\\theta_d` comes from the PSU totals of
    :math:`\\sum_d c_d z_{d}` (the domains' influence values combined), so the
    covariance between domains sharing PSUs is included (R: ``svycontrast`` on a
    ``svyby(..., covmat=TRUE)`` result).

    Parameters
    ----------
    variables : list of str
    by : str or list of str
        Domain column(s); a domain is named by its values joined with ``":"``.
    contrasts : mapping {name: {domain: coefficient}}, optional
        Default: every pairwise difference (later minus earlier domain).
    estimator : {"mean", "total", "ratio"}
        ``ratio`` needs ``denominator``.
    """
    z = _normal_quantile(confidence)
    dom, table, n_dom, by = _domains(design, by)
    if not by:
        raise DesignError("contrasts need by= (the domains to compare)")
    C, names = _contrast_matrix(table, by, contrasts)
    cells = _Cells(design, dom, n_dom)
    rows = []
    for var in variables:
        y = _numeric(design, var)
        x = _numeric(design, denominator) if estimator == "ratio" else None
        est, totals, present, _, n_d = _linear_parts(cells, y, estimator, x=x)
        _check_domains(n_d, var, table, by)
        value = est @ C
        var_c = cells.variance(totals @ C, None if present is None else present @ (C != 0))
        se = np.sqrt(var_c)
        rows += contrast_rows(_estimate_label(var, estimator, denominator), names, value, se, z)
    return pd.DataFrame(rows)


def _estimate_label(variable, estimator, denominator=None) -> str:
    return f"{variable}/{denominator}" if estimator == "ratio" else variable


def contrast_rows(label, names, value, se, z) -> list[dict]:
    """Rows ``variable, contrast, estimate, se, ci_low, ci_high`` of one variable's contrasts."""
    return [
        dict(variable=label, contrast=name, estimate=value[k], se=se[k],
             ci_low=value[k] - z * se[k], ci_high=value[k] + z * se[k])
        for k, name in enumerate(names)
    ]
