"""Importance–performance map analysis (IPMA) of a fitted PLS model.

Convention (SmartPLS; Ringle & Sarstedt 2016, *Industrial Management & Data Systems*
116(9)):

* every item is rescaled to 0–100 with its scale's bounds,
  ``x̃ = 100 (x − min) / (max − min)`` (the instrument's ``scale_min/scale_max``;
  the observed range when the scale is unknown);
* a construct's performance score is ``Σ vᵢ x̃ᵢ`` with the **unstandardised**
  outer weights rescaled to sum to one, ``vᵢ = (wᵢ / s̃ᵢ) / Σ (wⱼ / s̃ⱼ)`` (``wᵢ`` the
  standardised PLS weight, ``s̃ᵢ`` the SD of the rescaled item). This is SmartPLS's
  choice: the score is then on the item's own 0–100 metric, so a one-point change in
  every item moves it by one point. Standardised weights (``wᵢ / Σ wⱼ``) would weight
  items by their correlation pattern only and give a slightly different performance
  (0.67 points for Satisfaction on the mobi data, 1–10 scale); the table reports them as
  ``performance_std_weights`` for comparison;
* performance = (survey-weighted) mean of the performance score;
* importance = the **unstandardised total effect** on the target on the 0–100 scores.
  Since each 0–100 score is an affine function of the standardised PLS score
  (``P = sd(P) · Y + c``), this equals the standardised total effect ×
  ``sd(P_target) / sd(P_source)``; ``importance_std`` is the standardised total effect;
* an item's importance is ``vᵢ`` × the importance of its construct, its performance
  the mean of ``x̃ᵢ``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ModelError
from . import pls
from .results import IPMAResult

__all__ = ["ipma", "performance_scores"]


def _wmean(v, w):
    return v.mean(axis=0) if w is None else (w[:, None] * v).sum(axis=0) / w.sum() if v.ndim == 2 \
        else (w * v).sum() / w.sum()


def _wsd(v, w):
    m = _wmean(v, w)
    if w is None:
        return v.std(axis=0, ddof=1)
    n = len(v)
    return np.sqrt(_wmean((v - m) ** 2, w) * n / (n - 1))


def performance_scores(core, standardised_weights: bool = False, scale=None):
    """0–100 rescaled items, per-item rescaled weights and construct performance scores."""
    prep = core.prep
    spec = prep.spec
    lo, hi = (prep.scale_min, prep.scale_max) if scale is None else scale
    xt = 100 * (prep.x - lo) / (np.asarray(hi) - np.asarray(lo))
    blk = spec.block
    w = core.w[np.arange(len(blk)), blk]
    raw = w if standardised_weights else w / _wsd(xt, prep.weights)
    v = np.empty_like(raw)
    for j in range(len(spec.constructs)):
        idx = blk == j
        v[idx] = raw[idx] / raw[idx].sum()
    scores = np.zeros((len(xt), len(spec.constructs)))
    for j in range(len(spec.constructs)):
        idx = blk == j
        scores[:, j] = xt[:, idx] @ v[idx]
    return xt, v, scores


def ipma(result, target: str = "customer", scale=None) -> IPMAResult:
    """Importance–performance map of every construct (and item) that affects ``target``.

    Parameters
    ----------
    result : PLSResult
        From :func:`omsmethod.sem.fit` (``method="pls"``).
    target : str
        The outcome construct (default the OMS ``customer`` subsystem).
    scale : (min, max), optional
        Scale bounds of every item; default the instrument's, else the observed range.

    Returns
    -------
    IPMAResult
        ``constructs``: construct, importance (unstandardised total effect on the
        0–100 scores), importance_std, performance (0–100), performance_std_weights;
        ``items``: item, construct, weight (rescaled unstandardised), importance,
        performance; ``target_performance``; ``.plot()`` gives the quadrant figure.

    Notes
    -----
    See the module notes for the convention (SmartPLS's unstandardised weights).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from omsmethod import sem
    >>> rng = np.random.default_rng(1)
    >>> a = rng.normal(size=300); b = 0.6 * a + 0.8 * rng.normal(size=300)
    >>> lik = lambda f: np.clip(np.rint(3 + f + rng.normal(scale=.6, size=300)), 1, 5)
    >>> df = pd.DataFrame({"a1": lik(a), "a2": lik(a), "b1": lik(b), "b2": lik(b)})
    >>> res = sem.fit(df, model="A =~ a1 + a2; B =~ b1 + b2; B ~ A", n_boot=0, predict_folds=0)
    >>> m = sem.ipma(res, target="B")
    >>> m.constructs["construct"].tolist()
    ['A']
    """
    core = getattr(result, "_core", None)
    if core is None or getattr(result, "method", "") != "pls":
        raise ModelError("ipma needs a PLS result from sem.fit(..., method='pls')")
    spec = core.prep.spec
    names = list(spec.constructs)
    if target not in names:
        raise ModelError(f"target {target!r} is not a construct of the model", value=target,
                         hint=f"choose one of: {', '.join(names)}")
    t = names.index(target)
    wts = core.prep.weights
    xt, v, perf = performance_scores(core, scale=scale)
    _, _, perf_std = performance_scores(core, standardised_weights=True, scale=scale)
    total = pls.total_effects(core.est["paths"])
    sd = _wsd(perf, wts)
    mean = _wmean(perf, wts)
    src = [j for j in range(len(names)) if j != t and abs(total[j, t]) > 0]
    if not src:
        raise ModelError(f"no construct has an effect on {target!r}", value=target,
                         hint="check the structural model's paths into the target")
    constructs = pd.DataFrame({
        "construct": [names[j] for j in src],
        "importance": [total[j, t] * sd[t] / sd[j] for j in src],
        "importance_std": [total[j, t] for j in src],
        "performance": [mean[j] for j in src],
        "performance_std_weights": [_wmean(perf_std[:, j], wts) for j in src],
    })
    imp = dict(zip(constructs["construct"], constructs["importance"], strict=True))
    blk = spec.block
    rows = [i for i in range(len(blk)) if names[blk[i]] in imp]
    items = pd.DataFrame({
        "item": [spec.items[i] for i in rows],
        "construct": [names[blk[i]] for i in rows],
        "weight": v[rows],
        "importance": [v[i] * imp[names[blk[i]]] for i in rows],
        "performance": _wmean(xt[:, rows], wts),
    })
    res = IPMAResult(
        title=f"Importance–performance map, target {target} (performance {mean[t]:.1f} / 100)",
        notes={"convention": "performance from rescaled unstandardised outer weights (SmartPLS); "
               "importance = unstandardised total effect on the 0–100 scores",
               "weights": "survey-weighted means" if wts is not None else "unweighted"},
        target=target, constructs=constructs, items=items,
    )
    res.target_performance = float(mean[t])
    return res
