"""The public PLS-SEM fit: estimates, bootstrap inference, effects, f², PLSpredict.

``fit(..., method="cb")`` hands over to :mod:`omsmethod.sem.cbsem`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import bootstrap, pls
from .prepare import Prepared, check_positive_definite, prepare
from .results import PLSResult

__all__ = ["fit", "PLSCore", "estimate_core", "CONVENTIONS"]

CONVENTIONS = {
    "PLS algorithm": "mode A outer weights, path weighting scheme, standardised indicators "
    "(n−1), stop when Σ|Δw| < 1e-7, at most 300 iterations (R seminr defaults)",
    "inference": "bootstrap (resampling respondents); SE = SD of replicates; p two-sided from "
    "t = estimate/SE on n−1 df; percentile and BCa intervals (jackknife acceleration)",
    "reliability": "alpha on item correlations; rho_A Dijkstra–Henseler; rho_C and AVE from "
    "standardised loadings",
    "HTMT": "classic HTMT of absolute item correlations (seminr, SmartPLS)",
    "f²": "(R²_incl − R²_excl) / (1 − R²_incl), R²_excl from the model re-estimated without "
    "the path (seminr, SmartPLS)",
    "missing": "mean replacement per item (SmartPLS) or listwise deletion (missing=)",
    "survey weights": "weighted means and correlations; bootstrap resamples carry the weights",
}


@dataclass(frozen=True)
class PLSCore:
    """Point estimates of a PLS model on prepared data (arrays, no pandas)."""

    prep: Prepared
    st: pls.Structure
    mean: np.ndarray
    sd: np.ndarray
    r: np.ndarray
    w: np.ndarray
    est: dict
    iterations: int

    @property
    def scores(self) -> np.ndarray:
        return ((self.prep.x - self.mean) / self.sd) @ self.w


def estimate_core(prep: Prepared) -> PLSCore:
    """Fit the PLS point estimates (raises ConvergenceError, InputError for a non-PD matrix)."""
    st = pls.Structure.from_spec(prep.spec)
    mean, sd, r = pls.correlation(prep.x, prep.weights)
    check_positive_definite(r, list(prep.spec.items))
    w, it, conv = pls.outer_weights(r, st)
    pls.check_converged(conv, it)
    return PLSCore(prep, st, mean, sd, r, w, pls.estimates(r, w, st), int(it))


def _n_params(spec) -> int:
    return len(spec.items) + len(spec.structural)


def _path_list(spec):
    c = spec.constructs
    return [(c.index(s), c.index(t)) for s, t in zip(spec.structural["source"], spec.structural["target"], strict=False)]


def _chains(spec):
    """Every directed chain of length ≥ 2 (as index lists) — the specific indirect effects."""
    pm = spec.path_mask
    out = []

    def walk(chain):
        for nxt in np.flatnonzero(pm[chain[-1]]):
            new = chain + [int(nxt)]
            if len(new) >= 3:
                out.append(new)
            walk(new)

    for i in range(pm.shape[0]):
        walk([i])
    return out


def _f2(r: np.ndarray, st: pls.Structure, r2: np.ndarray):
    """Cohen's f² per path, re-estimating the model without the path (seminr, SmartPLS)."""
    rows = []
    for j, ante in st.antecedents:
        for i in ante:
            mask = st.path_mask.copy()
            mask[i, j] = 0.0
            pm_ante = tuple((jj, np.flatnonzero(mask[:, jj])) for jj in range(len(mask)) if mask[:, jj].any())
            iso = tuple(jj for jj in range(len(mask)) if not mask[:, jj].any() and not mask[jj].any())
            reduced = pls.Structure(st.item_mask, mask, pm_ante, iso)
            w, it, conv = pls.outer_weights(r, reduced)
            pls.check_converged(conv, it, "PLS outer weights (model without one path, for f²)")
            excl = pls.estimates(r, w, reduced)["r2"][j]
            rows.append((i, j, (r2[j] - np.nan_to_num(excl)) / (1 - r2[j])))
    return rows


def _table(names: list[dict], estimate, summary, extra: dict | None = None) -> pd.DataFrame:
    """Label columns (one dict per row), ``extra`` columns, the estimate and its summary."""
    columns = {key: [row[key] for row in names] for key in names[0]} if names else {}
    columns.update(extra or {})
    columns["estimate"] = estimate
    columns.update(summary or {})
    return pd.DataFrame(columns)


def fit(responses, instrument=None, model=None, method="pls", n_boot=5000, seed=None,
        weights=None, missing="mean", level=0.95, bca=True, predict_folds=10):
    """Fit the structural model of the OMS subsystems (or any given model).

    Parameters
    ----------
    responses : DataFrame
        One row per respondent, one column per item.
    instrument : Instrument or str, optional
        Questionnaire; with no ``model`` its Likert items by subsystem form the outer
        model and the OMS relations the inner model (see :mod:`omsmethod.sem.prepare`).
        Reverse-coded items are recoded.
    model : str or DataFrame, optional
        lavaan-style text or a ``lhs, op, rhs`` table.
    method : {"pls", "cb"}
        PLS path modelling, or covariance-based ML SEM (lavaan conventions).
    n_boot : int
        Bootstrap resamples (PLS; 0 skips inference).
    seed : int or Generator, optional
    weights : str or array, optional
        Survey weights (column name or one value per row).
    missing : {"mean", "listwise"}
    level : float
        Confidence level of the intervals.
    bca : bool
        Also compute BCa intervals (needs a jackknife: n extra batched fits).
    predict_folds : int
        Folds of PLSpredict (0 skips it).

    Returns
    -------
    PLSResult or CBResult
        ``paths`` (estimate, SE, t, p, percentile and BCa limits), ``r2``, ``f2``,
        ``total_effects``, ``indirect_effects``, ``loadings``, ``reliability``,
        ``htmt``, ``predict``, ``scores``; ``summary()``.

    Notes
    -----
    PLS path coefficients are OLS regressions of standardised construct scores; the
    scores are weighted sums of standardised items with mode A weights iterated under
    the path weighting scheme (Lohmöller 1989). See ``CONVENTIONS``.

    References
    ----------
    R ``seminr::estimate_pls`` + ``bootstrap_model``; Hair et al. (2022) *A Primer on
    PLS-SEM*, 3rd ed.; Shmueli et al. (2019) PLSpredict.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from omsmethod import sem
    >>> rng = np.random.default_rng(1)
    >>> a = rng.normal(size=300); b = 0.6 * a + 0.8 * rng.normal(size=300)
    >>> df = pd.DataFrame({f"a{i}": a + rng.normal(scale=.6, size=300) for i in (1, 2, 3)}
    ...                   | {f"b{i}": b + rng.normal(scale=.6, size=300) for i in (1, 2, 3)})
    >>> res = sem.fit(df, model="A =~ a1 + a2 + a3; B =~ b1 + b2 + b3; B ~ A",
    ...               n_boot=200, seed=1, predict_folds=0)
    >>> round(float(res.paths["estimate"].iloc[0]), 3)
    0.542
    """
    if method == "cb":
        from .cbsem import fit_cb

        return fit_cb(responses, instrument=instrument, model=model, weights=weights,
                      missing=missing, level=level)
    if method != "pls":
        from ..errors import ModelError

        raise ModelError(f"method must be 'pls' or 'cb', not {method!r}", value=method)
    prep = prepare(responses, instrument, model, weights, missing, acyclic=True, n_params=_n_params)
    core = estimate_core(prep)
    spec, st, est = prep.spec, core.st, core.est
    names = list(spec.constructs)
    n, k = prep.x.shape[0], len(names)
    rng = np.random.default_rng(seed)

    plist = _path_list(spec)
    chains = _chains(spec)
    tot = pls.total_effects(est["paths"])
    tpairs = [(i, j) for i in range(k) for j in range(k) if abs(tot[i, j]) > 0 and i != j]

    def flat(paths_b, total_b):
        """Parameters per replicate: paths, total effects, specific indirect effects."""
        one = paths_b.ndim == 2
        pb, tb = (paths_b[None], total_b[None]) if one else (paths_b, total_b)
        cols = [pb[:, i, j] for i, j in plist] + [tb[:, i, j] for i, j in tpairs]
        for ch in chains:
            prod = np.ones(pb.shape[0])
            for a, b in zip(ch[:-1], ch[1:], strict=False):
                prod = prod * pb[:, a, b]
            cols.append(prod)
        out = np.column_stack(cols) if cols else np.zeros((pb.shape[0], 0))
        return out[0] if one else out

    theta = flat(est["paths"], tot)
    r2_hat = est["r2"]
    summ, n_failed, boot = None, 0, None
    if n_boot:
        corr = bootstrap.draw_correlations(prep.x, prep.weights, n_boot, rng)
        boot = bootstrap.replicate(corr, st, spec.block)
        ok = boot["converged"]
        n_failed = int((~ok).sum())
        bt = flat(boot["paths"][ok], boot["total"][ok])
        jt = None
        if bca:
            parts = []
            for start in range(0, n, 2000):  # chunks bound the memory for large samples
                jr = pls.jackknife_correlations(prep.x, prep.weights, slice(start, start + 2000))
                jack = bootstrap.replicate(jr, st, spec.block)
                parts.append(flat(jack["paths"], jack["total"]))
            jt = np.concatenate(parts)
        summ = bootstrap.summarise(theta, bt, jt, n, level)
    np_ = len(plist)
    split = {key: (v[:np_], v[np_ : np_ + len(tpairs)], v[np_ + len(tpairs):]) for key, v in (summ or {}).items()}

    def part(idx):
        return {key: v[idx] for key, v in split.items()}

    paths = _table([{"source": names[i], "target": names[j]} for i, j in plist], theta[:np_], part(0))
    direct = {(i, j): est["paths"][i, j] for i, j in plist}
    total = _table([{"source": names[i], "target": names[j]} for i, j in tpairs],
                   theta[np_ : np_ + len(tpairs)], part(1),
                   extra={"direct": [direct.get(pair, 0.0) for pair in tpairs]})
    indirect = _table(
        [{"source": names[ch[0]], "target": names[ch[-1]], "via": " → ".join(names[c] for c in ch)}
         for ch in chains],
        theta[np_ + len(tpairs):], part(2),
    )
    endo = [j for j, _ in st.antecedents]
    r2 = pd.DataFrame({
        "construct": [names[j] for j in endo],
        "r2": [r2_hat[j] for j in endo],
        "r2_adj": [1 - (1 - r2_hat[j]) * (n - 1) / (n - len(a) - 1) for j, a in st.antecedents],
    })
    f2_rows = _f2(core.r, st, r2_hat)
    f2 = pd.DataFrame({"source": [names[i] for i, _, _ in f2_rows],
                       "target": [names[j] for _, j, _ in f2_rows],
                       "f2": [v for _, _, v in f2_rows]}) if f2_rows else pd.DataFrame()
    items = list(spec.items)
    blk = spec.block
    lam = est["loadings"][np.arange(len(items)), blk]
    columns = {
        "construct": [names[b] for b in blk],
        "item": items,
        "loading": lam,
        "weight": core.w[np.arange(len(items)), blk],
    }
    if boot is not None:
        ok = boot["converged"]
        lb = boot["loadings"][ok][:, np.arange(len(items)), blk]
        columns["loading_se"] = lb.std(axis=0, ddof=1)
        a = (1 - level) / 2
        columns["loading_ci_low"], columns["loading_ci_high"] = np.quantile(lb, [a, 1 - a], axis=0)
    columns["indicator_reliability"] = lam**2
    loadings = pd.DataFrame(columns)
    from .validity import htmt_table, reliability_table

    reliability = reliability_table(core)
    htmt = htmt_table(core, None if boot is None else boot["htmt"][boot["converged"]], level)
    predict = None
    if predict_folds and endo:
        from .predict import pls_predict

        predict = pls_predict(prep, folds=predict_folds, rng=rng)
    scores = pd.DataFrame(core.scores, index=prep.index, columns=names)
    notes = dict(CONVENTIONS)
    problems = []
    if n_failed:
        problems.append(f"{n_failed} of {n_boot} bootstrap resamples did not converge and were dropped")
    if len(spec.covariances):
        problems.append("'~~' lines are ignored by PLS (composites have no residual covariances); "
                        "use method='cb'")
    if prep.n_dropped:
        problems.append(f"{prep.n_dropped} respondents dropped (missing='listwise')")
    return PLSResult(
        title=f"PLS path model: {n} respondents, {k} constructs, {len(items)} items",
        notes=notes, problems=problems, model=spec, n=n, paths=paths, r2=r2, f2=f2,
        total_effects=total, indirect_effects=indirect, loadings=loadings,
        weights=loadings[["construct", "item", "weight"]], reliability=reliability, htmt=htmt,
        predict=predict, scores=scores, iterations=core.iterations, n_boot=int(n_boot),
        n_failed=n_failed, _core=core,
    )
