"""PLS path modelling kernel (numpy): mode A, path weighting, standardised indicators.

Everything a composite PLS model estimates is a function of the correlation matrix of
the (standardised) indicators, so the kernel works on correlation matrices, one or a
batch ``(B, p, p)`` at once. One bootstrap resample is then a small matrix problem:
its correlation matrix comes from the resample counts (one GEMM for all resamples),
and the weight iterations run batched over resamples with ``@`` / batched ``solve``.

Algorithm (Lohmöller 1989; as R ``seminr::estimate_pls`` with ``path_weighting``,
``mode_A``, ``maxIt = 300``, ``stopCriterion = 7``):

1. outer weights start at 1 for every item of a construct;
2. scale the weights so each construct score has unit variance;
3. inner proxies: for construct j, its antecedents enter with the OLS coefficients of
   j on them, its successors with their correlation with j (path weighting). A
   construct with no structural neighbour takes every other construct with its
   correlation (factorial scheme), so a measurement-only model can be estimated;
4. mode A: new weight of item i of block j = covariance of item i with the
   standardised proxy of j; rescale (step 2);
5. stop when the summed absolute change of all weights is below ``1e-7``; after 300
   passes without that, raise :class:`~omsmethod.errors.ConvergenceError`.

Loadings are item–score correlations, path coefficients OLS on the standardised
scores, R² from the score correlation matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError

__all__ = [
    "MAX_ITER",
    "TOLERANCE",
    "Structure",
    "correlation",
    "resample_correlations",
    "moment_columns",
    "moments_to_correlations",
    "jackknife_correlations",
    "outer_weights",
    "estimates",
    "total_effects",
]

MAX_ITER = 300
TOLERANCE = 1e-7


@dataclass(frozen=True)
class Structure:
    """The arrays of a model the kernel needs (built once from a ModelSpec)."""

    item_mask: np.ndarray  # p × k
    path_mask: np.ndarray  # k × k, [i, j] = 1 for i → j
    antecedents: tuple  # ((j, array of i), ...) for each endogenous j
    isolated: tuple  # constructs with no structural neighbour

    @classmethod
    def from_spec(cls, spec) -> Structure:
        pm = spec.path_mask
        ante = tuple((j, np.flatnonzero(pm[:, j])) for j in range(pm.shape[0]) if pm[:, j].any())
        isolated = tuple(j for j in range(pm.shape[0]) if not pm[:, j].any() and not pm[j].any())
        return cls(spec.item_mask, pm, ante, isolated)


def correlation(x: np.ndarray, weights: np.ndarray | None = None):
    """Mean, standard deviation (n−1 divisor) and correlation matrix of the columns of ``x``.

    With survey ``weights`` the moments are weighted (normalised weights, the same
    n−1 correction as unweighted data).
    """
    n = x.shape[0]
    w = np.full(n, 1.0 / n) if weights is None else weights / weights.sum()
    mean = w @ x
    xc = x - mean
    cov = (xc * w[:, None]).T @ xc * (n / (n - 1))
    sd = np.sqrt(np.diag(cov))
    return mean, sd, cov / np.outer(sd, sd)


def _cov_to_cor(cov: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.einsum("bii->bi", cov))
    return cov / (d[:, :, None] * d[:, None, :])


def _products(xc: np.ndarray):
    iu = np.triu_indices(xc.shape[1])
    return xc[:, iu[0]] * xc[:, iu[1]], iu


def _unpack(flat: np.ndarray, iu, p: int) -> np.ndarray:
    out = np.empty((flat.shape[0], p, p))
    out[:, iu[0], iu[1]] = flat
    out[:, iu[1], iu[0]] = flat
    return out


def resample_correlations(x: np.ndarray, counts: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Correlation matrices of resampled data, one per row of ``counts``.

    Parameters
    ----------
    x : (n, p) array
    counts : (B, n) array
        How often each respondent enters each resample.
    weights : (n,) array, optional
        Survey weights: respondent i counts ``counts[b, i] * weights[i]`` times.

    Returns
    -------
    (B, p, p) array
    """
    rhs, iu = moment_columns(x, weights)
    return moments_to_correlations(counts @ rhs, iu, x.shape[1])


def moment_columns(x: np.ndarray, weights: np.ndarray | None = None):
    """Columns whose count-weighted sums give every resample's moments in one GEMM.

    ``counts @ rhs`` holds, per resample, the (weighted) sums of the centred items, of
    their pairwise products (upper triangle ``iu``) and of the weights themselves.
    """
    n, p = x.shape
    xc = x - x.mean(axis=0)
    iu = np.triu_indices(p)
    rhs = np.empty((n, p + iu[0].size + 1))
    w = None if weights is None else np.asarray(weights, float)
    left = xc if w is None else xc * w[:, None]
    rhs[:, :p] = left
    start = p
    for j in range(p):  # the products of item j with items j.. (the order of triu_indices)
        np.multiply(left[:, j : j + 1], xc[:, j:], out=rhs[:, start : start + p - j])
        start += p - j
    rhs[:, -1] = 1.0 if w is None else w
    return rhs, iu


def moments_to_correlations(sums: np.ndarray, iu, p: int) -> np.ndarray:
    """Correlation matrices ``(B, p, p)`` from the sums of :func:`moment_columns` (overwritten)."""
    sums /= sums[:, -1:]
    means, second = sums[:, :p], sums[:, p:-1]
    cov = _unpack(second, iu, p) - means[:, :, None] * means[:, None, :]
    return _cov_to_cor(cov)


def jackknife_correlations(x: np.ndarray, weights: np.ndarray | None = None, rows=None) -> np.ndarray:
    """Leave-one-out correlation matrices by downdating the full-sample sums.

    ``rows`` (a slice or index array) limits the output to those left-out respondents,
    so that large samples can be processed in chunks; default all ``(n, p, p)``.
    """
    n, p = x.shape
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    xc = x - x.mean(axis=0)
    q, iu = _products(xc)
    sx, sq = w @ xc, w @ q
    rows = slice(None) if rows is None else rows
    w, xc, q = w[rows], xc[rows], q[rows]
    tw = (n if weights is None else float(np.sum(weights))) - w
    means = (sx[None, :] - w[:, None] * xc) / tw[:, None]
    second = (sq[None, :] - w[:, None] * q) / tw[:, None]
    cov = _unpack(second, iu, p) - means[:, :, None] * means[:, None, :]
    return _cov_to_cor(cov)


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.solve(a, b[..., None])[..., 0]


def _scale(r: np.ndarray, w: np.ndarray) -> np.ndarray:
    var = np.einsum("bpk,bpk->bk", w, r @ w)
    return w / np.sqrt(var)[:, None, :]


def _inner(c: np.ndarray, st: Structure) -> np.ndarray:
    e = c * st.path_mask.T[None]
    for j, ante in st.antecedents:
        e[:, ante, j] = _solve(c[:, ante][:, :, ante], c[:, ante, j])
    for j in st.isolated:
        e[:, :, j] = c[:, :, j]
        e[:, j, j] = 0.0
    return e


def outer_weights(r: np.ndarray, st: Structure, max_iter: int = MAX_ITER, tol: float = TOLERANCE):
    """Iterate PLS outer weights on a batch of correlation matrices.

    Parameters
    ----------
    r : (B, p, p) or (p, p) array
        Correlation matrices of the indicators.
    st : Structure
    max_iter, tol : stop rule (seminr's ``maxIt``, ``10**-stopCriterion``).

    Returns
    -------
    weights : (B, p, k) array, scaled to unit-variance scores
    iterations : (B,) int array (seminr's count: passes − 1)
    converged : (B,) bool array
    """
    single = r.ndim == 2
    r = r[None] if single else r
    b = r.shape[0]
    mask = st.item_mask[None]
    w = np.broadcast_to(mask, (b, *st.item_mask.shape)).copy()
    active = np.ones(b, bool)
    iterations = np.zeros(b, int)
    for it in range(max_iter + 1):
        idx = np.flatnonzero(active)
        ra, wa = r[idx], w[idx]
        wn = _scale(ra, wa)
        rw = ra @ wn
        c = np.swapaxes(wn, 1, 2) @ rw
        e = _inner(c, st)
        proxy_sd = np.sqrt(np.einsum("bij,bik,bkj->bj", e, c, e))
        new = _scale(ra, (rw @ e) / proxy_sd[:, None, :] * mask)
        diff = np.abs(new - wa).sum(axis=(1, 2))
        w[idx] = new
        iterations[idx] = it
        done = diff < tol
        active[idx[done]] = False
        if not active.any():
            break
    converged = ~active
    if single:
        return w[0], iterations[0], converged[0]
    return w, iterations, converged


def check_converged(converged, iterations, what="PLS outer weights"):
    """Raise ConvergenceError for a single fit that did not converge."""
    if not np.all(converged):
        raise ConvergenceError(
            f"{what} did not converge in {int(np.max(iterations)) + 1} iterations "
            f"(summed weight change still ≥ {TOLERANCE:g})",
            value=int(np.max(iterations)) + 1,
            hint="check for items that barely correlate with their construct, or a "
            "construct whose items measure opposite things (recode reversed items)",
        )


def estimates(r: np.ndarray, w: np.ndarray, st: Structure):
    """Loadings, score correlations, path coefficients and R² from weights.

    Works on single ``(p, p)`` / ``(p, k)`` or batched arrays.

    Returns
    -------
    dict with ``loadings`` (p × k, masked), ``scores_cor`` (k × k), ``paths`` (k × k,
    ``[i, j]`` for i → j) and ``r2`` (k, NaN for exogenous constructs).
    """
    single = r.ndim == 2
    r, w = (r[None], w[None]) if single else (r, w)
    rw = r @ w
    loadings = rw * st.item_mask[None]
    c = np.swapaxes(w, 1, 2) @ rw
    paths = np.zeros_like(c)
    r2 = np.full(c.shape[:2], np.nan)
    for j, ante in st.antecedents:
        beta = _solve(c[:, ante][:, :, ante], c[:, ante, j])
        paths[:, ante, j] = beta
        r2[:, j] = np.einsum("bi,bi->b", beta, c[:, ante, j])
    out = {"loadings": loadings, "scores_cor": c, "paths": paths, "r2": r2, "cross": rw}
    return {k: v[0] for k, v in out.items()} if single else out


def total_effects(paths: np.ndarray) -> np.ndarray:
    """Total effects ``(I − B)^{-1} − I`` of a (batch of) path matrix ``[i, j]: i → j``."""
    k = paths.shape[-1]
    eye = np.eye(k)
    return np.linalg.inv(eye - paths) - eye
