"""Weighting: post-stratification, raking, trimming and weight diagnostics.

All functions return *new* weights (a Series on the data's index) and leave their
inputs untouched; :class:`~omsmethod.sampling.Design` accepts the result as
``weights=``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from ..errors import DesignError
from ..validation import as_list, require_columns, require_dataframe

__all__ = [
    "poststratify",
    "rake",
    "trim_weights",
    "RakeResult",
    "effective_sample_size",
    "weighting_deff",
    "achieved_margin_of_error",
    "drop_absent_levels",
]


def _base_weights(data: pd.DataFrame, weights) -> np.ndarray:
    from .design import _weights_array

    w = _weights_array(data, weights)
    return np.ones(len(data)) if w is None else w


def _population_table(population, by: list[str]) -> pd.Series:
    """Population counts as a Series indexed by the ``by`` level(s)."""
    if isinstance(population, pd.DataFrame):
        require_columns(population, by, what="population")
        counts = [c for c in population.columns if c not in by]
        if len(counts) != 1:
            raise DesignError(
                "population table needs the by column(s) and exactly one count column",
                hint="e.g. DataFrame({'region': [...], 'N': [...]})",
            )
        index = population[by[0]] if len(by) == 1 else pd.MultiIndex.from_frame(population[by])
        table = pd.Series(population[counts[0]].to_numpy(dtype=float), index=index)
    elif isinstance(population, Mapping):
        table = pd.Series(dict(population), dtype=float)
    elif isinstance(population, pd.Series):
        table = population.astype(float)
    else:
        raise DesignError(
            f"population must be a mapping, Series or DataFrame, got {type(population).__name__}"
        )
    if table.index.has_duplicates:
        raise DesignError(
            "population table repeats a level", value=table.index[table.index.duplicated()][0]
        )
    bad = ~(table >= 0)
    if bad.any():
        raise DesignError(
            "population count must be >= 0",
            value=table.index[bad.to_numpy()][0],
            hint="fix the population table",
        )
    return table


def _cell_keys(data: pd.DataFrame, by: list[str]):
    require_columns(data, by)
    for col in by:
        miss = data[col].isna().to_numpy()
        if miss.any():
            raise DesignError(
                "weighting variable is missing",
                column=col,
                row=data.index[int(np.argmax(miss))],
                hint="impute or give the row a level before weighting",
            )
    if len(by) == 1:
        return pd.Index(data[by[0]])
    return pd.MultiIndex.from_frame(data[by])


def poststratify(data, by, population, weights=None, partial=False) -> pd.Series:
    """Post-stratified weights: each cell's weights scaled to its population count.

    Parameters
    ----------
    data : DataFrame
    by : str or list of str
        Post-stratification column(s).
    population : mapping, Series or DataFrame
        Population count per cell (a DataFrame: the ``by`` columns and one count column).
    weights : str, Series or array, optional
        Starting weights (default 1).
    partial : bool
        Drop population cells without respondents (with a warning) instead of
        raising, like R's ``postStratify(partial=TRUE)``.

    Returns
    -------
    Series
        New weights ``w_i * N_g / sum_{j in g} w_j``, named ``"weight"``.

    References
    ----------
    R survey ``postStratify()``.

    Examples
    --------
    >>> import pandas as pd
    >>> from omsmethod.sampling import poststratify
    >>> df = pd.DataFrame({"sex": ["f", "f", "m"]})
    >>> poststratify(df, "sex", {"f": 60, "m": 40}).tolist()
    [30.0, 30.0, 40.0]
    """
    data = require_dataframe(data)
    by = as_list(by)
    w = _base_weights(data, weights)
    keys = _cell_keys(data, by)
    table = _population_table(population, by)
    sample_cells = pd.Series(w).groupby(keys.to_numpy() if len(by) == 1 else keys).sum()
    if partial:
        table = _drop_absent_cells(sample_cells, table, by)
    _check_cells(sample_cells, table, ", ".join(by))
    target = table.reindex(keys).to_numpy()
    have = sample_cells.reindex(keys).to_numpy()
    return pd.Series(w * target / have, index=data.index, name="weight")


def _check_cells(sample_cells: pd.Series, table: pd.Series, column: str) -> None:
    missing = sample_cells.index.difference(table.index)
    if len(missing):
        raise DesignError(
            "sample level has no population count",
            column=column,
            value=missing[0],
            hint="add the level to the population table",
        )
    empty = _absent_levels(sample_cells, table)
    if empty:
        raise DesignError(
            f"population level {empty[0]!r} has no respondents, so it cannot be weighted up",
            column=column,
            value=empty[0],
            hint="collapse it with a neighbouring level, or pass partial=True to drop its "
            "population (the weights then represent the population without it)",
        )


def _drop_absent_cells(sample_cells: pd.Series, table: pd.Series, by: list) -> pd.Series:
    """Post-stratification cells without respondents dropped from ``table``, with a
    :class:`UserWarning` naming them and their population (``partial=True``)."""
    absent = _absent_levels(sample_cells, table)
    if not absent:
        return table
    import warnings

    warnings.warn(
        f"partial=True: no respondents in {', '.join(map(repr, absent))} of "
        f"{', '.join(by)}; their population ({table[absent].sum():g}) is dropped",
        UserWarning,
        stacklevel=3,  # the caller of poststratify
    )
    return table.drop(absent)


def _absent_levels(sample_cells: pd.Series, table: pd.Series) -> list:
    """Population levels with a positive count but no respondents."""
    return [lv for lv in table.index.difference(sample_cells.index) if table[lv] > 0]


def drop_absent_levels(data, margins, weights=None) -> dict:
    """Margins without the levels that have no respondents (``partial=True``).

    Each dropped level's population is removed and a :class:`UserWarning` names it.
    For several margins (raking) every margin is then scaled to the smallest
    remaining total, so the margins still describe one population (as R's
    ``postStratify(partial=TRUE)``, the weights represent the population of the
    levels present).
    """
    import warnings

    w = _base_weights(data, weights)
    out, dropped = {}, []
    for column, population in margins.items():
        keys = _cell_keys(data, [column])
        table = _population_table(population, [column])
        sample_cells = pd.Series(w).groupby(keys.to_numpy()).sum()
        absent = _absent_levels(sample_cells, table)
        for level in absent:
            dropped.append(f"{column}={level!r} ({table[level]:g})")
        out[column] = table.drop(absent)
    if dropped:
        totals = {c: float(t.sum()) for c, t in out.items()}
        common = min(totals.values())
        out = {c: t * (common / totals[c]) if totals[c] > 0 else t for c, t in out.items()}
        warnings.warn(
            "partial=True: no respondents in " + ", ".join(dropped) + "; their population "
            f"is dropped and the margins are weighted to a total of {common:g}",
            UserWarning,
            stacklevel=3,
        )
    return {c: t.to_dict() for c, t in out.items()}


@dataclass
class RakeResult:
    """Raked weights and how the iterative proportional fitting went.

    Attributes
    ----------
    weights : Series
        The raked weights (on the data's index).
    iterations : int
        Full sweeps over the margins.
    converged : bool
        Whether the largest relative margin error fell below ``tol``.
    max_error : float
        Largest relative difference between a weighted margin and its target.
    """

    weights: pd.Series
    iterations: int
    converged: bool
    max_error: float
    margins: list = field(default_factory=list)

    def _repr_html_(self) -> str:
        state = "converged" if self.converged else "NOT converged"
        return (
            f"<p>Raking {state} after {self.iterations} iterations "
            f"(max relative margin error {self.max_error:.2e}); "
            f"{len(self.weights)} weights, sum {self.weights.sum():.6g}.</p>"
        )


def _rake_kernel(codes, targets, w, max_iter, tol):
    """Iterative proportional fitting over integer-coded margins (pure numpy)."""
    w = w.copy()
    err = np.inf
    for it in range(1, max_iter + 1):
        for c, t in zip(codes, targets, strict=True):
            have = np.bincount(c, weights=w, minlength=len(t))
            w *= (t / have)[c]
        err = max(
            float(np.max(np.abs(np.bincount(c, weights=w, minlength=len(t)) - t) / t))
            for c, t in zip(codes, targets, strict=True)
        )
        if err < tol:
            return w, it, True, err
    return w, max_iter, False, err


def rake(data, margins, weights=None, max_iter=100, tol=1e-10, partial=False) -> RakeResult:
    """Rake weights to population margins (iterative proportional fitting).

    Parameters
    ----------
    data : DataFrame
    margins : mapping {column: population counts}
        Population counts per level of each raking variable (mapping or Series).
    weights : optional
        Starting weights (default 1).
    max_iter : int
        Most sweeps over all margins.
    tol : float
        Convergence when every weighted margin is within ``tol`` (relative) of its
        target.
    partial : bool
        Drop margin levels that have no respondents (with a warning) instead of
        raising; see :func:`drop_absent_levels`.

    Returns
    -------
    RakeResult
        ``weights``, ``iterations``, ``converged``, ``max_error``.

    Raises
    ------
    DesignError
        Margins with different totals, a sample level missing from a margin, or a
        level with a positive population count but no respondents.

    References
    ----------
    Deming and Stephan (1940); R survey ``rake()``.

    Examples
    --------
    >>> import pandas as pd
    >>> from omsmethod.sampling import rake
    >>> df = pd.DataFrame({"sex": ["f", "f", "m", "m"], "age": ["y", "o", "y", "o"]})
    >>> r = rake(df, {"sex": {"f": 50, "m": 50}, "age": {"y": 30, "o": 70}})
    >>> r.converged, r.weights.round(2).tolist()
    (True, [15.0, 35.0, 15.0, 35.0])
    """
    data = require_dataframe(data)
    if not isinstance(margins, Mapping) or not margins:
        raise DesignError(
            "margins must be a mapping {column: population counts}",
            hint="e.g. {'sex': {'f': 520, 'm': 480}}",
        )
    if partial:
        margins = drop_absent_levels(data, margins, weights)
    w = _base_weights(data, weights)
    codes, targets, sums = [], [], []
    for column, population in margins.items():
        keys = _cell_keys(data, [column])
        table = _population_table(population, [column])
        sample_cells = pd.Series(w).groupby(keys.to_numpy()).sum()
        _check_cells(sample_cells, table, column)
        table = table[table > 0]
        codes.append(pd.Index(table.index).get_indexer(keys))
        targets.append(table.to_numpy())
        sums.append((column, float(table.sum())))
    ref = sums[0][1]
    for column, total in sums[1:]:
        if abs(total - ref) > 1e-9 * max(abs(ref), 1.0):
            raise DesignError(
                f"margin totals disagree: {sums[0][0]!r} sums to {ref:g}, {column!r} to {total:g}",
                column=column,
                value=total,
                hint="every margin must describe the same population",
            )
    new, iterations, converged, err = _rake_kernel(codes, targets, w, int(max_iter), float(tol))
    return RakeResult(
        pd.Series(new, index=data.index, name="weight"), iterations, converged, err, list(margins)
    )


def trim_weights(weights, lower=None, upper=None, max_iter=50) -> pd.Series:
    """Trim weights to ``[lower, upper]``, spreading the trimmed amount over the others.

    The weight sum is kept (like R survey's ``trimWeights(strict=TRUE)``): weights
    above ``upper`` are set to ``upper`` and the excess is shared in proportion to the
    untrimmed weights, repeating until no weight is outside the bounds.

    Examples
    --------
    >>> import pandas as pd
    >>> from omsmethod.sampling import trim_weights
    >>> trim_weights(pd.Series([1.0, 1.0, 1.0, 9.0]), upper=4).round(3).tolist()
    [2.667, 2.667, 2.667, 4.0]
    """
    series = weights if isinstance(weights, pd.Series) else pd.Series(np.asarray(weights, float))
    w = series.to_numpy(dtype=float).copy()
    if np.isnan(w).any() or (w <= 0).any():
        i = int(np.argmax(np.isnan(w) | (w <= 0)))
        raise DesignError("weights must be positive", row=series.index[i], value=float(w[i]))
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    total = w.sum()
    if lo > hi or lo * len(w) > total or hi * len(w) < total:
        raise DesignError(
            f"bounds [{lo:g}, {hi:g}] cannot keep the weight sum {total:g}", hint="widen the bounds"
        )
    fixed = np.zeros(len(w), dtype=bool)
    for _ in range(max_iter):
        out = (w > hi * (1 + 1e-12)) | (w < lo * (1 - 1e-12))
        if not out.any():
            break
        w = np.clip(w, lo, hi)
        fixed |= out
        free = ~fixed
        w[free] *= (total - w[fixed].sum()) / w[free].sum()
    return pd.Series(w, index=series.index, name="weight")


def effective_sample_size(weights) -> float:
    """Kish's effective sample size, :math:`(\\sum w)^2 / \\sum w^2`.

    Examples
    --------
    >>> from omsmethod.sampling import effective_sample_size
    >>> effective_sample_size([1, 1, 2, 2])
    3.6
    """
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w * w).sum())


def weighting_deff(weights) -> float:
    """Kish design effect of unequal weighting, :math:`1 + CV^2 = n \\sum w^2 / (\\sum w)^2`.

    Examples
    --------
    >>> from omsmethod.sampling import weighting_deff
    >>> round(weighting_deff([1, 1, 2, 2]), 4)
    1.1111
    """
    w = np.asarray(weights, dtype=float)
    return float(len(w) * (w * w).sum() / w.sum() ** 2)


def achieved_margin_of_error(data, weights=None, by=None, p=0.5, confidence=0.95):
    """Margin of error a proportion ``p`` achieves per domain, given the weights.

    ``moe = z * sqrt(p (1 - p) / n_eff)`` with Kish's effective sample size of the
    domain's weights (design effect of weighting only, no clustering).

    Returns
    -------
    DataFrame
        The ``by`` columns, ``n``, ``n_eff``, ``deff_weighting``, ``moe``.

    Examples
    --------
    >>> import pandas as pd
    >>> from omsmethod.sampling import achieved_margin_of_error
    >>> df = pd.DataFrame({"g": ["a"] * 100 + ["b"] * 400})
    >>> achieved_margin_of_error(df, by="g")["moe"].round(4).tolist()
    [0.098, 0.049]
    """
    data = require_dataframe(data)
    w = _base_weights(data, weights)
    by = as_list(by)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    frame = pd.DataFrame({"w": w})
    if by:
        require_columns(data, by)
        groups = frame.groupby([data[c].to_numpy() for c in by])["w"]
        rows = [(*(k if isinstance(k, tuple) else (k,)), g.to_numpy()) for k, g in groups]
    else:
        rows = [(w,)]
    out = []
    for row in rows:
        ww = row[-1]
        n_eff = effective_sample_size(ww)
        out.append(
            (*row[:-1], len(ww), n_eff, weighting_deff(ww), z * np.sqrt(p * (1 - p) / n_eff))
        )
    return pd.DataFrame(out, columns=[*by, "n", "n_eff", "deff_weighting", "moe"])
