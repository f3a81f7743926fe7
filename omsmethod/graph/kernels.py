"""Pure numpy kernels of the measured graph: covariances, partial correlations,
correlations, standardised regressions and their vectorised bootstrap.

Every kernel works on a single ``(p, p)`` matrix or a batch ``(B, p, p)``; there is no
pandas here. The bootstrap summarises each resample by its count vector ``c`` (how
often each row is drawn, times its weight), so the covariance matrices of all
resamples come from two matrix products: ``C @ X`` (weighted sums) and ``C @ XX``
(weighted sums of the ``p (p + 1) / 2`` cross-products). The batched inverse then runs
with BLAS limited to one thread (threads only slow down many 9 × 9 problems).
"""

from __future__ import annotations

import numpy as np

from ..distributions import t_sf

__all__ = [
    "weighted_covariance",
    "correlation",
    "partial_correlation",
    "regression",
    "resample_counts",
    "resample_covariances",
    "relation_matrices",
    "t_test_p",
    "benjamini_hochberg",
    "one_blas_thread",
]

_CHUNK = 100


def weighted_covariance(x: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Covariance of the columns of ``x`` (complete rows) with frequency/survey weights.

    ``S = sum_i w_i (x_i - m)(x_i - m)' / (sum w - 1)`` for integer counts, i.e. the
    unweighted ``ddof=1`` covariance when ``w`` is None. Correlations and partial
    correlations do not depend on the divisor.
    """
    if w is None:
        return np.cov(x, rowvar=False, ddof=1)
    w = np.asarray(w, dtype=float)
    m = w @ x / w.sum()
    d = x - m
    return (d * w[:, None]).T @ d / (w.sum() - 1)


def _scale(s: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.einsum("...ii->...i", s))
    return s / (d[..., :, None] * d[..., None, :])


def correlation(s: np.ndarray) -> np.ndarray:
    """Pearson correlations from covariance matrices ``(..., p, p)``."""
    r = _scale(s)
    idx = np.arange(s.shape[-1])
    r[..., idx, idx] = 1.0
    return r


def partial_correlation(s: np.ndarray) -> np.ndarray:
    """Partial correlation of every pair given all other columns, ``(..., p, p)``.

    Notes
    -----
    With the precision matrix :math:`P = S^{-1}`,
    :math:`r_{ij \\cdot rest} = -P_{ij} / \\sqrt{P_{ii} P_{jj}}` (Whittaker 1990, §5.7);
    the diagonal is set to 1. Same as ``pingouin.pcorr`` and R ``ppcor::pcor``.
    """
    p = np.linalg.inv(s)
    r = -_scale(p)
    idx = np.arange(s.shape[-1])
    r[..., idx, idx] = 1.0
    return r


def regression(s: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Standardised regression coefficients of each target on its predictors.

    Parameters
    ----------
    s : (..., p, p) covariance matrices
    targets : (p, p) boolean, ``targets[t, j]`` is True when column ``j`` predicts ``t``

    Returns
    -------
    (..., p, p) array, ``beta[..., t, j]`` the standardised coefficient of ``j`` in the
    regression of ``t`` (zero where ``j`` is not a predictor of ``t``).

    Notes
    -----
    ``beta_t = R_XX^{-1} r_Xt`` on the correlation matrix ``R``.
    """
    r = correlation(s)
    out = np.zeros_like(r)
    for t in range(targets.shape[0]):
        pred = np.flatnonzero(targets[t])
        if len(pred) == 0:
            continue
        rxx = r[..., pred[:, None], pred[None, :]]
        rxt = r[..., pred, t]
        out[..., t, pred] = np.linalg.solve(rxx, rxt[..., None])[..., 0]
    return out


def relation_matrices(s: np.ndarray, method: str, targets: np.ndarray | None = None) -> np.ndarray:
    """Dispatch to :func:`correlation`, :func:`partial_correlation` or :func:`regression`."""
    if method == "correlation":
        return correlation(s)
    if method == "partial_correlation":
        return partial_correlation(s)
    return regression(s, targets)


def resample_counts(rng: np.random.Generator, n: int, n_boot: int) -> np.ndarray:
    """Count matrix ``(n_boot, n)``: how often each row appears in each resample.

    Drawing ``n`` row indices with replacement and counting them is a multinomial
    ``(n; 1/n, ..., 1/n)`` draw per resample.
    """
    dtype = np.int32 if n < 2**31 else np.int64
    idx = rng.integers(0, n, size=(n_boot, n), dtype=dtype)
    out = np.empty((n_boot, n))
    for b in range(n_boot):  # one row at a time keeps the bins in cache (5x faster)
        out[b] = np.bincount(idx[b], minlength=n)
    return out


def resample_covariances(
    x: np.ndarray, n_boot: int, rng: np.random.Generator, w: np.ndarray | None = None
) -> np.ndarray:
    """Covariance matrices ``(n_boot, p, p)`` of ``n_boot`` bootstrap resamples of rows.

    Each resample's covariance is ``(C XX - (C X)(C X)' / sum c) / (sum c - 1)`` with
    ``c`` its counts times the weights (the weights are multiplied into ``X`` and ``XX``
    once, so ``C [X, XX]`` is one matrix product); ``x`` is centred first for numerical
    accuracy.
    Resamples are drawn in chunks of 100 so memory stays ``O(100 n)``.
    """
    n, p = x.shape
    mean = x.mean(axis=0) if w is None else w @ x / w.sum()
    xc = x - mean
    iu = np.triu_indices(p)
    # one GEMM per chunk: counts times [x, cross-products] (weights folded into this side)
    design = np.empty((n, p + len(iu[0])))
    design[:, :p] = xc
    np.multiply(xc[:, iu[0]], xc[:, iu[1]], out=design[:, p:])
    if w is not None:
        design *= w[:, None]
    out = np.empty((n_boot, p, p))
    for start in range(0, n_boot, _CHUNK):
        b = min(_CHUNK, n_boot - start)
        c = resample_counts(rng, n, b)
        total = c.sum(axis=1) if w is None else c @ w
        moments = c @ design
        sums, cross = moments[:, :p], moments[:, p:]
        cov = cross - (sums[:, iu[0]] * sums[:, iu[1]]) / total[:, None]
        cov /= (total - 1)[:, None]
        block = out[start : start + b]
        block[:, iu[0], iu[1]] = cov
        block[:, iu[1], iu[0]] = cov
    return out


#: Batches smaller than this run without limiting BLAS threads: ``threadpool_limits``
#: scans every loaded shared library (~15 ms in a report kernel), more than threads
#: cost a few hundred 9 x 9 inversions.
ONE_THREAD_MIN_BATCH = 500


def one_blas_thread(batch: int):
    """Context limiting BLAS to one thread for a large batch of small matrices.

    Many tiny inversions run faster on one thread; for batches below
    :data:`ONE_THREAD_MIN_BATCH` the limit is skipped (a no-op context). The numbers are
    the same either way.
    """
    if batch < ONE_THREAD_MIN_BATCH:
        from contextlib import nullcontext

        return nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


def t_test_p(r: np.ndarray, df: np.ndarray | float) -> np.ndarray:
    """Two-sided p of ``t = r sqrt(df / (1 - r^2))`` on ``df`` degrees of freedom.

    Vectorised over ``r`` and ``df`` (broadcast); the t tail is
    :func:`omsmethod.distributions.t_sf` (scipy's numbers without importing scipy.stats).
    """
    r = np.clip(np.asarray(r, dtype=float), -1 + 1e-15, 1 - 1e-15)
    tval = r * np.sqrt(df / (1 - r**2))
    return 2 * t_sf(np.abs(tval), df)


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (R ``p.adjust(method = "BH")``)."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p)[::-1]
    ranked = p[order] * m / np.arange(m, 0, -1)
    adjusted = np.minimum.accumulate(ranked)
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out
