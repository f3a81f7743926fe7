"""Selecting a sample from a frame: simple random, systematic, PPS systematic.

Every method returns a copy of the selected frame rows with the inclusion
probability ``pi`` and the design weight ``weight = 1/pi``.

* ``srs``: simple random sampling without replacement, ``pi = n_h/N_h``.
* ``systematic``: a fractional interval ``k = N_h/n_h`` and a random start in
  ``[0, k)``, in the frame's own order (sort the frame first for implicit
  stratification), ``pi = n_h/N_h``.
* ``pps``: systematic PPS without replacement (Madow 1949) in a *random order* of
  the units: ``pi_i = n size_i / sum(size)``; units with ``pi_i >= 1`` are taken
  with certainty (``pi = 1``) and the others re-solved with the remaining sample
  size until no new certainty unit appears.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import DesignError
from ..validation import require_columns, require_dataframe, require_numeric

__all__ = ["select", "pps_probabilities", "pps_systematic"]

_METHODS = ("srs", "systematic", "pps")


def pps_probabilities(size: np.ndarray, n: int) -> np.ndarray:
    """Inclusion probabilities proportional to size, capped at 1 (certainty units).

    Examples
    --------
    >>> from omsmethod.sampling.selection import pps_probabilities
    >>> pps_probabilities([10, 1, 1, 1, 1], 2).tolist()
    [1.0, 0.25, 0.25, 0.25, 0.25]
    """
    size = np.asarray(size, dtype=float)
    pi = np.zeros(len(size))
    certain = np.zeros(len(size), dtype=bool)
    while True:
        rest = n - certain.sum()
        free = ~certain
        pi[free] = rest * size[free] / size[free].sum()
        new = free & (pi >= 1 - 1e-12)
        if not new.any():
            break
        certain |= new
        pi[certain] = 1.0
    return pi


def pps_systematic(pi: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices selected by systematic PPS in random order, given inclusion probabilities.

    Units with ``pi == 1`` are always taken; the others are put in a random order
    and the points ``u, u+1, ..., u+m-1`` (``u ~ U[0, 1)``) fall in their cumulated
    probabilities, so unit ``i`` is selected with probability ``pi_i``.
    """
    certain = np.flatnonzero(pi >= 1)
    rest = np.flatnonzero(pi < 1)
    m = int(round(pi.sum())) - len(certain)
    if m <= 0:
        return certain
    order = rng.permutation(rest)
    cum = np.cumsum(pi[order])
    pos = _systematic_positions(cum, m, rng.uniform(0, 1))
    return np.concatenate([certain, order[pos]])


def _systematic_positions(cum: np.ndarray, n: int, start: float) -> np.ndarray:
    """Indices where the points ``start + k`` (k = 0..n-1) fall in cumulated sizes."""
    points = start + np.arange(n)
    return np.searchsorted(cum, points, side="right")


def _select_one(frame, n, method, size_col, rng):
    N = len(frame)
    if n > N:
        raise DesignError(
            f"cannot select {n} units from {N}", value=n, hint="lower n or check the allocation"
        )
    if n == 0:
        return frame.iloc[[]].assign(pi=[], weight=[])
    if method == "srs":
        idx = np.sort(rng.choice(N, size=n, replace=False))
        pi = np.full(n, n / N)
    elif method == "systematic":
        k = N / n
        start = rng.uniform(0, k)
        idx = np.floor(start + k * np.arange(n)).astype(np.int64)
        pi = np.full(n, n / N)
    else:
        size = require_numeric(frame, size_col, allow_missing=False)
        bad = ~(size > 0)
        if bad.any():
            i = int(np.argmax(bad))
            raise DesignError(
                "size must be positive", column=size_col, row=frame.index[i], value=size[i]
            )
        pi_all = pps_probabilities(size, n)
        chosen = pps_systematic(pi_all, rng)
        idx = np.sort(chosen)
        pi = pi_all[idx]
    out = frame.iloc[idx].copy()
    out["pi"] = pi
    out["weight"] = 1.0 / pi
    return out


def select(frame, n, method="srs", strata=None, size=None, seed=None):
    """Select a sample from a frame.

    Parameters
    ----------
    frame : DataFrame
        One row per population unit.
    n : int, mapping, Series or DataFrame
        Sample size; per stratum as a mapping/Series {stratum: n_h} or the DataFrame
        returned by :func:`allocate` (its ``n_h`` column and the ``strata`` column).
        An int with ``strata`` is allocated proportionally first.
    method : {"srs", "systematic", "pps"}
    strata : str, optional
        Stratum column; each stratum is sampled independently.
    size : str, optional
        Size measure column (pps).
    seed : int or numpy Generator, optional

    Returns
    -------
    DataFrame
        The selected rows (copies) with ``pi`` and ``weight`` columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from omsmethod.sampling import select
    >>> frame = pd.DataFrame({"id": range(10)})
    >>> s = select(frame, 4, method="systematic", seed=1)
    >>> len(s), float(s["weight"].iloc[0])
    (4, 2.5)
    """
    frame = require_dataframe(frame, "frame")
    if method not in _METHODS:
        raise DesignError(
            f"unknown selection method {method!r}",
            value=method,
            hint=f"use one of {', '.join(_METHODS)}",
        )
    if method == "pps":
        if size is None:
            raise DesignError("pps selection needs size= (a column of size measures)")
        require_columns(frame, [size], what="frame")
    rng = np.random.default_rng(seed)
    if strata is None:
        if not isinstance(n, (int, np.integer)):
            raise DesignError("n must be an int without strata", value=n)
        return _select_one(frame, int(n), method, size, rng)
    require_columns(frame, [strata], what="frame")
    counts = frame[strata].value_counts(sort=False)
    if frame[strata].isna().any():
        row = frame.index[int(np.argmax(frame[strata].isna().to_numpy()))]
        raise DesignError("stratum is missing", column=strata, row=row)
    if isinstance(n, pd.DataFrame):
        require_columns(n, [strata, "n_h"], what="allocation")
        n = dict(zip(n[strata], n["n_h"], strict=True))
    elif isinstance(n, (int, np.integer)):
        from .allocation import allocate

        table = pd.DataFrame({"stratum": counts.index, "N": counts.to_numpy()})
        n = dict(zip(table["stratum"], allocate(table, int(n), min_n=1)["n_h"], strict=True))
    elif not isinstance(n, (Mapping, pd.Series)):
        raise DesignError(f"n must be an int, mapping or Series, got {type(n).__name__}")
    n = dict(n)
    unknown = [h for h in n if h not in counts.index]
    if unknown:
        raise DesignError(
            "allocation names a stratum not in the frame", column=strata, value=unknown[0]
        )
    parts = []
    for h in sorted(counts.index, key=str):
        if h not in n:
            raise DesignError(
                "stratum has no sample size",
                column=strata,
                value=h,
                hint="give n for every stratum",
            )
        parts.append(_select_one(frame[frame[strata] == h], int(n[h]), method, size, rng))
    return pd.concat(parts)
