"""Replicate-weight designs: jackknife (JK1, JKn), bootstrap, BRR and Fay.

A :class:`ReplicateDesign` holds the full-sample weights and ``R`` columns of
replicate weights. An estimate :math:`\\hat\\theta` is recomputed with each
replicate's weights, and

.. math:: \\hat V = \\text{scale} \\sum_r \\text{rscale}_r (\\hat\\theta_r - \\bar\\theta)^2

with :math:`\\bar\\theta` the mean of the replicates (or :math:`\\hat\\theta` when
``mse=True``), as R survey's ``svrVar``. :meth:`Design.replicate` builds the weights
from a linearisation design like R's ``as.svrepdesign``.
"""

from __future__ import annotations

import copy
import html

import numpy as np
import pandas as pd

from ..errors import DesignError
from ..validation import as_list, require_columns, require_dataframe, require_numeric
from . import estimation

__all__ = ["ReplicateDesign", "replicate_design", "hadamard"]

TYPES = ("JK1", "JKn", "bootstrap", "BRR", "Fay", "other")


CHUNK_BYTES = 128 * 2**20  # largest (rows x replicates) block held at once


class _DenseWeights:
    """Replicate weights given as an (n, R) array."""

    def __init__(self, matrix):
        self.matrix = matrix
        self.n_rep = matrix.shape[1]

    def block(self, start, stop):
        return self.matrix[:, start:stop]

    def dense(self):
        return self.matrix

    def rank(self, mask):
        return int(np.linalg.matrix_rank(self.matrix[mask]))


class _ColumnWeights:
    """Replicate weights read, a block of columns at a time, from the data frame."""

    def __init__(self, data, columns):
        self.data = data
        self.columns = list(columns)
        self.n_rep = len(self.columns)

    def block(self, start, stop):
        return self.data[self.columns[start:stop]].to_numpy(dtype=float)

    def dense(self):
        return self.block(0, self.n_rep)

    def rank(self, mask):
        return int(np.linalg.matrix_rank(self.data.loc[mask, self.columns].to_numpy(dtype=float)))


class _PsuWeights:
    """Replicate weights ``w_i * mult[psu_i, r]`` from per-PSU multipliers (never n x R)."""

    def __init__(self, w, psu, mult):
        self.w, self.psu, self.mult = w, psu, mult
        self.n_rep = mult.shape[1]

    def block(self, start, stop):
        return self.w[:, None] * self.mult[self.psu, start:stop]

    def dense(self):
        return self.block(0, self.n_rep)

    def rank(self, mask):
        return int(np.linalg.matrix_rank(self.mult[np.unique(self.psu[mask])]))

    def sums(self, V, dom, n_dom):
        """(R, D, k) replicate sums via PSU x domain totals: ``mult.T @ totals``."""
        n_psu = self.mult.shape[0]
        code = self.psu * n_dom + dom
        T = np.empty((n_psu * n_dom, V.shape[1]))
        for k in range(V.shape[1]):
            T[:, k] = np.bincount(code, weights=self.w * V[:, k], minlength=n_psu * n_dom)
        out = self.mult.T @ T.reshape(n_psu, n_dom * V.shape[1])
        return out.reshape(self.n_rep, n_dom, V.shape[1])


def _sorted_block(source, start, stop, order) -> np.ndarray:
    """Replicate columns ``start:stop`` with rows in ``order``: one (n, c) buffer."""
    out = np.empty((len(order), stop - start), order="F")
    for j in range(start, stop):
        if isinstance(source, _ColumnWeights):
            column = source.data[source.columns[j]].to_numpy(dtype=float)
        elif isinstance(source, _DenseWeights):
            column = source.matrix[:, j]
        else:
            column = source.block(j, j + 1)[:, 0]
        out[:, j - start] = column[order]
    return out


def _check_block(block, data, start, names=None):
    bad = np.isnan(block) | (block < 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        value = float(block[i, j])
        column = names[start + j] if names is not None else f"replicate {start + j + 1}"
        raise DesignError(
            "replicate weight is missing (NaN)"
            if np.isnan(value)
            else "replicate weight is negative",
            row=data.index[i],
            column=column,
            value=value,
            hint="every replicate needs a weight >= 0 on every row; check the delivered file",
        )


class ReplicateDesign:
    """A survey design described by replicate weights (like R's ``svrepdesign``).

    Parameters
    ----------
    data : DataFrame
    weights : str or array
        Full-sample weights.
    repweights : list of str or array (n, R)
        Replicate weights (full weights, not multipliers: ``combined.weights=TRUE``).
    type : {"JK1", "JKn", "bootstrap", "BRR", "Fay", "other"}
        Sets the default ``scale``: JK1 ``(R-1)/R``; bootstrap ``1/(R-1)``; BRR
        ``1/R``; Fay ``1/(R (1-rho)^2)``. JKn needs ``rscales``, other needs ``scale``.
    scale : float, optional
    rscales : array of R floats, optional
        Per-replicate factors (default 1).
    mse : bool
        Centre the replicates at the full-sample estimate instead of their mean.
    rho : float, optional
        Fay coefficient.

    Notes
    -----
    Estimators: ``mean``, ``total``, ``proportion``, ``ratio`` and ``contrast``
    with ``by=`` domains (a domain's replicate estimates use its rows only), and
    ``quantile`` (Woodruff). CIs are normal, like ``confint`` on a replicate design
    in R (quantiles: t with the replicate degrees of freedom).

    Examples
    --------
    >>> import pandas as pd
    >>> from omsmethod.sampling import Design
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 5], "c": [1, 2, 3, 4]})
    >>> jk = Design(df, psu="c").replicate("JK1")
    >>> round(float(jk.mean("y")["se"].iloc[0]), 6)
    0.853913
    """

    def __init__(
        self, data, weights, repweights, type="JK1", scale=None, rscales=None, mse=False, rho=None
    ):
        data = require_dataframe(data)
        if type not in TYPES:
            raise DesignError(
                f"unknown replicate type {type!r}",
                value=type,
                hint=f"use one of {', '.join(TYPES)}",
            )
        self.data = data
        from .design import _weights_array

        self.weights = _weights_array(data, weights)
        self.chunk_bytes = CHUNK_BYTES
        if isinstance(repweights, str):
            import re

            pattern = re.compile(repweights)
            repweights = [c for c in data.columns if pattern.fullmatch(str(c))]
            if not repweights:
                raise DesignError(
                    f"no column matches the replicate-weight pattern {pattern.pattern!r}",
                    value=pattern.pattern,
                    hint="e.g. 'repw[0-9]+' for columns repw1, repw2, ...",
                )
        if isinstance(repweights, (_DenseWeights, _ColumnWeights, _PsuWeights)):
            source = repweights
        elif isinstance(repweights, (list, tuple)) and all(isinstance(c, str) for c in repweights):
            require_columns(data, list(repweights))
            for c in repweights:
                if not pd.api.types.is_numeric_dtype(data[c]):
                    require_numeric(data, c)
            source = _ColumnWeights(data, repweights)
        else:
            rep = np.asarray(repweights, dtype=float)
            if rep.ndim != 2 or rep.shape[0] != len(data) or rep.shape[1] < 2:
                raise DesignError(
                    f"replicate weights must be an (n rows x R >= 2) table, got shape {rep.shape}",
                    hint="one column per replicate, one row per respondent",
                )
            source = _DenseWeights(rep)
        if source.n_rep < 2:
            raise DesignError(
                f"replicate weights must be an (n rows x R >= 2) table, got {source.n_rep} column",
                hint="one column per replicate, one row per respondent",
            )
        self._rep = source
        if not isinstance(source, _PsuWeights):
            names = source.columns if isinstance(source, _ColumnWeights) else None
            for start, stop in self._chunks():
                _check_block(source.block(start, stop), data, start, names)
        n_rep = source.n_rep
        self.type = type
        self.rho = rho
        if scale is None:
            if type == "JK1":
                scale = (n_rep - 1) / n_rep
            elif type == "bootstrap":
                scale = 1 / (n_rep - 1)
            elif type == "BRR":
                scale = 1 / n_rep
            elif type == "Fay":
                if rho is None:
                    raise DesignError("Fay replicates need rho", hint="e.g. rho=0.3")
                scale = 1 / (n_rep * (1 - rho) ** 2)
            elif type == "JKn":
                scale = 1.0
            else:
                raise DesignError("type 'other' needs scale=")
        if rscales is None:
            if type == "JKn":
                raise DesignError("JKn replicates need rscales= ((n_h - 1)/n_h per replicate)")
            rscales = np.ones(n_rep)
        if np.ndim(scale) != 0:
            raise DesignError(
                f"scale must be one number, got {np.size(scale)} values",
                value=list(np.ravel(scale))[:5],
                hint="per-replicate factors go in rscales=",
            )
        self.scale = float(scale)
        if not (np.isfinite(self.scale) and self.scale > 0):
            raise DesignError("scale must be a positive number", value=self.scale)
        self.rscales = np.asarray(rscales, dtype=float).reshape(-1)
        if len(self.rscales) != n_rep:
            raise DesignError(
                f"rscales has {len(self.rscales)} values but there are {n_rep} replicate "
                "weight columns",
                value=len(self.rscales),
                hint="give one rscale per replicate column (or check the replicate-column "
                "pattern picks exactly the replicate weights)",
            )
        if np.isnan(self.rscales).any() or (self.rscales < 0).any():
            raise DesignError("rscales must be >= 0", value=self.rscales.tolist()[:5])
        self.mse = bool(mse)

    @property
    def n_replicates(self) -> int:
        return self._rep.n_rep

    @property
    def repweights(self) -> np.ndarray:
        """All replicate weights as an (n, R) array (materialised on access)."""
        return self._rep.dense()

    def _chunks(self):
        """(start, stop) replicate columns per block of at most ``chunk_bytes``."""
        n_rows = max(len(self.data), 1)
        step = max(1, int(self.chunk_bytes // (8 * n_rows)))
        for start in range(0, self._rep.n_rep, step):
            yield start, min(start + step, self._rep.n_rep)

    def _sums(self, V, dom, n_dom, presorted=False):
        """(R, D, k) sums of the columns of ``V`` by domain under every replicate weight.

        Replicates built from a design use PSU totals (no rows x replicates array);
        delivered replicate weights are read in column blocks of at most
        ``chunk_bytes``, rows grouped by domain so each block is one matrix product
        per domain. ``presorted``: the rows of ``V`` are already in domain order.
        """
        source = self._rep
        if isinstance(source, _PsuWeights):
            return source.sums(V, dom, n_dom)
        out = np.empty((source.n_rep, n_dom, V.shape[1]))
        if n_dom > 1:
            order = np.argsort(dom, kind="stable")
            bounds = np.concatenate(([0], np.cumsum(np.bincount(dom, minlength=n_dom))))
            if not presorted:
                V = V[order]
        else:
            order, bounds = None, np.array([0, len(dom)])
        for start, stop in self._chunks():
            if order is None:
                block = source.block(start, stop)
            else:
                block = _sorted_block(source, start, stop, order)
            for d in range(n_dom):
                a, b = bounds[d], bounds[d + 1]
                out[start:stop, d] = block[a:b].T @ V[a:b]
        return out

    # -- kernel --------------------------------------------------------------------
    def _variance(self, theta_hat: np.ndarray, theta_rep: np.ndarray) -> np.ndarray:
        """``theta_rep``: (R, m) replicate estimates; returns (m,) variances."""
        if self.mse:
            centre = theta_hat
        else:
            centre = theta_rep[self.rscales > 0].mean(axis=0)
        dev = theta_rep - centre
        return self.scale * (self.rscales[:, None] * dev * dev).sum(axis=0)

    def _linear(self, y, dom, n_dom, kind, x=None, rep_sums=None):
        """Estimate, replicate estimates (R, D), SRS variance and n per domain.

        ``rep_sums``: precomputed (R, D, 2) replicate sums of the numerator and the
        denominator (observed indicator for a mean, ``x`` for a ratio).
        """
        w = self.weights
        obs = ~np.isnan(y)
        if x is not None:
            obs &= ~np.isnan(x)
        yz = np.where(obs, y, 0.0)
        wm = np.where(obs, w, 0.0)
        xz = np.where(obs, x, 0.0) if kind == "ratio" else None
        if rep_sums is None:
            cols = [yz] + ([xz] if kind == "ratio" else [obs.astype(float)])
            rep_sums = self._sums(np.column_stack(cols), dom, n_dom)
        Y = np.bincount(dom, weights=w * yz, minlength=n_dom)
        W = np.bincount(dom, weights=wm, minlength=n_dom)
        n_d = np.bincount(dom[obs], minlength=n_dom)
        Yr = rep_sums[:, :, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            if kind == "ratio":
                X = np.bincount(dom, weights=w * xz, minlength=n_dom)
                est = Y / X
                rep = Yr / rep_sums[:, :, 1]
                r = (yz - est[dom] * xz) / X[dom]
                ss = np.bincount(dom, weights=wm * r * r, minlength=n_dom)
                vsrs = estimation._srs_variance(ss, W, n_d) * W**2
            else:
                mean = Y / W
                dev = yz - mean[dom]
                ss = np.bincount(dom, weights=wm * dev * dev, minlength=n_dom)
                vsrs = estimation._srs_variance(ss, W, n_d)
                if kind == "mean":
                    est = mean
                    rep = Yr / rep_sums[:, :, 1]
                else:
                    est = Y
                    rep = Yr
                    vsrs = vsrs * W**2
        return est, rep, vsrs, n_d

    def _batch_sums(self, pairs, kind, dom, n_dom):
        """Replicate sums for every (label, y, x, level) pair in few passes.

        Value columns (numerators, denominators; one shared column of ones for
        complete data) are built group by group (at most ``chunk_bytes`` each, rows
        already in domain order) and each group goes once through the replicate
        weights, so at most two (rows x chunk) buffers are alive.
        """
        n = len(dom)
        makers, index = [], []
        ones = None
        for _, y, x, _ in pairs:
            obs = ~np.isnan(y)
            if x is not None:
                obs &= ~np.isnan(x)
            makers.append(lambda y=y, obs=obs: np.where(obs, y, 0.0))
            i = len(makers) - 1
            if kind == "ratio":
                makers.append(lambda x=x, obs=obs: np.where(obs, x, 0.0))
                index.append((i, i + 1))
            elif obs.all():
                if ones is None:
                    makers.append(lambda: np.ones(n))
                    ones = len(makers) - 1
                index.append((i, ones))
            else:
                makers.append(lambda obs=obs: obs.astype(float))
                index.append((i, i + 1))
        order = np.argsort(dom, kind="stable") if n_dom > 1 and not self._psu_based else None
        per_group = max(1, int(self.chunk_bytes // (8 * max(n, 1))))
        sums = []
        for start in range(0, len(makers), per_group):
            group = makers[start : start + per_group]
            V = np.empty((n, len(group)), order="F")
            for j, make in enumerate(group):
                values = make()
                V[:, j] = values if order is None else values[order]
            sums.append(self._sums(V, dom, n_dom, presorted=order is not None))
            del V
        allsums = np.concatenate(sums, axis=2)
        return [allsums[:, :, [i, j]] for i, j in index]

    @property
    def _psu_based(self) -> bool:
        return isinstance(self._rep, _PsuWeights)

    # -- estimators ----------------------------------------------------------------
    def _estimate(self, pairs, kind, by, confidence, level_of=None):
        z = estimation._normal_quantile(confidence)
        dom, table, n_dom, by = estimation._domains(self, by)
        frames = []
        batch = self._batch_sums(pairs, kind, dom, n_dom)
        for (label, y, x, level), rep_sums in zip(pairs, batch, strict=True):
            est, rep, vsrs, n_d = self._linear(y, dom, n_dom, kind, x, rep_sums)
            estimation._check_domains(n_d, label, table, by)
            var = self._variance(est, rep)
            extra = {"level": level} if level is not None else {}
            frame = estimation._rows(table, est, var, vsrs, n_d, z, **extra)
            frame.insert(0, "variable", label)
            frames.append(frame)
        return estimation._finish(frames, ["variable", "level"])

    def _numeric(self, column):
        return estimation._numeric(self, column)

    def mean(self, variables, by=None, confidence=0.95):
        """Replicate-variance means (see :meth:`Design.mean`)."""
        pairs = [(v, self._numeric(v), None, None) for v in as_list(variables)]
        return self._estimate(pairs, "mean", by, confidence)

    def total(self, variables, by=None, confidence=0.95):
        """Replicate-variance totals."""
        pairs = [(v, self._numeric(v), None, None) for v in as_list(variables)]
        return self._estimate(pairs, "total", by, confidence)

    def proportion(self, variables, by=None, confidence=0.95):
        """Replicate-variance shares of every level of categorical variables."""
        pairs = []
        for var in as_list(variables):
            require_columns(self.data, [var])
            for level, y in estimation.level_indicators(self.data[var]):
                pairs.append((var, y, None, level))
        return self._estimate(pairs, "mean", by, confidence)

    def ratio(self, numerator, denominator, by=None, confidence=0.95):
        """Replicate-variance ratios of totals."""
        nums, dens = as_list(numerator), as_list(denominator)
        if len(dens) == 1:
            dens = dens * len(nums)
        pairs = [
            (f"{a}/{b}", self._numeric(a), self._numeric(b), None)
            for a, b in zip(nums, dens, strict=True)
        ]
        return self._estimate(pairs, "ratio", by, confidence)

    def quantile(
        self,
        variables,
        quantiles=(0.5,),
        by=None,
        confidence=0.95,
        qrule="math",
        interval_type="mean",
    ):
        """Weighted quantiles with Woodruff intervals (replicate SE of the CDF).

        As R's ``svyquantile`` on a replicate design (``interval.type="mean"``,
        t with ``degf`` = rank of the domain's replicate weights - 1); ``qrule`` and
        ``interval_type`` as :meth:`Design.quantile`.
        """
        return estimation.quantiles(
            self, as_list(variables), quantiles, by, confidence, qrule, interval_type
        )

    def _domain_df(self, mask: np.ndarray) -> int:
        return self._rep.rank(mask) - 1

    def _share_se(self, indicator: np.ndarray) -> tuple[float, float]:
        zeros = np.zeros(len(indicator), dtype=np.int64)
        est, rep, _, _ = self._linear(indicator, zeros, 1, "mean")
        return float(est[0]), float(np.sqrt(self._variance(est, rep)[0]))

    def contrast(
        self, variables, by, contrasts=None, estimator="mean", denominator=None, confidence=0.95
    ):
        """Linear contrasts of domain estimates (replicate variance)."""
        z = estimation._normal_quantile(confidence)
        dom, table, n_dom, by = estimation._domains(self, by)
        C, names = estimation._contrast_matrix(table, by, contrasts)
        rows = []
        for var in as_list(variables):
            x = self._numeric(denominator) if estimator == "ratio" else None
            est, rep, _, n_d = self._linear(self._numeric(var), dom, n_dom, estimator, x)
            estimation._check_domains(n_d, var, table, by)
            value = est @ C
            se = np.sqrt(self._variance(value, rep @ C))
            label = estimation._estimate_label(var, estimator, denominator)
            rows += estimation.contrast_rows(label, names, value, se, z)
        return pd.DataFrame(rows)

    # -- weighting every replicate ---------------------------------------------------
    def _reweighted(self, reweight) -> ReplicateDesign:
        new = copy.copy(self)
        with np.errstate(divide="ignore", invalid="ignore"):
            new.weights = reweight(self.weights)
            columns = []
            for start, stop in self._chunks():
                block = self._rep.block(start, stop)
                columns.extend(reweight(block[:, r]) for r in range(block.shape[1]))
            new._rep = _DenseWeights(np.column_stack(columns))
        return new

    def poststratify(self, by, population, partial=False) -> ReplicateDesign:
        """Post-stratify the full-sample and every replicate weight (R: ``postStratify``).

        Examples
        --------
        >>> import pandas as pd
        >>> from omsmethod.sampling import Design
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 5], "g": ["a", "a", "b", "b"], "c": [1, 2, 3, 4]})
        >>> ps = Design(df, psu="c").replicate("JK1").poststratify("g", {"a": 50, "b": 50})
        >>> float(ps.mean("y")["estimate"].iloc[0])
        2.75
        """
        from .weighting import _cell_keys, _check_cells, _drop_absent_cells, _population_table

        by = as_list(by)
        keys = _cell_keys(self.data, by)
        table = _population_table(population, by)
        sample_cells = pd.Series(self.weights).groupby(keys.to_numpy()).sum()
        if partial:
            table = _drop_absent_cells(sample_cells, table, by)
        _check_cells(sample_cells, table, ", ".join(by))
        group, levels = pd.factorize(keys)
        target = table.reindex(levels).to_numpy()

        def reweight(w):
            have = np.bincount(group, weights=w, minlength=len(levels))
            return w * (target / have)[group]

        return self._reweighted(reweight)

    def rake(self, margins, max_iter=100, tol=1e-10, partial=False) -> ReplicateDesign:
        """Rake the full-sample and every replicate weight to the same margins.

        ``partial=True`` drops margin levels without respondents (with a warning).
        """
        from ..errors import ConvergenceError
        from .weighting import _rake_kernel, drop_absent_levels, rake

        if partial:
            margins = drop_absent_levels(self.data, margins, self.weights)
        first = rake(self.data, margins, weights=self.weights, max_iter=max_iter, tol=tol)
        if not first.converged:
            raise ConvergenceError(
                f"raking did not converge in {first.iterations} iterations "
                f"(max relative margin error {first.max_error:.2e})",
                hint="raise max_iter, or collapse sparse levels",
            )
        codes, targets = [], []
        for column, population in margins.items():
            table = pd.Series(dict(population), dtype=float)
            table = table[table > 0]
            codes.append(pd.Index(table.index).get_indexer(self.data[column]))
            targets.append(table.to_numpy())

        def reweight(w):
            return _rake_kernel(codes, targets, w, int(max_iter), float(tol))[0]

        return self._reweighted(reweight)

    def calibrate(
        self,
        margins=None,
        population=None,
        method="linear",
        bounds=None,
        max_iter=100,
        tol=1e-10,
    ) -> ReplicateDesign:
        """Calibrate the full-sample and every replicate weight (R: ``calibrate``)."""
        from .calibration import calibration_weights, model_matrix

        totals = dict(margins or {})
        totals.update(population or {})
        if not totals:
            raise DesignError("calibrate needs population totals")
        X, target, _ = model_matrix(self.data, totals)

        def reweight(w):
            return calibration_weights(X, w, target, method, bounds, max_iter, tol)

        return self._reweighted(reweight)

    def __repr__(self) -> str:
        return (
            f"<ReplicateDesign: {len(self.data)} respondents, {self.n_replicates} "
            f"{self.type} replicates>"
        )

    def _repr_html_(self) -> str:
        return f"<p><b>Replicate design</b> {html.escape(repr(self)[1:-1])}</p>"


def hadamard(order: int) -> np.ndarray:
    """Sylvester Hadamard matrix of the smallest power-of-two order >= ``order``."""
    H = np.ones((1, 1))
    while H.shape[0] < order:
        H = np.block([[H, H], [H, -H]])
    return H


def replicate_design(design, method="JK1", replicates=None, rho=None, seed=None):
    """Replicate weights from a linearisation :class:`Design` (R: ``as.svrepdesign``).

    * ``JK1`` (unstratified): drop one PSU at a time, others scaled by n/(n-1);
      ``scale = (1-f)(n-1)/n``.
    * ``JKn`` (stratified): drop one PSU of stratum h, the rest of h scaled by
      n_h/(n_h-1); ``rscales = (1-f_h)(n_h-1)/n_h``. Single-PSU and census strata
      get no replicate (as R with ``certainty``).
    * ``bootstrap``: within each stratum, draw n_h PSUs with replacement (without
      replacement from the PSUs repeated up to N_h when there is an fpc), weight x
      times drawn; ``scale = n/((n-1)(R-1))`` with n the harmonic mean of n_h
      (R's ``bootweights``); default 50 replicates.
    * ``BRR`` / ``Fay`` (exactly 2 PSUs per stratum): half-samples from a Sylvester
      Hadamard matrix (order: the smallest power of two above the number of strata,
      R may use a smaller order), multipliers 2 and 0 (Fay: 2 - rho and rho);
      ``scale = 1/(R (1-rho)^2)``.
    """
    if design._calibration:
        raise DesignError(
            "replicate weights from a calibrated design are not supported",
            hint="replicate the design before weighting, then call poststratify, rake or "
            "calibrate on the ReplicateDesign (each replicate is re-weighted)",
        )
    w = design.weights
    psu = design._psu
    ps = design._psu_stratum
    n_h = design.n_psu
    f = design._fpc_factor
    psu_by_stratum = [np.flatnonzero(ps == h) for h in range(len(n_h))]
    stratified = design.strata is not None
    if method == "JK1":
        if stratified:
            raise DesignError("JK1 is for unstratified designs", hint="use method='JKn'")
        n = len(ps)
        mult = np.full((n, n), n / (n - 1.0))
        np.fill_diagonal(mult, 0.0)
        rep = _PsuWeights(w, psu, mult)
        return ReplicateDesign(design.data, w, rep, "JK1", scale=f[0] * (n - 1) / n)
    if method == "JKn":
        cols, rscales = [], []
        for h, units in enumerate(psu_by_stratum):
            if len(units) < 2 or f[h] < 1e-7:
                continue
            in_h = ps == h
            for unit in units:
                m = np.where(in_h, len(units) / (len(units) - 1.0), 1.0)
                m[unit] = 0.0
                cols.append(m)
                rscales.append(f[h] * (len(units) - 1) / len(units))
        if len(cols) < 2:
            raise DesignError("JKn needs strata with at least two PSUs")
        rep = _PsuWeights(w, psu, np.column_stack(cols))
        return ReplicateDesign(design.data, w, rep, "JKn", scale=1.0, rscales=rscales)
    if method == "bootstrap":
        n_rep = 50 if replicates is None else int(replicates)
        rng = np.random.default_rng(seed)
        counts = np.zeros((len(ps), n_rep))
        pop = design.population_psu
        for h, units in enumerate(psu_by_stratum):
            k = len(units)
            for r in range(n_rep):
                order = rng.permutation(units)
                if pop is None:
                    drawn = rng.choice(order, size=k, replace=True)
                else:
                    pseudo = np.resize(order, int(round(pop[h])))
                    drawn = rng.choice(pseudo, size=k, replace=False)
                counts[:, r] += np.bincount(drawn, minlength=len(ps))
        nbar = 1.0 / np.mean(1.0 / n_h)
        scale = nbar / ((nbar - 1) * (n_rep - 1))
        rep = _PsuWeights(w, psu, counts)
        return ReplicateDesign(design.data, w, rep, "bootstrap", scale=scale)
    if method in ("BRR", "Fay"):
        rho = 0.0 if method == "BRR" else rho
        if rho is None or not 0 <= rho < 1:
            raise DesignError("Fay replicates need 0 <= rho < 1", value=rho)
        bad = np.flatnonzero(n_h != 2)
        if bad.size:
            raise DesignError(
                f"BRR needs exactly 2 PSUs per stratum; stratum has {n_h[bad[0]]}",
                column=design.strata,
                value=design.strata_levels[bad[0]],
                hint="pair PSUs into pseudo-strata, or use JKn or bootstrap",
            )
        H = hadamard(len(n_h) + 1)
        signs = H[1 : len(n_h) + 1]  # (strata, replicates)
        first = np.zeros(len(ps), dtype=bool)
        first[[units[0] for units in psu_by_stratum]] = True
        plus = signs[ps] > 0  # (PSUs, replicates): first PSU in the half-sample
        mult = np.where(first[:, None] == plus, 2.0 - rho, rho)
        rep = _PsuWeights(w, psu, mult)
        return ReplicateDesign(
            design.data,
            w,
            rep,
            "Fay" if rho else "BRR",
            rho=rho or None,
            scale=1.0 / (H.shape[1] * (1 - rho) ** 2),
        )
    raise DesignError(
        f"unknown replicate method {method!r}",
        value=method,
        hint="use JK1, JKn, bootstrap, BRR or Fay",
    )
