"""The survey design object: strata, PSUs, weights and finite population correction.

:class:`Design` checks its inputs once and stores integer codes for strata and PSUs
(PSUs sorted by stratum), the weights and the per-stratum finite population correction.
Its estimators (:meth:`Design.mean`, :meth:`Design.total`, :meth:`Design.proportion`,
:meth:`Design.ratio`, :meth:`Design.quantile`) live in
:mod:`omsmethod.sampling.estimation` and return tidy DataFrames.
"""

from __future__ import annotations

import copy
import html

import numpy as np
import pandas as pd

from ..errors import DesignError
from ..validation import as_list, require_columns, require_dataframe, require_numeric
from . import estimation
from ._kernels import LONELY_OPTIONS, dense_codes

__all__ = ["Design"]


def _weights_array(data: pd.DataFrame, weights) -> np.ndarray | None:
    """Weights given as a column name, a Series/array or a weighting result."""
    if weights is None:
        return None
    if hasattr(weights, "weights") and not isinstance(weights, (pd.Series, np.ndarray)):
        weights = weights.weights  # RakeResult and friends
    if isinstance(weights, str):
        require_columns(data, [weights])
        values = require_numeric(data, weights, allow_missing=False)
        column = weights
    else:
        if isinstance(weights, pd.Series):
            if not weights.index.equals(data.index):
                weights = weights.reindex(data.index)
            values = weights.to_numpy(dtype=float)
        else:
            values = np.asarray(weights, dtype=float)
        if values.shape != (len(data),):
            raise DesignError(
                f"weights have {values.size} values but data has {len(data)} rows",
                hint="give one weight per row (a column name, a Series on the same index)",
            )
        column = "weights"
        if np.isnan(values).any():
            i = int(np.argmax(np.isnan(values)))
            raise DesignError(
                "weight is missing",
                column=column,
                row=data.index[i],
                hint="every respondent needs a weight",
            )
    bad = ~(values > 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise DesignError(
            "weights must be positive",
            column=column,
            row=data.index[i],
            value=float(values[i]),
            hint="drop the row or fix its weight; a weight is 1 / inclusion probability",
        )
    return values


def _codes(data: pd.DataFrame, column: str, what: str) -> tuple[np.ndarray, pd.Index]:
    require_columns(data, [column])
    series = data[column]
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iu":
        codes, uniques = estimation._factorize(series)  # integer ids: never missing
        return np.asarray(codes, dtype=np.int64), pd.Index(uniques)
    missing = series.isna().to_numpy()
    if missing.any():
        i = int(np.argmax(missing))
        raise DesignError(
            f"{what} id is missing",
            column=column,
            row=data.index[i],
            hint=f"every row needs a {what} id",
        )
    codes, uniques = pd.factorize(series, sort=True)
    return codes.astype(np.int64), pd.Index(uniques)


class Design:
    """A stratified, clustered survey design with weights and fpc (like R's svydesign).

    Parameters
    ----------
    data : DataFrame
        One row per respondent. It is not modified.
    weights : str, Series, array or weighting result, optional
        Sampling weights (1 / inclusion probability). A column name, one value per
        row, or the result of :func:`rake`/:func:`poststratify`. Without weights, the
        weights come from ``fpc`` (``N_h / n_h``) or are all 1.
    strata : str, optional
        Stratum column.
    psu : str, optional
        First-stage cluster (PSU) column. Multistage designs use the first-stage id
        only (the "ultimate cluster" approximation). Without it each row is a PSU.
    fpc : str, optional
        Finite population correction per row: either the population number of PSUs in
        the stratum (values > 1) or the sampling fraction (all values <= 1), as in
        R's ``svydesign(fpc=)``.
    nest : bool
        If True, PSU ids are only unique within strata (relabel them per stratum).
    lonely_psu : {"raise", "certainty", "adjust", "average"}
        What to do with a stratum that has a single PSU, as R's
        ``options(survey.lonely.psu=)``: raise a :class:`DesignError`; count it as a
        certainty unit (no variance); let its PSU total enter uncentred ("adjust", for
        a mean: measured from the overall mean, as R 4.1.1); or leave it out
        and scale the other strata's variance up by H / (H - lonely strata).

    Notes
    -----
    Variances are Taylor-linearised (R survey's ``svyrecvar`` with first-stage
    variance only). Confidence intervals use the normal distribution like R's
    ``confint(svymean(...))``, except quantiles (t with ``degf`` degrees of
    freedom, as ``svyquantile``).

    Examples
    --------
    >>> import pandas as pd
    >>> from omsmethod.sampling import Design
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [10, 10, 20, 20], "h": [1, 1, 2, 2]})
    >>> d = Design(df, weights="w", strata="h")
    >>> round(float(d.mean("y")["estimate"].iloc[0]), 4)
    2.8333
    """

    def __init__(
        self, data, weights=None, strata=None, psu=None, fpc=None, nest=False, lonely_psu="raise"
    ):
        data = require_dataframe(data)
        if lonely_psu not in LONELY_OPTIONS:
            raise DesignError(
                f"unknown lonely_psu option {lonely_psu!r}",
                value=lonely_psu,
                hint=f"use one of {', '.join(LONELY_OPTIONS)}",
            )
        self.data = data
        self.strata = strata
        self.psu = psu
        self.fpc = fpc
        self.nest = nest
        self.lonely_psu = lonely_psu
        n = len(data)

        if strata is not None:
            h, self.strata_levels = _codes(data, strata, "stratum")
        else:
            h, self.strata_levels = np.zeros(n, dtype=np.int64), pd.Index([1])
        if psu is not None:
            c, _ = _codes(data, psu, "PSU")
            if not nest and strata is not None:
                first = np.empty(int(c.max()) + 1, dtype=np.int64)
                first[c] = h  # any stratum of each PSU; all must agree
                clash = first[c] != h
                if clash.any():
                    raise DesignError(
                        "PSU ids appear in more than one stratum",
                        column=psu,
                        value=data[psu].iloc[int(np.argmax(clash))],
                        hint="use nest=True if PSU ids are only unique within strata",
                    )
        else:
            c = np.arange(n, dtype=np.int64)
        # PSU codes ordered by stratum
        key = h * (int(c.max()) + 1) + c
        uniq, psu_code = dense_codes(key)
        self._psu = psu_code.astype(np.int64)
        self._stratum = h
        self._psu_stratum = (uniq // (int(c.max()) + 1)).astype(np.int64)
        self.n_psu = np.bincount(self._psu_stratum, minlength=len(self.strata_levels))

        fpc_factor = np.ones(len(self.strata_levels))
        pop_psu = None
        if fpc is not None:
            values = require_numeric(data, fpc, allow_missing=False)
            per = pd.Series(values).groupby(h).agg(["min", "max"])
            if (per["min"] != per["max"]).any():
                s = int(per.index[(per["min"] != per["max"]).to_numpy()][0])
                raise DesignError(
                    "fpc differs within a stratum",
                    column=fpc,
                    value=self.strata_levels[s],
                    hint="give the same population size to every row of a stratum",
                )
            first = per["min"].to_numpy()
            if (first <= 0).any():
                s = int(np.argmax(first <= 0))
                raise DesignError("fpc must be positive", column=fpc, value=float(first[s]))
            if (values <= 1).all():
                pop_psu = self.n_psu / first
            else:
                pop_psu = first
                small = pop_psu < self.n_psu
                if small.any():
                    s = int(np.argmax(small))
                    raise DesignError(
                        f"fpc ({pop_psu[s]:g}) is smaller than the number of sampled PSUs "
                        f"({self.n_psu[s]}) in stratum {self.strata_levels[s]!r}",
                        column=fpc,
                        value=float(pop_psu[s]),
                        hint="fpc is the population count (or a sampling fraction <= 1)",
                    )
            fpc_factor = 1.0 - self.n_psu / pop_psu
        self.population_psu = pop_psu
        self._fpc_factor = fpc_factor

        w = _weights_array(data, weights)
        if w is None:
            if pop_psu is not None:
                w = (pop_psu / self.n_psu)[h]
            else:
                w = np.ones(n)
        self.weights = w
        self._calibration = []

        lone = (self.n_psu == 1) & (fpc_factor >= 1e-7)
        if lonely_psu == "raise" and lone.any():
            s = int(np.argmax(lone))
            raise DesignError(
                "stratum has only one PSU, so its variance cannot be estimated",
                column=strata,
                value=self.strata_levels[s],
                hint="merge it with a similar stratum or set lonely_psu to "
                "'certainty', 'adjust' or 'average'",
            )

    # -- small facts ---------------------------------------------------------------
    @property
    def degf(self) -> int:
        """Design degrees of freedom: number of PSUs minus number of strata."""
        return int(len(self._psu_stratum) - len(self.n_psu))

    def _domain_df(self, mask: np.ndarray) -> int:
        return estimation._degf(self, mask)

    def _share_se(self, indicator: np.ndarray) -> tuple[float, float]:
        return estimation._share_se(self, indicator)

    def variance(self, psu_totals: np.ndarray) -> np.ndarray:
        """Variance of each column of PSU totals of influence values (the kernel)."""
        from ._kernels import psu_variance

        return psu_variance(
            psu_totals, self._psu_stratum, self.n_psu, self._fpc_factor, self.lonely_psu
        )

    # -- estimators ----------------------------------------------------------------
    def mean(self, variables, by=None, confidence=0.95):
        """Weighted means with Taylor SEs, CIs, design effects and n.

        Missing values are left out per variable (like ``na.rm=TRUE``: the row is
        outside the domain for that variable). ``by`` gives domain estimates.
        See :func:`omsmethod.sampling.estimation.linear_estimates`.
        """
        return estimation.linear_estimates(self, as_list(variables), "mean", by, confidence)

    def total(self, variables, by=None, confidence=0.95):
        """Weighted totals with Taylor SEs (see :meth:`mean`)."""
        return estimation.linear_estimates(self, as_list(variables), "total", by, confidence)

    def proportion(self, variables, by=None, confidence=0.95):
        """Share of every level of categorical variable(s), with SEs (``svymean`` of a factor)."""
        return estimation.proportions(self, as_list(variables), by, confidence)

    def ratio(self, numerator, denominator, by=None, confidence=0.95):
        """Ratio of two totals, ``sum(w*y) / sum(w*x)`` (R's ``svyratio``)."""
        return estimation.ratios(self, as_list(numerator), as_list(denominator), by, confidence)

    def quantile(
        self,
        variables,
        quantiles=(0.5,),
        by=None,
        confidence=0.95,
        qrule="math",
        interval_type="mean",
    ):
        """Weighted quantiles with Woodruff intervals (R survey >= 4.1 ``svyquantile``).

        ``qrule``: "math" (default), "school", "hf1" ... "hf9"; ``interval_type``:
        "mean" (Woodruff, default), "beta", "xlogit", "asin". See
        :func:`omsmethod.sampling.estimation.quantiles`.
        """
        return estimation.quantiles(
            self, as_list(variables), quantiles, by, confidence, qrule, interval_type
        )

    def contrast(
        self, variables, by, contrasts=None, estimator="mean", denominator=None, confidence=0.95
    ):
        """Differences (or any linear contrasts) between domain estimates, with SEs.

        See :func:`omsmethod.sampling.estimation.contrasts`.

        Examples
        --------
        >>> import pandas as pd
        >>> from omsmethod.sampling import Design
        >>> df = pd.DataFrame({"y": [1.0, 2, 4, 6], "wave": [1, 1, 2, 2]})
        >>> Design(df).contrast("y", by="wave")[["contrast", "estimate"]].values.tolist()
        [['2 - 1', 3.5]]
        """
        return estimation.contrasts(
            self, as_list(variables), by, contrasts, estimator, denominator, confidence
        )

    def replicate(self, method="JK1", replicates=None, rho=None, seed=None):
        """Replicate-weight version of the design (R: ``as.svrepdesign``).

        See :func:`omsmethod.sampling.replicate.replicate_design`.
        """
        from .replicate import replicate_design

        return replicate_design(self, method, replicates=replicates, rho=rho, seed=seed)

    # -- calibration ---------------------------------------------------------------
    def _calibrated(self, weights: np.ndarray, residual) -> Design:
        new = copy.copy(self)
        new.weights = np.asarray(weights, dtype=float)
        new._calibration = [*self._calibration, residual]
        return new

    def poststratify(self, by, population, partial=False) -> Design:
        """A post-stratified copy of the design with calibration-aware SEs.

        Weights as :func:`omsmethod.sampling.poststratify`; variances use the
        residuals from the post-stratum means (R survey ``postStratify``).

        Examples
        --------
        >>> import pandas as pd
        >>> from omsmethod.sampling import Design
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 5], "sex": ["f", "f", "m", "m"]})
        >>> ps = Design(df).poststratify("sex", {"f": 30, "m": 70})
        >>> float(ps.mean("y")["estimate"].iloc[0])
        3.25
        """
        from .calibration import PostStratResidual
        from .weighting import _cell_keys, poststratify

        by = as_list(by)
        w_new = poststratify(
            self.data, by, population, weights=self.weights, partial=partial
        ).to_numpy()
        group = pd.factorize(_cell_keys(self.data, by))[0]
        return self._calibrated(w_new, PostStratResidual(group, self.weights, w_new))

    def rake(self, margins, max_iter=100, tol=1e-10, partial=False) -> Design:
        """A raked copy of the design (iterative proportional fitting to ``margins``).

        Variances as R survey's ``rake()``: ten back-fitting sweeps of
        post-stratification residuals over the margins. Raises
        :class:`ConvergenceError` if the raking does not converge, and
        :class:`DesignError` for margins with different totals or a level without
        respondents (``partial=True`` drops such a level's population with a
        warning, see :func:`omsmethod.sampling.weighting.drop_absent_levels`).
        """
        from ..errors import ConvergenceError
        from .calibration import RakeResidual
        from .weighting import rake

        result = rake(
            self.data, margins, weights=self.weights, max_iter=max_iter, tol=tol, partial=partial
        )
        if not result.converged:
            raise ConvergenceError(
                f"raking did not converge in {result.iterations} iterations "
                f"(max relative margin error {result.max_error:.2e})",
                hint="raise max_iter, or collapse sparse levels",
            )
        groups = [pd.factorize(self.data[col])[0] for col in margins]
        w_new = result.weights.to_numpy()
        return self._calibrated(w_new, RakeResidual(groups, w_new))

    def calibrate(
        self,
        margins=None,
        population=None,
        method="linear",
        bounds=None,
        formula=None,
        max_iter=100,
        tol=1e-10,
    ) -> Design:
        """A calibrated copy of the design (GREG-type, like R survey's ``calibrate``).

        Parameters
        ----------
        margins : mapping, optional
            Categorical margins ``{column: {level: count}}``.
        population : mapping, optional
            Population totals: ``{numeric column: total}`` and/or
            ``{categorical column: {level: count}}``; ``"(Intercept)"`` adds the
            population size. Merged with ``margins``.
        method : {"linear", "raking", "logit"}
            Distance function (R's ``calfun``; R's default is linear); logit needs
            ``bounds``.
        bounds : (lower, upper), optional
            Bounds on the g-weights (``w_new / w``).
        formula : str, optional
            Main effects to calibrate on, e.g. ``"~ stype + api99"``: only these
            columns of ``margins``/``population`` are used (interactions are not
            supported; build a combined column instead).

        Notes
        -----
        The weights solve :math:`\\sum_i w_i g_i x_i = T`; the linear distance gives
        the GREG estimator. Each totals' column space is what matters, so
        ``{"stype": {...}, "api99": t}`` equals R's ``~stype + api99`` with its
        intercept and dummy totals. SEs use the GREG residuals (R's
        ``svyrecvar`` for ``calibrate``).

        Examples
        --------
        >>> import pandas as pd
        >>> from omsmethod.sampling import Design
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 5], "x": [1.0, 1, 2, 2]})
        >>> cal = Design(df).calibrate({"(Intercept)": 10, "x": 16})
        >>> round(float(cal.total("x")["estimate"].iloc[0]), 6)
        16.0
        """
        from .calibration import GregResidual, calibration_weights, model_matrix

        totals = dict(margins or {})
        totals.update(population or {})
        if formula is not None:
            terms = [t.strip() for t in str(formula).replace("~", " ").split("+") if t.strip()]
            bad = [t for t in terms if t not in totals and t != "1"]
            if bad or any(("*" in t or ":" in t) for t in terms):
                raise DesignError(
                    f"formula term {(bad or terms)[0]!r} has no population total "
                    "(or is an interaction)",
                    value=formula,
                    hint="give margins/population for every main effect in the formula",
                )
            totals = {t: totals[t] for t in terms if t != "1"}
        if not totals:
            raise DesignError(
                "calibrate needs population totals",
                hint="e.g. population={'region': {'n': 500, 's': 700}, 'age': 41000}",
            )
        X, target, _ = model_matrix(self.data, totals)
        w_new = calibration_weights(X, self.weights, target, method, bounds, max_iter, tol)
        return self._calibrated(w_new, GregResidual(X, self.weights, w_new))

    # -- display -------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """One-row-per-fact description of the design."""
        from .weighting import effective_sample_size, weighting_deff

        facts = [
            ("respondents", len(self.data)),
            ("strata", len(self.n_psu) if self.strata is not None else 0),
            ("PSUs", len(self._psu_stratum)),
            ("degrees of freedom", self.degf),
            ("sum of weights", float(self.weights.sum())),
            ("effective sample size", float(effective_sample_size(self.weights))),
            ("design effect of weighting", float(weighting_deff(self.weights))),
            ("finite population correction", "yes" if self.fpc is not None else "no"),
            ("lonely PSU", self.lonely_psu),
            ("calibration steps", len(self._calibration)),
        ]
        return pd.DataFrame(facts, columns=["fact", "value"])

    def __repr__(self) -> str:
        kinds = []
        if self.strata is not None:
            kinds.append(f"{len(self.n_psu)} strata ({self.strata})")
        if self.psu is not None:
            kinds.append(f"{len(self._psu_stratum)} PSUs ({self.psu})")
        kinds.append("fpc" if self.fpc is not None else "no fpc")
        return f"<Design: {len(self.data)} respondents, " + ", ".join(kinds) + ">"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(str(f))}</td><td>{html.escape(str(v))}</td></tr>"
            for f, v in self.summary().itertuples(index=False)
        )
        return f"<p><b>Survey design</b></p><table>{rows}</table>"
