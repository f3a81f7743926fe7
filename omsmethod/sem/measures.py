"""Measurement-model statistics from item correlations, weights and loadings (pure numpy).

Conventions (as R seminr / SmartPLS):

* Cronbach's alpha on the item correlation matrix (standardised alpha),
  ``k/(k−1) · (1 − k / Σ R)``; 1 for a single item.
* rho_A (Dijkstra & Henseler 2015) ``(wᵀw)² · wᵀ(S − diag S)w / wᵀ(wwᵀ − diag wwᵀ)w``
  with the outer weights scaled to a unit-variance score; 1 for a single item.
* Composite reliability rho_C ``(Σλ)² / ((Σλ)² + Σ(1 − λ²))`` and AVE ``mean(λ²)``
  from standardised loadings (PLS loadings are item–score correlations; CFA loadings
  the ``std.all`` solution).
* HTMT: the classic heterotrait–monotrait ratio of *absolute* item correlations
  (Henseler, Ringle & Sarstedt 2015; seminr, SmartPLS); a single-item block has
  monotrait mean 1.
"""

from __future__ import annotations

import numpy as np

__all__ = ["alpha", "rho_a", "rho_c_ave", "htmt"]


def _blocks(block: np.ndarray, k: int):
    return [np.flatnonzero(block == j) for j in range(k)]


def alpha(r: np.ndarray, block: np.ndarray, k: int) -> np.ndarray:
    """Standardised Cronbach's alpha per construct from the item correlation matrix ``r``."""
    out = np.ones(k)
    for j, idx in enumerate(_blocks(block, k)):
        m = idx.size
        if m > 1:
            out[j] = m / (m - 1) * (1 - m / r[np.ix_(idx, idx)].sum())
    return out


def rho_a(r: np.ndarray, w: np.ndarray, block: np.ndarray, k: int) -> np.ndarray:
    """Dijkstra–Henseler rho_A per construct (weights ``w`` p × k scaled to unit-variance scores)."""
    out = np.ones(k)
    for j, idx in enumerate(_blocks(block, k)):
        if idx.size < 2:
            continue
        v = w[idx, j]
        s = r[np.ix_(idx, idx)].copy()
        np.fill_diagonal(s, 0.0)
        a = np.outer(v, v)
        np.fill_diagonal(a, 0.0)
        out[j] = (v @ v) ** 2 * (v @ s @ v) / (v @ a @ v)
    return out


def rho_c_ave(std_loadings: np.ndarray, block: np.ndarray, k: int):
    """Composite reliability and AVE per construct from standardised loadings (length p)."""
    rc, ave = np.ones(k), np.ones(k)
    for j, idx in enumerate(_blocks(block, k)):
        lam = std_loadings[idx]
        if lam.size < 2:
            continue
        s2 = lam.sum() ** 2
        rc[j] = s2 / (s2 + (1 - lam**2).sum())
        ave[j] = (lam**2).mean()
    return rc, ave


def htmt(r: np.ndarray, block: np.ndarray, k: int) -> np.ndarray:
    """HTMT matrix (k × k, symmetric, NaN diagonal) of one or a batch ``(B, p, p)`` of correlations."""
    single = r.ndim == 2
    a = np.abs(r[None] if single else r)
    blocks = _blocks(block, k)
    mono = np.ones((a.shape[0], k))
    for j, idx in enumerate(blocks):
        m = idx.size
        if m > 1:
            sub = a[:, idx][:, :, idx]
            mono[:, j] = (sub.sum(axis=(1, 2)) - m) / (m * (m - 1))
    out = np.full((a.shape[0], k, k), np.nan)
    for i in range(k):
        for j in range(i + 1, k):
            het = a[:, blocks[i]][:, :, blocks[j]].mean(axis=(1, 2))
            out[:, i, j] = out[:, j, i] = het / np.sqrt(mono[:, i] * mono[:, j])
    return out[0] if single else out
