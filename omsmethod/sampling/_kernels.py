"""Pure numpy kernels for design-based variances.

Everything here works on arrays only: no pandas, no validation. The callers in
:mod:`omsmethod.sampling.estimation` build the inputs.

The estimators reduce to *PSU totals of linearised influence values*: for a column
``j`` of influence values :math:`z_{ij}` the Taylor variance of a stratified
cluster design (first stage, "ultimate cluster") is

.. math::

    \\hat V_j = \\sum_h (1 - f_h) \\frac{n_h}{n_h - 1}
                \\sum_{c \\in h} (z_{hcj} - \\bar z_{hj})^2

with :math:`z_{hcj}` the total of the influence values in PSU ``c`` of stratum ``h``,
:math:`n_h` the number of PSUs sampled in stratum ``h`` and :math:`f_h = n_h/N_h`
(0 without a finite population correction). This is R survey's ``svyrecvar``
(``onestrat``/``onestage``) with ``survey.ultimate.cluster = TRUE``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cell_sums", "dense_codes", "psu_variance", "weighted_quantile"]

LONELY_OPTIONS = ("raise", "certainty", "adjust", "average")


def cell_sums(values: np.ndarray, code: np.ndarray, n_cells: int) -> np.ndarray:
    """Sum ``values`` (1-D) over integer cell codes ``0..n_cells-1``."""
    return np.bincount(code, weights=values, minlength=n_cells)


def dense_codes(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(key, return_inverse=True)`` for non-negative integer keys, in O(n).

    Uses a presence table when the key range is small (at most 4 n), else sorts.
    """
    key = np.asarray(key, dtype=np.int64)
    if key.size == 0:
        return key.copy(), key.copy()
    top = int(key.max()) + 1
    if top > 4 * key.size + 1024:
        uniq, inverse = np.unique(key, return_inverse=True)
        return uniq, inverse.astype(np.int64)
    present = np.zeros(top, dtype=bool)
    present[key] = True
    uniq = np.flatnonzero(present)
    rank = np.cumsum(present) - 1
    return uniq, rank[key]


def psu_variance(
    totals: np.ndarray,
    psu_stratum: np.ndarray,
    n_psu: np.ndarray,
    fpc_factor: np.ndarray,
    lonely: str = "raise",
    present: np.ndarray | None = None,
) -> np.ndarray:
    """Variance of each column from PSU totals of influence values.

    Parameters
    ----------
    totals : ndarray, shape (P, m)
        PSU totals of the influence values, PSUs ordered by stratum.
    psu_stratum : ndarray of int, shape (P,)
        Stratum index (0..H-1, non-decreasing) of each PSU.
    n_psu : ndarray of int, shape (H,)
        Number of sampled PSUs in each stratum (all of them, not only a domain's).
    fpc_factor : ndarray, shape (H,)
        ``1 - n_h/N_h`` (1 without finite population correction).
    lonely : {"raise", "certainty", "adjust", "average"}
        Treatment of strata with a single PSU, as R's ``survey.lonely.psu``:
        ``certainty`` adds nothing, ``adjust`` adds the squared (uncentred) PSU total,
        ``average`` leaves the stratum out and scales the sum by H / (H - lonely).
        ``raise`` is checked by the caller; here it behaves like ``certainty``.
    present : ndarray of bool, shape (H, m), optional
        Whether each stratum has rows contributing to each column (a domain or a
        variable with missing values). Only ``average`` uses it: as R, which drops
        the rows outside the domain, it counts only the strata present.

    Returns
    -------
    ndarray, shape (m,)
    """
    totals = np.asarray(totals, dtype=float)
    if totals.ndim == 1:
        totals = totals[:, None]
    n_psu = np.asarray(n_psu)
    starts = np.concatenate(([0], np.cumsum(n_psu)[:-1]))
    sums = np.add.reduceat(totals, starts, axis=0)
    means = sums / n_psu[:, None]
    centred = totals - means[psu_stratum]
    ss = np.add.reduceat(centred * centred, starts, axis=0)
    several = n_psu > 1
    scale = np.where(several, fpc_factor * n_psu / np.maximum(n_psu - 1, 1), fpc_factor)
    contrib = ss * scale[:, None]
    census = fpc_factor < 1e-7
    lone = (~several) & (~census)
    contrib[census] = 0.0
    if lone.any():
        if lonely == "adjust":
            raw = np.add.reduceat(totals * totals, starts, axis=0)
            contrib[lone] = raw[lone] * fpc_factor[lone][:, None]
        else:
            contrib[lone] = 0.0
    var = contrib.sum(axis=0)
    if lonely == "average" and lone.any():
        if present is None:
            present = np.ones((len(n_psu), totals.shape[1]), dtype=bool)
        n_strata = present.sum(axis=0)
        n_ok = n_strata - (present & lone[:, None]).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            var = np.where(n_ok > 0, var * n_strata / n_ok, np.nan)
    return var


def weighted_quantile(x: np.ndarray, w: np.ndarray, p: float) -> float:
    """Inverse of the weighted empirical CDF (R survey's ``qrule_math``).

    The smallest sorted value whose cumulative weight share reaches ``p``.
    ``x`` must be sorted and ``w`` aligned with it (positive weights).
    """
    cum = np.cumsum(w)
    total = cum[-1]
    # R accumulates in long double; a relative tolerance gives the exact-arithmetic
    # answer when the cumulative share hits p exactly (equal weights, p = k/n)
    eps = 1e-10
    below = np.flatnonzero(cum <= p * total * (1 + eps))
    # as R's qs(): with no cumulative share <= p the "lower" position is the first
    # value, so the rule returns the second one (R survey 4.1.1 behaviour)
    pos = below[-1] if below.size else 0
    if abs(p - cum[pos] / total) <= eps * max(p, 1e-300):
        return float(x[pos])
    return float(x[min(pos + 1, len(x) - 1)])
