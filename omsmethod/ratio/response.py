"""Evidence side of the service ratio: how an outcome responds to customers per staff.

:func:`fit_response` fits, across units (branches, channels, segments), a survey outcome
(mean satisfaction, NPS, retention share) on the customers-per-staff ratio with
weighted least squares, and returns a :class:`ResponseFit` that predicts with confidence
bands and refits quickly on bootstrap resamples (used by
:func:`~omsmethod.ratio.optimise_ratio`).

The default log form is fitted here with numpy (the statsmodels WLS numbers, to rounding:
coefficients, standard errors, t intervals, R², AIC/BIC), because importing statsmodels
takes over a second in every fresh report kernel; ``ResponseFit.model`` still gives the
statsmodels results, fitted on first access. The spline and logistic forms use
statsmodels (imported only for them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..distributions import expit, norm_ppf, t_ppf, t_sf
from ..errors import InputError, ModelError
from ..validation import as_list, require_columns, require_dataframe, require_numeric

__all__ = ["fit_response", "ResponseFit", "MIN_UNITS"]

MIN_UNITS = 5
FORMS = ("log", "spline", "logistic")


class ResponseFit:
    """A fitted outcome–ratio response curve.

    Attributes
    ----------
    form : str
        ``"log"``, ``"spline"`` or ``"logistic"``.
    model : statsmodels results
        The fitted WLS (log, spline) or binomial GLM (logistic) results (for the log
        form fitted with statsmodels on first access; the tables do not need it).
    table : pandas.DataFrame
        One row of fit statistics: ``form, n, n_params, r2, adj_r2, aic, bic, sigma``.
    coefficients : pandas.DataFrame
        ``term, estimate, se, ci_low, ci_high, p_value``.
    data : pandas.DataFrame
        The rows used (missing outcomes dropped), with the original column names.
    """

    def __init__(self, form, ratio, outcome, by, data, model, frame, upper, fitted=None):
        self.form = form
        self.ratio = ratio
        self.outcome = outcome
        self.by = by
        self.data = data
        self.upper = upper  # outcome = upper * share for the logistic form
        self._frame = frame  # internal names: _y, _r, _w, _g0, ...
        self._model = model
        self.w = frame["_w"].to_numpy(dtype=float)
        if fitted is not None:  # the log form, fitted by _fit_log
            self._levels = fitted["levels"]
            self._design_info = None
            self.X = fitted["X"]
            self.y = fitted["y"]
            self.params = fitted["params"]
            self.cov = fitted["cov"]
            self.df_resid = fitted["df_resid"]
            self.table = fitted["table"]
            self.coefficients = fitted["coefficients"]
        else:
            self._levels = None
            data_ = model.model.data
            self._design_info = getattr(data_, "design_info", None) or data_.model_spec
            self.X = np.asarray(model.model.exog, dtype=float)
            self.y = np.asarray(model.model.endog, dtype=float)
            self.params = np.asarray(model.params, dtype=float)
            self.cov = np.asarray(model.cov_params(), dtype=float)
            self.df_resid = float(model.df_resid)
            self.table = self._fit_table()
            self.coefficients = self._coefficient_table()
        if by:
            mix = frame[[f"_g{i}" for i in range(len(by))]].value_counts(normalize=True, sort=False)
            self._mix = mix.reset_index(name="_share")
        else:
            self._mix = None

    @property
    def model(self):
        """statsmodels results of the fit (for the log form fitted on first access)."""
        if self._model is None:
            import statsmodels.formula.api as smf

            frame = self._frame
            shifts = "".join(f" + C(_g{i})" for i in range(len(self.by)))
            self._model = smf.wls("_y ~ np.log(_r)" + shifts, frame, weights=frame["_w"]).fit()
        return self._model

    # ------------------------------------------------------------------ design
    def design(self, ratios, levels: pd.DataFrame | None = None) -> np.ndarray:
        """Design rows for ``ratios``: at each row's own ``by`` levels when ``levels`` (a
        frame with the ``by`` columns, one row per ratio) is given, else averaged over
        the observed mix of ``by`` levels (the reference mix)."""
        r = np.asarray(ratios, dtype=float).ravel()
        if not self.by:
            if self._levels is not None:
                return np.column_stack([np.ones(r.size), np.log(r)])
            return self._matrix(pd.DataFrame({"_r": r}))
        names = [f"_g{i}" for i in range(len(self.by))]
        if levels is not None:
            frame = pd.DataFrame({"_r": r})
            for name, col in zip(names, self.by, strict=True):
                frame[name] = np.asarray(levels[col]).astype(str)
            return self._matrix(frame)
        mix = self._mix
        frame = mix.loc[np.tile(np.arange(len(mix)), len(r))].reset_index(drop=True)
        frame["_r"] = np.repeat(r, len(mix))
        x = self._matrix(frame)
        x = x.reshape(len(r), len(mix), -1)
        return np.einsum("glp,l->gp", x, mix["_share"].to_numpy())

    def _matrix(self, frame: pd.DataFrame) -> np.ndarray:
        if self._levels is not None:
            return _log_design(frame, self._levels)[0]
        spec = self._design_info
        if hasattr(spec, "get_model_matrix"):  # formulaic engine
            return np.asarray(spec.get_model_matrix(frame), dtype=float)
        from patsy import build_design_matrices

        return np.asarray(build_design_matrices([spec], frame)[0], dtype=float)

    def mean(self, x: np.ndarray, params: np.ndarray | None = None) -> np.ndarray:
        """Outcome on its own scale for design rows ``x`` and coefficient rows ``params``
        (``(p,)`` or ``(B, p)``; result ``(G,)`` or ``(G, B)``)."""
        beta = self.params if params is None else params
        # a contiguous (p, B) operand: numpy multiplies a transposed view 100x slower
        eta = x @ np.ascontiguousarray(np.asarray(beta).T)
        if self.form == "logistic":
            return self.upper * expit(eta)
        return eta

    # ------------------------------------------------------------------ public
    def predict(
        self, ratios, level: float = 0.95, levels: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Predicted outcome with a pointwise confidence band.

        Parameters
        ----------
        ratios : array-like
            Customers per staff member.
        level : float
            Confidence level of the band.
        levels : pandas.DataFrame, optional
            The ``by`` columns, one row per ratio; default: the observed mix.

        Returns
        -------
        pandas.DataFrame
            ``ratio, fit, ci_low, ci_high`` (delta method on the linear predictor; t
            quantile for WLS, normal for the GLM; the logistic band is mapped through
            the inverse link, so it stays inside ``[0, upper]``).
        """
        r = np.asarray(ratios, dtype=float).ravel()
        if not (r > 0).all():
            raise InputError("ratios must be positive", value=r[~(r > 0)][0])
        x = self.design(r, levels)
        eta = x @ self.params
        se = np.sqrt(np.einsum("gp,pq,gq->g", x, self.cov, x))
        q = self._quantile(level)
        lo, hi = eta - q * se, eta + q * se
        if self.form == "logistic":
            eta, lo, hi = (self.upper * expit(v) for v in (eta, lo, hi))
        return pd.DataFrame({"ratio": r, "fit": eta, "ci_low": lo, "ci_high": hi})

    def _quantile(self, level: float) -> float:
        """Two-sided band quantile: t (WLS residual df) or normal (GLM), kept per level."""
        cache = self.__dict__.setdefault("_quantiles", {})
        if level not in cache:
            p = 0.5 + level / 2
            cache[level] = float(
                norm_ppf(p) if self.form == "logistic" else t_ppf(p, self.df_resid)
            )
        return cache[level]

    def refit(self, index: np.ndarray) -> np.ndarray:
        """Coefficients refitted on resampled rows (``index``: ``(B, n)`` row numbers),
        all resamples at once; returns ``(B, p)``. Spline knots stay at the full-sample
        positions."""
        x = self.X[index]  # (B, n, p)
        w = self.w[index]
        y = self.y[index]
        if self.form != "logistic":
            xtwx = np.einsum("bnp,bn,bnq->bpq", x, w, x)
            xtwy = np.einsum("bnp,bn,bn->bp", x, w, y)
            return np.einsum("bpq,bq->bp", np.linalg.pinv(xtwx), xtwy)
        beta = np.broadcast_to(self.params, (len(index), self.params.size)).copy()
        for _ in range(50):
            eta = np.einsum("bnp,bp->bn", x, beta)
            mu = np.clip(expit(eta), 1e-10, 1 - 1e-10)
            v = mu * (1 - mu)
            z = eta + (y - mu) / v
            xtwx = np.einsum("bnp,bn,bnq->bpq", x, w * v, x)
            xtwz = np.einsum("bnp,bn,bn->bp", x, w * v, z)
            new = np.einsum("bpq,bq->bp", np.linalg.pinv(xtwx), xtwz)
            step = np.max(np.abs(new - beta))
            beta = new
            if step < 1e-10:
                break
        return beta

    def summary(self) -> str:
        t = self.table.iloc[0]
        return (
            f"Response of {self.outcome!r} to {self.ratio!r} ({self.form} form"
            + (f", by {', '.join(self.by)}" if self.by else "")
            + f"): n = {t.n}, R2 = {t.r2:.3f}, AIC = {t.aic:.1f}\n"
            + self.coefficients.to_string(index=False)
        )

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return (
            f"<p><b>Response of {self.outcome} to {self.ratio}</b> ({self.form})</p>"
            + self.table.to_html(index=False)
            + self.coefficients.to_html(index=False)
        )

    # ------------------------------------------------------------------ tables
    def _fit_table(self) -> pd.DataFrame:
        m = self._model
        n = int(m.nobs)
        k = int(self.params.size)
        if self.form == "logistic":
            r2 = float(m.pseudo_rsquared(kind="cs"))
            adj = np.nan
            sigma = float(np.sqrt(m.scale))
        else:
            r2, adj, sigma = float(m.rsquared), float(m.rsquared_adj), float(np.sqrt(m.scale))
        return _table(
            self.form,
            n,
            k,
            r2,
            adj,
            float(m.aic),
            float(m.bic if self.form != "logistic" else m.bic_llf),
            sigma,
        )

    def _coefficient_table(self) -> pd.DataFrame:
        m = self._model
        ci = np.asarray(m.conf_int())
        return pd.DataFrame(
            {
                "term": list(m.model.exog_names),
                "estimate": self.params,
                "se": np.asarray(m.bse),
                "ci_low": ci[:, 0],
                "ci_high": ci[:, 1],
                "p_value": np.asarray(m.pvalues),
            }
        )


def _table(form, n, k, r2, adj, aic, bic, sigma) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "form": [form],
            "n": [n],
            "n_params": [k],
            "r2": [r2],
            "adj_r2": [adj],
            "aic": [aic],
            "bic": [bic],
            "sigma": [sigma],
        }
    )


def _log_design(frame: pd.DataFrame, levels: list[np.ndarray]) -> tuple[np.ndarray, list[str]]:
    """Design matrix and term names of ``_y ~ np.log(_r) + C(_g0) + ...`` as patsy builds
    it: ``Intercept``, the treatment dummies ``C(_gi)[T.level]`` of each ``by`` column
    (levels sorted, the first the reference), then ``np.log(_r)``."""
    r = frame["_r"].to_numpy(dtype=float)
    cols = [np.ones(r.size)]
    names = ["Intercept"]
    for i, lv in enumerate(levels):
        g = frame[f"_g{i}"].to_numpy().astype(str)
        code = np.searchsorted(lv, g)
        found = (code < lv.size) & (lv[np.minimum(code, lv.size - 1)] == g)
        if not found.all():
            bad = str(g[~found][0])
            raise InputError(
                f"level {bad!r} was not seen when the response was fitted",
                value=bad,
                hint=f"use one of {', '.join(map(str, lv))}",
            )
        cols.extend((code == j).astype(float) for j in range(1, lv.size))
        names.extend(f"C(_g{i})[T.{v}]" for v in lv[1:])
    cols.append(np.log(r))
    names.append("np.log(_r)")
    return np.column_stack(cols), names


def _fit_log(frame: pd.DataFrame, n_by: int) -> dict:
    """Weighted least squares of ``_y`` on ``log(_r)`` (+ treatment dummies) with numpy,
    with the statistics statsmodels' WLS reports (R ``lm`` with weights, except that the
    AIC does not count the residual variance as a parameter)."""
    levels = [np.unique(frame[f"_g{i}"].to_numpy().astype(str)) for i in range(n_by)]
    x, names = _log_design(frame, levels)
    y = frame["_y"].to_numpy(dtype=float)
    w = frame["_w"].to_numpy(dtype=float)
    sw = np.sqrt(w)
    wx, wy = x * sw[:, None], y * sw
    pinv = np.linalg.pinv(wx, rcond=1e-15)
    params = pinv @ wy
    if not np.all(np.isfinite(params)):
        raise ModelError("the response model could not be estimated", hint="check the data")
    n, k = x.shape
    rank = int(np.linalg.matrix_rank(wx))
    df_resid = float(n - rank)
    ssr = float(np.sum((wy - wx @ params) ** 2))
    scale = ssr / df_resid
    cov = (pinv @ pinv.T) * scale
    se = np.sqrt(np.diag(cov))
    q = float(t_ppf(0.975, df_resid))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * t_sf(np.abs(params / se), df_resid)
    tss = float(np.sum(w * (y - np.average(y, weights=w)) ** 2))
    r2 = 1 - ssr / tss
    adj = 1 - (n - 1) / df_resid * (1 - r2)
    with np.errstate(divide="ignore"):
        llf = -np.log(ssr) * n / 2 - (1 + np.log(np.pi / (n / 2))) * n / 2 + 0.5 * np.sum(np.log(w))
    table = _table(
        "log",
        n,
        k,
        r2,
        adj,
        float(-2 * llf + 2 * rank),
        float(-2 * llf + np.log(n) * rank),
        float(np.sqrt(scale)),
    )
    coefficients = pd.DataFrame(
        {
            "term": names,
            "estimate": params,
            "se": se,
            "ci_low": params - q * se,
            "ci_high": params + q * se,
            "p_value": np.asarray(p_value, dtype=float).reshape(-1),
        }
    )
    return {
        "levels": levels,
        "X": x,
        "y": y,
        "params": params,
        "cov": cov,
        "df_resid": df_resid,
        "table": table,
        "coefficients": coefficients,
    }


def fit_response(
    data: pd.DataFrame,
    ratio: str,
    outcome: str,
    by=None,
    form: str = "log",
    weights: str | None = None,
    df: int = 4,
    upper: float | None = None,
) -> ResponseFit:
    """Fit how a unit-level outcome responds to the customers-per-staff ratio.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (branch, channel, segment). Rows with a missing outcome are
        dropped; at least 5 units must remain.
    ratio : str
        Column with customers per staff member (> 0).
    outcome : str
        Column with the outcome (mean satisfaction 0–100, NPS, retention share …).
    by : str or list of str, optional
        Categorical columns (region, channel) entering as additive level shifts.
    form : {"log", "spline", "logistic"}
        ``"log"``: WLS of ``outcome ~ log(ratio)``. ``"spline"``: WLS on a natural
        cubic regression spline of the ratio (patsy ``cr(ratio, df)``, centred).
        ``"logistic"``: quasi-binomial GLM (logit link, Pearson-χ² scale) of the share
        ``outcome / upper`` on ``log(ratio)`` — an S-shaped, saturating curve that stays
        within ``[0, upper]``.
    weights : str, optional
        Column of non-negative weights (e.g. respondents per unit): WLS weights /
        GLM variance weights.
    df : int
        Degrees of freedom of the spline basis.
    upper : float, optional
        Logistic form only: the outcome's maximum (1 for shares, 100 for a 0–100 score).
        Default: 1 when every outcome is at most 1, else 100.

    Returns
    -------
    ResponseFit
        ``.model``, ``.table`` (fit statistics), ``.coefficients``,
        ``.predict(ratios) -> DataFrame[ratio, fit, ci_low, ci_high]``.

    Examples
    --------
    >>> import omsmethod as oms
    >>> from omsmethod.ratio import fit_response
    >>> units = oms.datasets.load("units")
    >>> fit = fit_response(units, "customers_per_staff", "satisfaction",
    ...                    weights="respondents")
    >>> fit.table[["form", "n"]].to_dict("records")
    [{'form': 'log', 'n': 60}]
    >>> bool(fit.coefficients["estimate"].iloc[1] < 0)  # more customers each: lower score
    True
    """
    require_dataframe(data, "data")
    by = as_list(by)
    if form not in FORMS:
        raise InputError(f"unknown form {form!r}", value=form, hint=f"choose one of {FORMS}")
    require_columns(data, [ratio, outcome, *by, *as_list(weights)], "data")
    y = require_numeric(data, outcome)
    keep = ~np.isnan(y)
    used = data.loc[keep]
    if len(used) < MIN_UNITS:
        raise ModelError(
            f"only {len(used)} unit(s) with an outcome; at least {MIN_UNITS} are needed "
            "to fit a response curve",
            column=outcome,
            hint="pool units (e.g. fewer segments) or collect more units",
        )
    r = require_numeric(used, ratio, allow_missing=False)
    if not (r > 0).all():
        i = int(np.argmax(~(r > 0)))
        raise InputError(
            "must be positive",
            column=ratio,
            row=used.index[i],
            value=r[i],
            hint="customers per staff member is customers / staff > 0",
        )
    if weights is not None:
        w = require_numeric(used, weights, allow_missing=False)
        if (w < 0).any() or not (w > 0).any():
            raise InputError("weights must be >= 0 and not all 0", column=weights)
    else:
        w = np.ones(len(used))
    frame = pd.DataFrame({"_y": y[keep], "_r": r, "_w": w})
    for i, col in enumerate(by):
        frame[f"_g{i}"] = used[col].astype(str).to_numpy()
    shifts = "".join(f" + C(_g{i})" for i in range(len(by)))
    if form == "log":
        fitted = _fit_log(frame, len(by))
        return ResponseFit(form, ratio, outcome, by, used, None, frame, upper, fitted)
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    if form == "spline":
        if len(np.unique(r)) <= df:
            raise ModelError(
                f"a spline with df={df} needs more than {df} distinct ratios",
                column=ratio,
                hint="lower df or use form='log'",
            )
        model = smf.wls(
            f"_y ~ cr(_r, df={int(df)}, constraints='center')" + shifts, frame, weights=frame["_w"]
        ).fit()
    else:
        if upper is None:
            upper = 1.0 if frame["_y"].max() <= 1 else 100.0
        share = frame["_y"] / upper
        if ((share < 0) | (share > 1)).any():
            raise InputError(
                f"the logistic form needs outcomes within [0, {upper:g}]",
                column=outcome,
                value=float(frame["_y"][(share < 0) | (share > 1)].iloc[0]),
                hint="give upper= the outcome's maximum",
            )
        frame["_y"] = share
        model = smf.glm(
            "_y ~ np.log(_r)" + shifts,
            frame,
            family=sm.families.Binomial(),
            var_weights=frame["_w"],
        ).fit(scale="X2")
    if not np.all(np.isfinite(model.params)):
        raise ModelError("the response model could not be estimated", hint="check the data")
    return ResponseFit(form, ratio, outcome, by, used, model, frame, upper)
