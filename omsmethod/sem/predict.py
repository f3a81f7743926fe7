"""PLSpredict (Shmueli et al. 2016, 2019): k-fold out-of-sample prediction of the items
of the endogenous constructs, against a linear-model benchmark.

Per fold the PLS model is estimated on the training part; test items are standardised
with the training means and SDs; the scores of the exogenous constructs are computed
with the training weights, the endogenous scores are predicted from them through the
total effects (the "earliest antecedents" rule of the original PLSpredict and
SmartPLS), and an item is predicted as loading × predicted score, back in item units.
The linear-model (LM) benchmark regresses each such item, by OLS on the training part,
on every item of the exogenous constructs that affect its construct.
``q2_predict = 1 − SSE / Σ(x − training mean)²``. Survey weights are not used here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import pls

__all__ = ["pls_predict"]


def pls_predict(prep, folds: int = 10, rng=None, fold_labels=None, return_predictions=False):
    """Out-of-sample metrics per endogenous item (see the module notes).

    ``fold_labels`` (one fold number 0..folds−1 per respondent) overrides the random
    split; ``return_predictions`` also returns the (n × items) PLS and LM predictions.
    """
    spec = prep.spec
    st = pls.Structure.from_spec(spec)
    x = prep.x
    n, p = x.shape
    k = len(spec.constructs)
    rng = np.random.default_rng(rng)
    if fold_labels is None:
        fold = rng.permutation(np.arange(n) % folds)
    else:
        fold = np.asarray(fold_labels)
        folds = int(fold.max()) + 1
    endo = [j for j, _ in st.antecedents]
    exo = [j for j in range(k) if j not in endo]
    target_items = np.flatnonzero(np.isin(spec.block, endo))
    pred_pls = np.empty((n, target_items.size))
    pred_lm = np.empty((n, target_items.size))
    naive = np.empty((n, target_items.size))
    for f in range(folds):
        test, train = fold == f, fold != f
        mean, sd, r = pls.correlation(x[train])
        w, it, conv = pls.outer_weights(r, st)
        pls.check_converged(conv, it, "PLS outer weights (PLSpredict fold)")
        est = pls.estimates(r, w, st)
        tot = pls.total_effects(est["paths"])
        z = (x[test] - mean) / sd
        exo_scores = z @ w[:, exo]
        endo_scores = exo_scores @ tot[np.ix_(exo, endo)]
        lam = est["loadings"][target_items, spec.block[target_items]]
        col = np.searchsorted(endo, spec.block[target_items])
        pred_pls[test] = endo_scores[:, col] * lam * sd[target_items] + mean[target_items]
        naive[test] = mean[target_items]
        for j in endo:  # one least-squares fit per construct, all its items at once
            cols = np.flatnonzero(spec.block[target_items] == j)
            src = [e for e in exo if abs(tot[e, j]) > 0]
            xi = np.flatnonzero(np.isin(spec.block, src))
            design = np.column_stack([np.ones(train.sum()), x[train][:, xi]])
            beta = np.linalg.solve(design.T @ design, design.T @ x[train][:, target_items[cols]])
            pred_lm[np.ix_(test, cols)] = np.column_stack([np.ones(test.sum()), x[test][:, xi]]) @ beta
    actual = x[:, target_items]
    err_pls, err_lm = actual - pred_pls, actual - pred_lm
    items = [spec.items[i] for i in target_items]
    out = pd.DataFrame({
        "item": items,
        "construct": [spec.constructs[spec.block[i]] for i in target_items],
        "rmse_pls": np.sqrt((err_pls**2).mean(axis=0)),
        "mae_pls": np.abs(err_pls).mean(axis=0),
        "q2_predict": 1 - (err_pls**2).sum(axis=0) / ((actual - naive) ** 2).sum(axis=0),
        "rmse_lm": np.sqrt((err_lm**2).mean(axis=0)),
        "mae_lm": np.abs(err_lm).mean(axis=0),
    })
    out["pls_better"] = out["rmse_pls"] < out["rmse_lm"]
    if return_predictions:
        return out, pred_pls, pred_lm
    return out
