"""Construct validity: reliability, convergent and discriminant validity, plain-word problems.

Thresholds of the problems list (Hair et al. 2022, *A Primer on PLS-SEM*, ch. 4;
Henseler et al. 2015): standardised loading < 0.70, AVE < 0.50, rho_C or alpha < 0.70,
rho_C > 0.95 (redundant items), HTMT > 0.85 (or its upper limit ≥ 1), Fornell–Larcker
violated (a correlation above √AVE), an item loading higher on another construct.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import measures
from .results import ValidityResult

__all__ = ["validity", "reliability_table", "htmt_table", "problems_list", "say"]

LOADING_MIN = 0.70
AVE_MIN = 0.50
RELIABILITY_MIN = 0.70
RHO_C_MAX = 0.95
HTMT_MAX = 0.85


def reliability_table(core) -> pd.DataFrame:
    """alpha, rho_A, rho_C, AVE per construct of a PLS core fit."""
    spec = core.prep.spec
    k, blk = len(spec.constructs), spec.block
    lam = core.est["loadings"][np.arange(len(blk)), blk]
    rc, ave = measures.rho_c_ave(lam, blk, k)
    return pd.DataFrame({
        "construct": list(spec.constructs),
        "n_items": np.bincount(blk, minlength=k),
        "alpha": measures.alpha(core.r, blk, k),
        "rho_a": measures.rho_a(core.r, core.w, blk, k),
        "rho_c": rc,
        "ave": ave,
    })


def htmt_table(core_or_r, boot_htmt=None, level=0.95, spec=None) -> pd.DataFrame:
    """HTMT per construct pair, with bootstrap percentile limits when replicates are given."""
    if spec is None:
        spec, r = core_or_r.prep.spec, core_or_r.r
    else:
        r = core_or_r
    names, k = list(spec.constructs), len(spec.constructs)
    h = measures.htmt(r, spec.block, k)
    iu = np.triu_indices(k, 1)
    out = pd.DataFrame({"construct_1": [names[i] for i in iu[0]],
                        "construct_2": [names[j] for j in iu[1]], "htmt": h[iu]})
    if boot_htmt is not None and len(boot_htmt):
        a = (1 - level) / 2
        vals = boot_htmt[:, iu[0], iu[1]]
        out["ci_low"], out["ci_high"] = np.nanquantile(vals, [a, 1 - a], axis=0)
    return out


def _fornell_larcker(scores_cor, ave, names) -> pd.DataFrame:
    fl = np.array(scores_cor, dtype=float)
    np.fill_diagonal(fl, np.sqrt(ave))
    out = pd.DataFrame(fl, columns=names)
    out.insert(0, "construct", names)
    return out


def _texts() -> dict:
    from pathlib import Path

    from ..files import read_yaml

    return read_yaml(Path(__file__).with_name("problems.yaml"))


def _say(texts: dict, key: str, lang: str, **values) -> str:
    entry = texts[key]
    return entry.get(lang, entry["en"]).format(**values)


def say(key: str, lang: str = "en", **values) -> str:
    """One validity problem in plain words, from ``problems.yaml`` (zh or en)."""
    return _say(_texts(), key, lang, **values)


def problems_list(loadings, reliability, htmt, fornell_larcker=None, cross=None, lang="en") -> list[str]:
    """Plain-word validity problems naming the item, construct or pair (``lang`` zh or en)."""
    texts = None

    def say(key, lang, **values):  # the texts are read once, at the first problem
        nonlocal texts
        if texts is None:
            texts = _texts()
        return _say(texts, key, lang, **values)

    out = []
    for row in loadings.itertuples(index=False):
        lam = getattr(row, "std_loading", None)
        lam = row.loading if lam is None else lam
        if abs(lam) < LOADING_MIN:
            out.append(say("low_loading", lang, item=row.item, construct=row.construct, value=lam, cut=LOADING_MIN))
    for row in reliability.itertuples(index=False):
        if row.n_items < 2:
            continue
        if row.ave < AVE_MIN:
            out.append(say("low_ave", lang, construct=row.construct, value=row.ave, cut=AVE_MIN))
        if row.rho_c < RELIABILITY_MIN:
            out.append(say("low_rho_c", lang, construct=row.construct, value=row.rho_c))
        if row.rho_c > RHO_C_MAX:
            out.append(say("high_rho_c", lang, construct=row.construct, value=row.rho_c))
        if row.alpha < RELIABILITY_MIN:
            out.append(say("low_alpha", lang, construct=row.construct, value=row.alpha))
    for row in htmt.itertuples(index=False):
        upper = getattr(row, "ci_high", np.nan)
        if row.htmt > HTMT_MAX:
            out.append(say("high_htmt", lang, a=row.construct_1, b=row.construct_2, value=row.htmt, cut=HTMT_MAX))
        elif np.isfinite(upper) and upper >= 1:
            out.append(say("htmt_interval", lang, a=row.construct_1, b=row.construct_2, value=upper))
    if fornell_larcker is not None:
        names = list(fornell_larcker["construct"])
        fl = fornell_larcker[names].to_numpy(dtype=float)
        for i, a in enumerate(names):
            for j in range(i + 1, len(names)):
                rr = abs(fl[i, j])
                if rr > min(fl[i, i], fl[j, j]):
                    out.append(say("fornell_larcker", lang, a=a, b=names[j], value=rr))
    if cross is not None:
        for row in cross.itertuples(index=False):
            own = getattr(row, row.construct) if hasattr(row, row.construct) else None
            others = {c: getattr(row, c) for c in cross.columns[2:] if c != row.construct}
            if own is not None and others:
                best = max(others, key=lambda c: abs(others[c]))
                if abs(others[best]) > abs(own):
                    out.append(say("cross_loading", lang, item=row.item, other=best, value=others[best],
                                   construct=row.construct, own=own))
    return out


def validity(responses, instrument=None, method="pls", model=None, n_boot=1000, seed=None,
             weights=None, missing="mean", level=0.95, lang="en"):
    """Construct validity of the measurement model (PLS composites or a CFA).

    Parameters
    ----------
    responses : DataFrame
    instrument : Instrument or str, optional
        With no ``model``: its Likert items by subsystem and the OMS inner model.
    method : {"pls", "cfa"}
        PLS (loadings are item–score correlations) or ML CFA with all factors
        correlated (lavaan ``cfa()`` conventions, standardised ``std.all`` loadings).
    model : str or DataFrame, optional
    n_boot : int
        Bootstrap resamples for the HTMT intervals (PLS; 0 skips).
    seed, weights, missing, level : see :func:`omsmethod.sem.fit`.
    lang : {"en", "zh"}
        Language of the ``problems`` sentences.

    Returns
    -------
    ValidityResult
        ``loadings`` (loading, std_loading, indicator_reliability), ``reliability``
        (alpha, rho_a, rho_c, ave), ``fornell_larcker``, ``htmt`` (with CI),
        ``cross_loadings``; for CFA ``fit_indices`` (chisq, df, pvalue, cfi, tli,
        rmsea with 90% CI, srmr); ``problems`` in plain words.

    Notes
    -----
    See :mod:`omsmethod.sem.measures` for the formulas. rho_C and AVE use standardised
    loadings in both methods.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from omsmethod import sem
    >>> rng = np.random.default_rng(2)
    >>> f = rng.normal(size=(400, 2))
    >>> df = pd.DataFrame({f"x{i}": f[:, i // 3] + rng.normal(scale=.7, size=400) for i in range(6)})
    >>> v = sem.validity(df, model="F1 =~ x0 + x1 + x2; F2 =~ x3 + x4 + x5", n_boot=100, seed=1)
    >>> v.reliability[["construct", "n_items"]].values.tolist()
    [['F1', 3], ['F2', 3]]
    """
    if method == "cfa":
        from .cbsem import cfa_validity

        return cfa_validity(responses, instrument=instrument, model=model, weights=weights,
                            missing=missing, lang=lang)
    if method != "pls":
        from ..errors import ModelError

        raise ModelError(f"method must be 'pls' or 'cfa', not {method!r}", value=method)
    from . import bootstrap, pls
    from .prepare import prepare
    from .structural import _n_params, estimate_core

    prep = prepare(responses, instrument, model, weights, missing, acyclic=True, n_params=_n_params)
    core = estimate_core(prep)
    spec = prep.spec
    names, items, blk = list(spec.constructs), list(spec.items), spec.block
    lam = core.est["loadings"][np.arange(len(items)), blk]
    loadings = pd.DataFrame({
        "construct": [names[b] for b in blk], "item": items,
        "loading": lam * core.sd, "std_loading": lam, "indicator_reliability": lam**2,
        "weight": core.w[np.arange(len(items)), blk],
    })
    reliability = reliability_table(core)
    boot_h = None
    if n_boot:
        rng = np.random.default_rng(seed)
        corr = bootstrap.draw_correlations(prep.x, prep.weights, n_boot, rng)
        boot_h = measures.htmt(corr, blk, len(names))
    htmt = htmt_table(core, boot_h, level)
    fl = _fornell_larcker(core.est["scores_cor"], reliability["ave"].to_numpy(), names)
    cross = pd.DataFrame(core.est["cross"], columns=names)
    cross.insert(0, "item", items)
    cross.insert(1, "construct", [names[b] for b in blk])
    res = ValidityResult(
        title=f"Construct validity (PLS): {len(prep.x)} respondents, {len(names)} constructs",
        method="pls", loadings=loadings, reliability=reliability, fornell_larcker=fl, htmt=htmt,
        cross_loadings=cross,
        notes={"loadings": "PLS loadings = correlation of item with construct score; 'loading' "
               "is in item units (× item SD)",
               "HTMT": "classic HTMT (absolute correlations); bootstrap percentile interval",
               "reliability": "alpha on item correlations; rho_C/AVE from standardised loadings",
               "PLS": pls.__doc__.strip().splitlines()[0]},
    )
    res.problems = problems_list(loadings, reliability, htmt, fl, cross, lang=lang)
    return res
