"""PLS multigroup analysis: MICOM (steps 2 and 3) then permutation tests of path differences.

Procedure (Henseler, Ringle & Sarstedt 2016, *International Marketing Review* 33(3);
Chin & Dibbern 2010 for the permutation test):

* each group is estimated on its own standardised data (group correlation matrix);
* MICOM step 2, compositional invariance: ``c_j`` = correlation, on the pooled
  standardised data, of construct j's scores built with group 1's and group 2's
  weights; invariant when ``c_j`` is not below the 5% quantile of its permutation
  distribution (``p = share of permutations with c ≤ c_j``);
* MICOM step 3, equal means and variances: scores from the pooled model; the group
  difference of the means and the log ratio of the variances must lie within the
  central 95% of their permutation distributions;
* path differences (group 1 − group 2) with permutation p-values
  ``(#{|d*| ≥ |d|} + 1) / (n_perm + 1)``.

Verdict: step 2 failing for any construct → "no invariance" (the groups are not
comparable; path differences are shown but must not be interpreted); step 2 holding
and step 3 failing → "partial invariance" (path coefficients may be compared, the
data must not be pooled); both holding → "full invariance".

All group fits and permutations are batched through the PLS kernel (group
correlation matrices from 0/1 membership weights).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from . import pls
from .prepare import prepare
from .results import MGAResult

__all__ = ["compare_groups"]


def _scores_corr(r, w1, w2, block):
    """Per construct: correlation of the scores built with weights w1 and w2 on correlation r."""
    k = w1.shape[-1]
    out = np.empty(w1.shape[:-2] + (k,))
    for j in range(k):
        idx = block == j
        a, b = w1[..., idx, j], w2[..., idx, j]
        rr = r[np.ix_(idx, idx)]
        ab = np.einsum("...i,ij,...j->...", a, rr, b)
        aa = np.einsum("...i,ij,...j->...", a, rr, a)
        bb = np.einsum("...i,ij,...j->...", b, rr, b)
        out[..., j] = ab / np.sqrt(aa * bb)
    return out


def compare_groups(responses, instrument=None, by=None, model=None, n_perm=1000, seed=None,
                   weights=None, missing="mean", level=0.95):
    """Compare the structural model between two groups (MICOM, then PLS-MGA).

    Parameters
    ----------
    responses : DataFrame
    instrument : Instrument or str, optional
    by : str
        Column with exactly two groups (e.g. ``"gender"``; filter the rows first for
        a pair out of more groups).
    model : str or DataFrame, optional
    n_perm : int
        Permutations.
    seed, weights, missing : as :func:`omsmethod.sem.fit`.

    Returns
    -------
    MGAResult
        ``comparable`` (bool), ``invariance`` ("full", "partial", "none"),
        ``micom_compositional``, ``micom_equality``, ``paths`` (estimates per group,
        difference, permutation p); ``problems`` says in words when the groups are
        not comparable.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from omsmethod import sem
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=400); b = 0.5 * a + rng.normal(size=400)
    >>> df = pd.DataFrame({f"a{i}": a + rng.normal(scale=.6, size=400) for i in (1, 2)}
    ...                   | {f"b{i}": b + rng.normal(scale=.6, size=400) for i in (1, 2)})
    >>> df["g"] = np.repeat(["x", "y"], 200)
    >>> m = sem.compare_groups(df, by="g", model="A =~ a1 + a2; B =~ b1 + b2; B ~ A",
    ...                        n_perm=200, seed=1)
    >>> m.comparable
    True
    """
    if by is None or by not in getattr(responses, "columns", []):
        raise InputError(f"compare_groups needs by= naming a column of responses, got {by!r}",
                         column=by, hint="e.g. by='gender'")
    from .structural import _n_params, _path_list

    prep = prepare(responses, instrument, model, weights, missing, acyclic=True, n_params=_n_params)
    labels = responses.loc[prep.index, by]
    if labels.isna().any():
        row = labels.index[labels.isna().argmax()]
        raise InputError("group label is missing", column=by, row=row,
                         hint="drop respondents without a group or give them one")
    levels = list(pd.unique(labels))
    if len(levels) != 2:
        raise InputError(f"compare_groups compares two groups; {by!r} has {len(levels)}",
                         column=by, value=levels[:5],
                         hint="filter the rows to the two groups to compare")
    g = (labels == levels[0]).to_numpy()
    spec, x = prep.spec, prep.x
    need = _n_params(spec) + 2
    for lev, size in ((levels[0], g.sum()), (levels[1], (~g).sum())):
        if size <= need:
            raise InputError(f"group {lev!r} has {size} respondents; more than {need} are needed",
                             column=by, value=lev, hint="merge small groups or collect more data")
    st = pls.Structure.from_spec(spec)
    w_base = np.ones(len(x)) if prep.weights is None else prep.weights
    rng = np.random.default_rng(seed)
    perms = np.vstack([g, np.array([rng.permutation(g) for _ in range(n_perm)])])  # (P+1, n)
    counts = np.vstack([perms, ~perms]).astype(float) * w_base[None]
    corr = pls.resample_correlations(x, counts)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        w, it, conv = pls.outer_weights(corr, st)
        est = pls.estimates(corr, w, st)
    m = n_perm + 1
    if not (conv[0] and conv[m]):
        pls.check_converged(conv[[0, m]], it[[0, m]], "PLS outer weights (group model)")
    ok = conv[:m] & conv[m:]
    w1, w2 = w[:m], w[m:]
    _, _, r_pool = pls.correlation(x, prep.weights)
    c = _scores_corr(r_pool, w1, w2, spec.block)
    names = list(spec.constructs)
    c_perm = c[1:][ok[1:]]
    step2 = pd.DataFrame({
        "construct": names, "c": c[0],
        "c_5pct": np.quantile(c_perm, 0.05, axis=0),
        "p": (c_perm <= c[0]).mean(axis=0),
    })
    step2["invariant"] = step2["c"] >= step2["c_5pct"]
    # step 3: pooled scores, permuted labels
    mean, sd, _ = pls.correlation(x, prep.weights)
    w_pool, itp, convp = pls.outer_weights(r_pool, st)
    pls.check_converged(convp, itp)
    y = ((x - mean) / sd) @ w_pool
    wt = w_base[None, :]
    n1 = (perms * wt).sum(1)[:, None]
    n2 = ((~perms) * wt).sum(1)[:, None]
    mu1 = (perms * wt) @ y / n1
    mu2 = ((~perms) * wt) @ y / n2
    v1 = (perms * wt) @ y**2 / n1 - mu1**2
    v2 = ((~perms) * wt) @ y**2 / n2 - mu2**2
    dmean, dlogvar = mu1 - mu2, np.log(v1 / v2)
    a = (1 - level) / 2
    step3 = pd.DataFrame({"construct": names, "mean_diff": dmean[0]})
    step3["mean_ci_low"], step3["mean_ci_high"] = np.quantile(dmean[1:], [a, 1 - a], axis=0)
    step3["log_var_ratio"] = dlogvar[0]
    step3["var_ci_low"], step3["var_ci_high"] = np.quantile(dlogvar[1:], [a, 1 - a], axis=0)
    step3["equal_mean"] = step3["mean_diff"].between(step3["mean_ci_low"], step3["mean_ci_high"])
    step3["equal_variance"] = step3["log_var_ratio"].between(step3["var_ci_low"], step3["var_ci_high"])
    plist = _path_list(spec)
    p1 = np.stack([est["paths"][:m, i, j] for i, j in plist], axis=1)
    p2 = np.stack([est["paths"][m:, i, j] for i, j in plist], axis=1)
    d = p1 - p2
    dp = d[1:][ok[1:]]
    paths = pd.DataFrame({
        "source": [names[i] for i, _ in plist], "target": [names[j] for _, j in plist],
        f"estimate_{levels[0]}": p1[0], f"estimate_{levels[1]}": p2[0], "difference": d[0],
        "p": ((np.abs(dp) >= np.abs(d[0])).sum(axis=0) + 1) / (len(dp) + 1),
    })
    compositional = bool(step2["invariant"].all())
    equal = bool(step3["equal_mean"].all() and step3["equal_variance"].all())
    invariance = "full" if compositional and equal else ("partial" if compositional else "none")
    problems = []
    if not compositional:
        bad = step2.loc[~step2["invariant"], "construct"].tolist()
        problems.append(
            f"groups {levels[0]!r} and {levels[1]!r} are NOT comparable: compositional invariance "
            f"(MICOM step 2) fails for {', '.join(bad)}; do not interpret the path differences")
    elif not equal:
        problems.append("partial measurement invariance: path coefficients may be compared, but the "
                        "groups' data should not be pooled (MICOM step 3: unequal means or variances "
                        "for " + ", ".join(step3.loc[~(step3['equal_mean'] & step3['equal_variance']),
                                                     'construct']) + ")")
    if (~ok).sum():
        problems.append(f"{int((~ok).sum())} permutations did not converge and were dropped")
    return MGAResult(
        title=f"PLS multigroup analysis by {by}: {levels[0]} (n={g.sum()}) vs {levels[1]} "
        f"(n={(~g).sum()}); invariance: {invariance}",
        notes={"method": "MICOM steps 2–3 and permutation test of path differences "
               f"({n_perm} permutations)"},
        problems=problems, groups=tuple(levels), comparable=compositional, invariance=invariance,
        micom_compositional=step2, micom_equality=step3, paths=paths, n_perm=n_perm,
    )
