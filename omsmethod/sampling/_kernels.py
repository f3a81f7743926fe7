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

__all__ = [
    "QRULES",
    "cell_sums",
    "dense_codes",
    "psu_variance",
    "quantile_rule",
    "weighted_quantile",
]

QRULES = ("math", "school", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9")

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


def _cumsum(w: np.ndarray) -> np.ndarray:
    """Cumulative sums accumulated in extended precision, as R's ``cumsum``."""
    return np.cumsum(w.astype(np.longdouble)).astype(float)


def _qs(x: np.ndarray, w: np.ndarray, p: float):
    """Bracketing positions of the weighted CDF at ``p`` (R survey's ``qs``).

    Returns (pos, next, wlow, wup, exact): ``pos`` is the last sorted value whose
    cumulative weight is <= ``p`` times the total (the first if none), ``exact``
    whether the cumulative share equals ``p``. The arithmetic follows R (extended
    precision sums, then double), so exact ties (equal weights, p = k/n) fall on
    the same side as in R.
    """
    cum = _cumsum(w)
    total = float(np.sum(w.astype(np.longdouble)))
    below = np.flatnonzero(cum <= p * total)
    # as R's qs(): with no cumulative share <= p the "lower" position is the first
    # value, so the rule returns the second one (R survey 4.1.1 behaviour)
    pos = int(below[-1]) if below.size else 0
    nxt = min(pos + 1, len(x) - 1)
    wlow = p - cum[pos] / total
    wup = cum[nxt] / total - p
    return pos, nxt, wlow, wup, wlow == 0


def quantile_rule(x: np.ndarray, w: np.ndarray, p: float, rule: str = "math") -> float:
    """Weighted quantile by one of R survey's ``qrule`` definitions.

    ``x`` sorted, ``w`` aligned with it (positive). With ``q_lo``/``q_up`` the values
    bracketing ``p`` on the weighted CDF (R's ``qs``):

    * ``math`` = ``hf1``: inverse of the weighted CDF (``q_lo`` when the CDF hits
      ``p`` exactly, else ``q_up``);
    * ``school`` = ``hf2``: as ``math`` but the midpoint of ``q_lo`` and ``q_up`` when the
      CDF hits ``p`` exactly;
    * ``hf3``: on the distinct values, ``q_lo`` only if hit exactly at an even position;
    * ``hf4``: linear between ``q_lo`` and ``q_up`` in the CDF;
    * ``hf5`` ... ``hf9``: linear interpolation of the sorted values at plotting
      positions :math:`p_k` built from the cumulative weights :math:`C_k` (``hf5``
      :math:`(C_k - w_k/2)/C_n`, ``hf6`` :math:`C_k/(C_n + w_n)`, ``hf7``
      :math:`C_{k-1}/C_{n-1}`, ``hf8`` :math:`(C_{k-1}/3 + 2C_k/3)/(C_n + w_n/3)`,
      ``hf9`` :math:`(3C_{k-1}/8 + 5C_k/8)/(C_n + w_n/4)`), constant beyond the ends.

    These are the weighted Hyndman-Fan (1996) types of R survey 4.1.1.
    """
    if rule in ("math", "hf1", "school", "hf2", "hf4"):
        pos, nxt, wlow, wup, exact = _qs(x, w, p)
        if rule in ("math", "hf1"):
            return float(x[pos] if exact else x[nxt])
        if rule in ("school", "hf2"):
            return float((x[pos] + x[nxt]) / 2 if exact else x[nxt])
        gamma = wlow / (wup + wlow)
        return float(x[pos] * (1 - gamma) + x[nxt] * gamma)
    if rule == "hf3":
        ux, inverse = np.unique(x, return_inverse=True)
        uw = np.bincount(inverse, weights=w)
        pos, nxt, _, _, exact = _qs(ux, uw, p)
        return float(ux[pos] if exact and (pos + 1) % 2 == 0 else ux[nxt])
    cum = _cumsum(w)
    before = np.concatenate(([0.0], cum[:-1]))
    if rule == "hf5":
        pk = (cum - w / 2) / cum[-1]
    elif rule == "hf6":
        pk = cum / (cum[-1] + w[-1])
    elif rule == "hf7":
        pk = before / cum[-2] if len(cum) > 1 else np.zeros(1)
    elif rule == "hf8":
        pk = (before / 3 + cum * 2 / 3) / (cum[-1] + w[-1] / 3)
    elif rule == "hf9":
        pk = (before * 3 / 8 + cum * 5 / 8) / (cum[-1] + w[-1] / 4)
    else:
        raise ValueError(f"unknown qrule {rule!r}")
    return float(np.interp(p, pk, x))


def weighted_quantile(x: np.ndarray, w: np.ndarray, p: float) -> float:
    """Inverse of the weighted empirical CDF (R survey's ``qrule_math``).

    The smallest sorted value whose cumulative weight share reaches ``p``.
    ``x`` must be sorted and ``w`` aligned with it (positive weights).
    """
    return quantile_rule(x, w, p, "math")
