"""Vectorised PLS bootstrap and the interval/p-value summaries of replicates.

Each resample is summarised by its count vector (how often each respondent is drawn,
times the survey weight); the correlation matrices of all resamples come from one
matrix product (a block of resamples at a time), and the PLS iterations run batched
over resamples. For batches of 500 resamples or more BLAS is limited to one thread
around the many small batched products (threads only slow them down).

Intervals: percentile (R ``quantile`` type 7, as seminr) and BCa (Efron 1987) with the
acceleration from the leave-one-out jackknife (computed batched as well) and the end
points interpolated as R ``boot.ci`` does (``norm.inter``); ``p`` is two-sided from
``t = estimate / bootstrap SE`` on n − 1 degrees of freedom, as seminr and SmartPLS.
Resamples whose PLS iterations do not converge are dropped and counted
(``n_failed``), never silently averaged in.
"""

from __future__ import annotations

import contextlib

import numpy as np

from ..distributions import norm_cdf, norm_ppf, t_sf
from . import measures, pls

__all__ = ["counts", "draw_correlations", "replicate", "summarise"]

_CHUNK = 500
_COUNT_BLOCK = 2**21  # counts per block of draw_correlations (16 MB of float64)


def counts(n: int, n_boot: int, rng=None, indices=None) -> np.ndarray:
    """Resample count matrix ``(B, n)`` from a Generator or from given 0-based ``indices``."""
    if indices is None:
        indices = rng.integers(0, n, size=(n_boot, n))
        flat = indices  # our own array: offset it in place (no second B × n copy)
    else:
        flat = np.array(indices, dtype=np.intp)
    b = flat.shape[0]
    flat += (np.arange(b) * n)[:, None]
    return np.bincount(flat.ravel(), minlength=b * n).reshape(b, n).astype(float)


def _limits():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


def replicate(corr: np.ndarray, st: pls.Structure, block: np.ndarray) -> dict:
    """PLS estimates for a batch of correlation matrices (chunked, BLAS single-threaded)."""
    out: dict[str, list] = {}
    k = st.item_mask.shape[1]
    # threadpoolctl's first call scans every loaded library (~10 ms): only worth it for
    # large batches; a few hundred resamples take less than that
    with _limits() if corr.shape[0] >= _CHUNK else contextlib.nullcontext():
        for start in range(0, corr.shape[0], _CHUNK):
            r = corr[start : start + _CHUNK]
            w, _, conv = pls.outer_weights(r, st)
            est = pls.estimates(r, w, st)
            parts = {
                "weights": w,
                "loadings": est["loadings"],
                "paths": est["paths"],
                "r2": est["r2"],
                "total": pls.total_effects(est["paths"]),
                "htmt": measures.htmt(r, block, k),
                "converged": conv,
            }
            for key, value in parts.items():
                out.setdefault(key, []).append(value)
    return {key: np.concatenate(v) for key, v in out.items()}


def draw_correlations(x: np.ndarray, weights, n_boot: int, rng) -> np.ndarray:
    """Correlation matrices of ``n_boot`` resamples of the rows of ``x`` drawn from ``rng``.

    The numbers of ``bootstrap_correlations(x, weights, counts(n, n_boot, rng))`` (the
    same draws), with the count matrix built and multiplied a block of resamples at a
    time in one reused buffer instead of three B × n arrays.
    """
    n, p = x.shape
    indices = rng.integers(0, n, size=(n_boot, n))
    rhs, iu = pls.moment_columns(x, weights)
    sums = np.empty((n_boot, rhs.shape[1]))
    step = max(1, min(n_boot, _COUNT_BLOCK // n))
    buffer = np.empty((step, n))
    offsets = (np.arange(step) * n)[:, None]
    for start in range(0, n_boot, step):
        part = indices[start : start + step]
        m = len(part)
        part += offsets[:m]
        buffer[:m] = np.bincount(part.ravel(), minlength=m * n).reshape(m, n)
        np.matmul(buffer[:m], rhs, out=sums[start : start + m])
    return pls.moments_to_correlations(sums, iu, p)


def bootstrap_correlations(x, weights, count_matrix):
    """Correlation matrices of the resamples (the survey weights multiply the counts)."""
    return pls.resample_correlations(x, count_matrix, weights)


def _norm_inter(ordered: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Order-statistic quantiles interpolated on the normal scale (R boot's ``norm.inter``).

    ``ordered`` is (B, P) sorted by column, ``alpha`` the (P,) probabilities.
    """
    r = ordered.shape[0]
    cols = np.arange(ordered.shape[1])
    rk = (r + 1) * alpha
    k = np.trunc(rk).astype(int)
    kk = np.clip(k, 1, r - 1)
    lo, hi = ordered[kk - 1, cols], ordered[kk, cols]
    z, z1, z2 = norm_ppf(alpha), norm_ppf(kk / (r + 1)), norm_ppf((kk + 1) / (r + 1))
    out = lo + (z - z1) / (z2 - z1) * (hi - lo)
    out = np.where(k == rk, ordered[np.clip(k, 1, r) - 1, cols], out)
    out = np.where(k <= 0, ordered[0], out)
    return np.where(k >= r, ordered[-1], out)


def summarise(estimate: np.ndarray, boot: np.ndarray, jack: np.ndarray | None, n: int,
              level: float = 0.95) -> dict:
    """SE, t, p, percentile and BCa limits for parameters (last axis) from replicates.

    Parameters
    ----------
    estimate : (P,) array
    boot : (B, P) array of bootstrap replicates
    jack : (n, P) array of leave-one-out estimates, or None (no BCa)
    n : sample size (degrees of freedom n − 1 for p)
    """
    a = (1 - level) / 2
    se = boot.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = estimate / se
    p = 2 * t_sf(np.abs(t), n - 1)
    lo, hi = np.quantile(boot, [a, 1 - a], axis=0)
    out = {"boot_mean": boot.mean(axis=0), "se": se, "t": t, "p": p, "ci_low": lo, "ci_high": hi}
    if jack is not None:
        frac = (boot < estimate).mean(axis=0)
        z0 = norm_ppf(np.clip(frac, 1 / (2 * len(boot)), 1 - 1 / (2 * len(boot))))
        d = jack.mean(axis=0) - jack
        with np.errstate(divide="ignore", invalid="ignore"):
            acc = (d**3).sum(axis=0) / (6 * ((d**2).sum(axis=0)) ** 1.5)
        acc = np.nan_to_num(acc)
        ordered = np.sort(boot, axis=0)
        for name, q in (("bca_low", a), ("bca_high", 1 - a)):
            zq = norm_ppf(q)
            adj = norm_cdf(z0 + (z0 + zq) / (1 - acc * (z0 + zq)))
            out[name] = _norm_inter(ordered, adj)
    return out
