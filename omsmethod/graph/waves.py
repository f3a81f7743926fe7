"""Change across survey waves: subsystem levels, measured relations and cross-lagged
unit-level paths (phase 4 of the method, "dynamic adjustment").

Examples
--------
>>> from omsmethod import graph, scoring
>>> from omsmethod.datasets import synthetic
>>> waves = {k: scoring.score(synthetic(n_customers=600, n_staff=60, n_partners=30, wave=k,
...          levels={"brand": 0.7 + 0.3 * (k - 1)}).customer, "customer") for k in (1, 2)}
>>> res = graph.change(waves, n_boot=50, seed=1)
>>> res.levels.query("subsystem == 'brand' and wave == 2")[["change", "significant"]].round(2)
   change  significant
6    0.19         True
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..distributions import norm_sf, t_ppf, t_sf
from ..errors import InputError
from ..model import SUBSYSTEMS
from . import kernels
from .structure import base_subsystem

__all__ = ["change", "Change", "GraphWarning", "LAGGED"]

#: The dynamic relations of the patent tracked by the cross-lagged model (x, y).
LAGGED = (("customer", "brand"), ("staff", "value"))


class GraphWarning(UserWarning):
    """A documented exclusion (e.g. a subsystem missing from a wave)."""


@dataclass
class Change:
    """Change across waves.

    Attributes
    ----------
    levels : DataFrame
        ``wave, survey, [by...], subsystem, estimate, se, ci_low, ci_high, n`` and,
        from the second wave on, the change from the previous wave: ``change,
        se_change, z, p, p_fdr, significant``.
    relations : DataFrame
        The measured edges of every wave (``wave, source, target, weight, ci_low,
        ci_high, se_boot, p_fdr, significant``) with the change from the previous
        wave: ``change, se_change, z, p_change, p_change_fdr, changed``.
    lagged : DataFrame
        Cross-lagged unit-level regressions: ``relation, outcome, predictor, path
        (autoregressive / cross-lagged), coef, se, t, p, ci_low, ci_high, r2, n,
        n_units``.
    graphs : dict
        Wave → measured graph.
    excluded : list of str
        Subsystems left out because some wave lacks them.
    notes : list of str
        What was skipped and why.
    """

    levels: pd.DataFrame
    relations: pd.DataFrame
    lagged: pd.DataFrame
    graphs: dict = field(default_factory=dict)
    excluded: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """The changes that exceed their uncertainty (levels and relations)."""
        lv = self.levels[self.levels["significant"].fillna(False).astype(bool)]
        rel = self.relations[self.relations["changed"].fillna(False).astype(bool)]
        rows = [
            {"what": "level", "wave": r.wave, "item": f"{r.survey + ': ' if r.survey else ''}{r.subsystem}",
             "change": r.change, "p": r.p_fdr}
            for r in lv.itertuples()
        ] + [
            {"what": "relation", "wave": r.wave, "item": f"{r.source} – {r.target}", "change": r.change,
             "p": r.p_change_fdr}
            for r in rel.itertuples()
        ]
        return pd.DataFrame(rows, columns=["what", "wave", "item", "change", "p"])

    def __repr__(self) -> str:
        waves = list(pd.unique(self.levels["wave"]))
        text = (f"Change over waves {waves}: {len(self.summary())} changes beyond their uncertainty, "
                f"{len(self.lagged)} cross-lagged paths")
        return text + (f"; excluded: {', '.join(self.excluded)}" if self.excluded else "")

    def _repr_html_(self) -> str:
        return (
            f"<b>Change over {self.levels['wave'].nunique()} waves</b> — "
            f"{len(self.summary())} changes beyond their uncertainty"
            + (f"; excluded: {', '.join(self.excluded)}" if self.excluded else "")
            + "<br>" + self.summary().to_html(index=False)
        )


def _by_wave(scores_by_wave, wave: str) -> dict:
    if isinstance(scores_by_wave, pd.DataFrame):
        if wave not in scores_by_wave.columns:
            raise InputError(
                f"scores have no wave column {wave!r}", column=wave,
                hint="pass a dict {wave: scores} or name the wave column (wave=...)",
            )
        if scores_by_wave[wave].isna().any():
            row = scores_by_wave.index[int(np.argmax(scores_by_wave[wave].isna().to_numpy()))]
            raise InputError("the wave is missing", column=wave, row=row, hint="fill in the wave number")
        waves = {k: g for k, g in scores_by_wave.groupby(wave, sort=True)}
    elif isinstance(scores_by_wave, Mapping):
        waves = dict(sorted(scores_by_wave.items(), key=lambda kv: kv[0]))
    else:
        raise InputError(
            f"scores_by_wave must be a DataFrame with a wave column or a dict, got {type(scores_by_wave).__name__}",
            hint="e.g. {1: scores_wave1, 2: scores_wave2}",
        )
    if len(waves) < 2:
        raise InputError(
            f"change needs at least two waves, found {len(waves)}", value=list(waves),
            hint="add the scores of another survey wave",
        )
    return {k: (v if isinstance(v, Mapping) else {"": v}) for k, v in waves.items()}


def _present(table: pd.DataFrame) -> set:
    return {s for s in SUBSYSTEMS if s in table.columns and table[s].notna().any()}


def _common_subsystems(waves: dict, wanted) -> tuple[list, list]:
    per_wave = {k: set().union(*(_present(t) for t in tables.values())) for k, tables in waves.items()}
    every = set().union(*per_wave.values())
    common = set.intersection(*per_wave.values())
    if wanted:
        every &= set(wanted)
        common &= set(wanted)
    missing = sorted(every - common, key=list(SUBSYSTEMS).index)
    for s in missing:
        lacking = [k for k, present in per_wave.items() if s not in present]
        warnings.warn(
            f"subsystem {s!r} is missing from wave(s) {lacking} and is left out of the comparison",
            GraphWarning, stacklevel=3,
        )
    if len(common) < 2:
        raise InputError(
            f"fewer than two subsystems are measured in every wave (common: {sorted(common)})",
            hint="compare waves of the same questionnaire",
        )
    return [s for s in SUBSYSTEMS if s in common], missing


def _consecutive(frame: pd.DataFrame, keys: list, value: str, se: str) -> pd.DataFrame:
    """Add change from the previous wave within ``keys`` (independent samples)."""
    frame = frame.sort_values(["wave", *keys], kind="stable").copy()
    waves = list(pd.unique(frame["wave"]))
    prev = frame.copy()
    prev["wave"] = prev["wave"].map({w: waves[i + 1] for i, w in enumerate(waves[:-1])})
    prev = prev.dropna(subset=["wave"])[["wave", *keys, value, se]]
    merged = frame.merge(prev, on=["wave", *keys], how="left", suffixes=("", "_prev"))
    merged["change"] = merged[value] - merged[f"{value}_prev"]
    merged["se_change"] = np.sqrt(merged[se] ** 2 + merged[f"{se}_prev"] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        merged["z"] = merged["change"] / merged["se_change"]
    merged["_p"] = 2 * norm_sf(np.abs(merged["z"].to_numpy(dtype=float)))
    return merged.drop(columns=[f"{value}_prev", f"{se}_prev"])


def _fdr(p: pd.Series) -> pd.Series:
    out = pd.Series(np.nan, index=p.index)
    ok = p.notna()
    out[ok] = kernels.benjamini_hochberg(p[ok].to_numpy())
    return out


def _levels(waves, subsystems, weights, by, alpha) -> pd.DataFrame:
    from ..sampling import Design
    from ..validation import as_list

    frames = []
    for k, tables in waves.items():
        for survey, table in tables.items():
            cols = [s for s in subsystems if s in table.columns]
            if not cols:
                continue
            design = Design(table, weights=weights)
            est = design.mean(cols, by=by, confidence=1 - alpha).rename(columns={"variable": "subsystem"})
            est.insert(0, "survey", survey)
            est.insert(0, "wave", k)
            frames.append(est.drop(columns=["deff"], errors="ignore"))
    levels = pd.concat(frames, ignore_index=True)
    keys = ["survey", *as_list(by), "subsystem"]
    levels = _consecutive(levels, keys, "estimate", "se").rename(columns={"_p": "p"})
    levels["p_fdr"] = _fdr(levels["p"])
    levels["significant"] = (levels["p_fdr"] < alpha).astype("boolean").mask(levels["p"].isna())
    return levels.reset_index(drop=True)


def _relations(waves, subsystems, method, unit, weights, alpha, n_boot, seed, model):
    from .measured import edges_table, empirical

    rngs = np.random.default_rng(seed).spawn(len(waves))
    graphs, frames = {}, []
    for (k, tables), rng in zip(waves.items(), rngs, strict=True):
        data = tables[""] if list(tables) == [""] else tables
        G = empirical(data, method=method, unit=unit, weights=weights, alpha=alpha, n_boot=n_boot,
                      seed=rng, subsystems=subsystems, model=model)
        graphs[k] = G
        frame = edges_table(G)
        frame.insert(0, "wave", k)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table = _consecutive(table, ["source", "target"], "weight", "se_boot").rename(columns={"_p": "p_change"})
    table["p_change_fdr"] = _fdr(table["p_change"])
    table["changed"] = (table["p_change_fdr"] < alpha).astype("boolean").mask(table["p_change"].isna())
    return graphs, table.reset_index(drop=True)


def _resolve(columns: list, x: str, y: str) -> tuple[str, str] | None:
    xs = [c for c in columns if base_subsystem(c) == x]
    ys = [c for c in columns if base_subsystem(c) == y]
    if not xs or not ys:
        return None
    for cx in xs:
        for cy in ys:
            if cx.rsplit(":", 1)[0] == cy.rsplit(":", 1)[0] or ":" not in cx or ":" not in cy:
                return cx, cy
    return xs[0], ys[0]


def _ols(y: np.ndarray, X: np.ndarray, alpha: float) -> dict:
    """OLS with an intercept already in ``X``; classical standard errors."""
    n, k = X.shape
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    df = n - k
    sigma2 = resid @ resid / df
    cov = sigma2 * np.linalg.inv(X.T @ X)
    se = np.sqrt(np.diag(cov))
    tval = beta / se
    q = t_ppf(1 - alpha / 2, df)
    r2 = 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))
    return {"coef": beta, "se": se, "t": tval, "p": 2 * t_sf(np.abs(tval), df),
            "ci_low": beta - q * se, "ci_high": beta + q * se, "r2": r2, "n": n}


def _lagged(waves, subsystems, unit, weights, pairs, alpha, notes) -> pd.DataFrame:
    from .measured import unit_means

    columns = ["relation", "outcome", "predictor", "path", "coef", "se", "t", "p", "ci_low",
               "ci_high", "r2", "n", "n_units"]
    if unit is None:
        notes.append("cross-lagged paths need unit-level panels: pass unit='unit'")
        return pd.DataFrame(columns=columns)
    means = {k: unit_means(tables if list(tables) != [""] else tables[""], unit, weights, subsystems, min_size=5)
             for k, tables in waves.items()}
    keys = list(means)
    rows = []
    for x, y in pairs:
        nodes = [c for c in means[keys[0]].columns if c != "n" and not str(c).startswith("n_")]
        names = _resolve(nodes, x, y)
        if names is None:
            notes.append(f"no cross-lagged model for {x}–{y}: not measured in these surveys")
            continue
        cx, cy = names
        stacked = []
        for i, (a, b) in enumerate(zip(keys[:-1], keys[1:], strict=True)):
            panel = means[a][[cx, cy]].join(means[b][[cx, cy]], how="inner", suffixes=("_t", "_t1"))
            panel = panel.dropna()
            panel["_pair"] = i
            stacked.append(panel)
        panel = pd.concat(stacked)
        n_pairs = len(keys) - 1
        if len(panel) < 4 + n_pairs:
            notes.append(f"too few units followed over waves for {x}–{y} ({panel.index.nunique()})")
            continue
        dummies = [(panel["_pair"] == i).astype(float).to_numpy() for i in range(1, n_pairs)]
        for outcome, other in ((cy, cx), (cx, cy)):
            X = np.column_stack([np.ones(len(panel)), panel[f"{outcome}_t"], panel[f"{other}_t"], *dummies])
            fit = _ols(panel[f"{outcome}_t1"].to_numpy(), X, alpha)
            for j, (pred, path) in enumerate(((outcome, "autoregressive"), (other, "cross-lagged")), start=1):
                rows.append({
                    "relation": f"{x}–{y}", "outcome": f"{outcome}[t+1]", "predictor": f"{pred}[t]",
                    "path": path, **{s: float(fit[s][j]) for s in ("coef", "se", "t", "p", "ci_low", "ci_high")},
                    "r2": float(fit["r2"]), "n": int(fit["n"]), "n_units": int(panel.index.nunique()),
                })
    return pd.DataFrame(rows, columns=columns)


def change(
    scores_by_wave,
    method: str = "partial_correlation",
    unit: str | None = None,
    weights=None,
    by=None,
    alpha: float = 0.05,
    n_boot: int = 200,
    seed=None,
    subsystems=None,
    lagged=LAGGED,
    wave: str = "wave",
    model=None,
) -> Change:
    """Subsystem levels, measured relations and cross-lagged paths across waves.

    Parameters
    ----------
    scores_by_wave : DataFrame or dict
        One :func:`omsmethod.scoring.score` table with a ``wave`` column, or a dict
        ``{wave: scores}``; a wave's value may itself be a dict ``{survey: scores}``
        (e.g. customer and staff surveys, related at the unit level with ``unit=``).
    method : str
        Relation measure, as :func:`omsmethod.graph.empirical`.
    unit : str, optional
        Unit column: relations between unit means (see ``empirical``) and the
        cross-lagged panel.
    weights : str, optional
        Weight column (levels are weighted means; relations as ``empirical``).
    by : str or list, optional
        Domains for the levels (e.g. ``"unit"`` or ``"region"``).
    alpha : float
        Level of intervals and tests.
    n_boot : int
        Bootstrap resamples per wave for the relations' standard errors (at least 2).
    seed : int, optional
    subsystems : list of str, optional
    lagged : sequence of (x, y)
        Pairs for the cross-lagged model (default: customer–brand and staff–value).
    wave : str
        Wave column of a single table.

    Returns
    -------
    Change
        ``levels``, ``relations``, ``lagged``, ``graphs``, ``excluded``, ``notes`` and
        ``summary()``.

    Notes
    -----
    Successive waves are independent samples, so the standard error of a change is
    ``sqrt(se_t^2 + se_{t-1}^2)``: for levels with the Taylor-linearised SEs of
    :class:`omsmethod.sampling.Design` (weights, no strata/clusters — conservative for
    a stratified sample), for relations with the bootstrap SEs of each wave. ``z`` is
    referred to the normal distribution and ``significant``/``changed`` use the
    Benjamini–Hochberg ``p`` over all changes of the table.

    A subsystem missing from some wave is left out everywhere, with a
    :class:`GraphWarning`, and listed in ``excluded``.

    Cross-lagged panel (unit level): for each pair (x, y) and each pair of consecutive
    waves, the units present in both are stacked and
    ``y[t+1] = a + b y[t] + c x[t] (+ wave-pair dummies)`` and the same for ``x[t+1]``
    are fitted by OLS with classical standard errors (units of pooled wave pairs are
    treated as independent). ``c`` in the first is the customer → brand (or staff →
    value) lagged effect. Pairs whose subsystems are not in the data are skipped and
    noted. With several surveys, the pair is taken from one survey where possible.

    References
    ----------
    Finkel (1995) *Causal Analysis with Panel Data*, Sage (cross-lagged panel models).
    """
    if int(n_boot) < 2:
        raise InputError("change needs n_boot >= 2 for the relations' standard errors", value=n_boot)
    from ..validation import as_list

    waves = _by_wave(scores_by_wave, wave)
    common, missing = _common_subsystems(waves, as_list(subsystems))
    notes = [f"{s} left out: missing from at least one wave" for s in missing]
    levels = _levels(waves, common, weights, by, alpha)
    graphs, relations = _relations(waves, common, method, unit, weights, alpha, n_boot, seed, model)
    lag = _lagged(waves, common, unit, weights, list(lagged or ()), alpha, notes)
    return Change(levels=levels, relations=relations, lagged=lag, graphs=graphs, excluded=missing, notes=notes)
