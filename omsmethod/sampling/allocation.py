"""Allocation of a total sample size to strata.

The real-valued shares are proportional to ``N_h`` (proportional), 1 (equal),
``N_h S_h`` (Neyman) or ``N_h S_h / sqrt(c_h)`` (optimal for cost, Cochran 1977,
§5.5). Strata whose share exceeds ``N_h`` are fixed at ``N_h`` and strata below the
minimum are fixed at the minimum, then the rest is re-allocated until no bound is
violated (equivalently: one scalar multiplier for all free strata, found by
bisection). Integers come from largest-remainder rounding, which keeps the sum at
``n`` and never leaves the bounds (``floor <= share <= ceil`` and both bounds are
integers).
"""

from __future__ import annotations

import numpy as np

from ..errors import DesignError
from ..validation import require_columns, require_dataframe, require_numeric

__all__ = ["allocate"]

_METHODS = ("proportional", "equal", "neyman", "optimal")


def _shares(size, n, lower, upper):
    """Real allocation ``clip(lam * size, lower, upper)`` summing to ``n``.

    This is the fixed point of "fix the strata at their cap or floor and
    re-allocate the rest": one scalar ``lam`` (found by bisection; the sum is
    monotone in it) serves all the strata left free. Sizes are scaled to a maximum
    of 1 and strata below 1e-12 of the largest (e.g. S_h = 0) get 1e-12, so they
    only receive more than their floor once every other stratum is capped.
    """
    top = size.max()
    size = size / top if top > 0 else np.ones_like(size)
    size = np.maximum(size, 1e-12)  # zero (or negligible) strata: last to grow

    def total(lam):
        return np.clip(lam * size, lower, upper).sum()

    lo, hi = 0.0, 1.0
    while total(hi) < n:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if total(mid) < n:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return np.clip(hi * size, lower, upper)


def _round(share, n):
    """Largest-remainder rounding of non-negative shares summing to the integer n."""
    base = np.floor(share + 1e-9)
    left = int(round(n - base.sum()))
    if left > 0:
        order = np.argsort(-(share - base), kind="stable")
        base[order[:left]] += 1
    return base.astype(np.int64)


def allocate(strata, n, method="proportional", N="N", S=None, cost=None, min_n=2):
    """Allocate ``n`` sample units to strata.

    Parameters
    ----------
    strata : DataFrame
        One row per stratum.
    n : int
        Total sample size.
    method : {"proportional", "equal", "neyman", "optimal"}
    N : str
        Column of stratum population sizes.
    S : str, optional
        Column of stratum standard deviations (neyman, optimal).
    cost : str, optional
        Column of per-unit costs (optimal).
    min_n : int
        Smallest sample per stratum (a stratum smaller than ``min_n`` is taken whole).

    Returns
    -------
    DataFrame
        A copy of ``strata`` with integer ``n_h`` summing to ``n``.

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.5 (optimum and Neyman
    allocation).

    Examples
    --------
    >>> import pandas as pd
    >>> from omsmethod.sampling import allocate
    >>> st = pd.DataFrame({"stratum": ["a", "b", "c"], "N": [500, 300, 200]})
    >>> allocate(st, 100)["n_h"].tolist()
    [50, 30, 20]
    """
    strata = require_dataframe(strata, "strata")
    if method not in _METHODS:
        raise DesignError(
            f"unknown allocation method {method!r}",
            value=method,
            hint=f"use one of {', '.join(_METHODS)}",
        )
    require_columns(strata, [N], what="strata")
    pop = require_numeric(strata, N, allow_missing=False)
    if (pop < 1).any() or (pop != np.round(pop)).any():
        i = int(np.argmax((pop < 1) | (pop != np.round(pop))))
        raise DesignError(
            "stratum population size must be a whole number >= 1",
            column=N,
            row=strata.index[i],
            value=pop[i],
        )
    if method in ("neyman", "optimal"):
        if S is None:
            raise DesignError(f"{method} allocation needs S= (column of stratum SDs)")
        require_columns(strata, [S], what="strata")
        sd = require_numeric(strata, S, allow_missing=False)
        if (sd < 0).any():
            i = int(np.argmax(sd < 0))
            raise DesignError(
                "standard deviation must be >= 0", column=S, row=strata.index[i], value=sd[i]
            )
    if method == "optimal":
        if cost is None:
            raise DesignError("optimal allocation needs cost= (column of unit costs)")
        require_columns(strata, [cost], what="strata")
        c = require_numeric(strata, cost, allow_missing=False)
        if (c <= 0).any():
            i = int(np.argmax(c <= 0))
            raise DesignError("cost must be > 0", column=cost, row=strata.index[i], value=c[i])
    size = {
        "proportional": lambda: pop,
        "equal": lambda: np.ones(len(pop)),
        "neyman": lambda: pop * sd,
        "optimal": lambda: pop * sd / np.sqrt(c),
    }[method]()
    if int(n) != n or n < 1:
        raise DesignError("n must be a positive whole number", value=n)
    n = int(n)
    lower = np.minimum(float(min_n), pop)
    if n > pop.sum():
        raise DesignError(
            f"n={n} is more than the population ({pop.sum():g})",
            value=n,
            hint="lower n or add strata",
        )
    if n < lower.sum():
        raise DesignError(
            f"n={n} cannot give every one of {len(pop)} strata at least min_n={min_n}",
            value=n,
            hint=f"raise n to {int(lower.sum())} or lower min_n",
        )
    share = _shares(size.astype(float), float(n), lower, pop)
    out = strata.copy()
    out["n_h"] = _round(share, n)
    return out
