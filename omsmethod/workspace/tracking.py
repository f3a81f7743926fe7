"""Tracking over waves: design-based trends, tests of change, early warnings, projections.

The estimates are the weighted means of R ``survey::svymean`` / :meth:`Design.mean`
(``by=`` domains) for each wave's own design (its stored weights, strata, PSUs and fpc),
computed from a handful of sums DuckDB aggregates over the ``scores`` table, so a
million respondents become a small table before numpy touches them.

Variance from sums
------------------
For domain ``d`` with weighted mean :math:`\\bar y_d = Y_d / W_d`, the linearised
influence value of respondent ``i`` is :math:`z_i = w_i (y_i - \\bar y_d) / W_d` inside
the domain (and 0 outside it or when ``y_i`` is missing). Its Taylor variance is

.. math::

    V = \\sum_h (1 - f_h) \\frac{n_h}{n_h - 1}
        \\Big( \\sum_{c \\in h} z_c^2 - \\frac{(\\sum_{c \\in h} z_c)^2}{n_h} \\Big)

with :math:`z_c` the PSU totals and :math:`n_h` the PSUs of stratum ``h`` (all of them,
inside the domain or not). Without clusters each respondent is a PSU and
:math:`\\sum z_i^2 = (S_{w^2y^2} - 2\\bar y S_{w^2y} + \\bar y^2 S_{w^2}) / W^2`, so the
sums per (wave, stratum, domain) of :math:`w, wy, wy^2, w^2, w^2y, w^2y^2` suffice; with
clusters the sums are taken per PSU. A stratum with one PSU adds nothing (R's
``survey.lonely.psu="certainty"``); :meth:`Design.mean` raises there instead.

Change between waves
--------------------
Successive waves are independent samples, so the difference of two estimates has
:math:`se = \\sqrt{se_1^2 + se_2^2}` (:func:`difference`); the z test's two-sided
p-values are adjusted over the whole table with Benjamini–Hochberg (FDR).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validation import as_list
from .schema import SCORE_COLUMNS
from .store import _values

__all__ = [
    "trend",
    "difference",
    "fdr_bh",
    "project",
    "alerts",
    "means_from_sums",
    "sums_sql",
    "strata_facts",
]

_LAYERS = ("core", "control", "external")
_SUMS = ("n", "sw", "swy", "swy2", "sw2", "sw2y", "sw2y2")
_BY_COLUMNS = ("unit", "region", "channel")


def difference(m1, se1, m2, se2):
    """Change ``m2 - m1`` between two independent samples and its standard error.

    Returns ``(d, se)`` with ``se = sqrt(se1**2 + se2**2)`` (independent waves: no
    covariance term). Arrays broadcast.

    Examples
    --------
    >>> difference(3.0, 0.03, 3.1, 0.04)
    (0.10000000000000009, 0.05)
    """
    d = np.subtract(m2, m1)
    se = np.sqrt(np.square(se1) + np.square(se2))
    if np.ndim(d) == 0:
        return float(d), float(se)
    return d, se


def fdr_bh(p) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (NaN stays NaN), as R's ``p.adjust(p, "BH")``.

    Examples
    --------
    >>> fdr_bh([0.01, 0.04, 0.03, np.nan]).round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    """
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    q = p[ok]
    order = np.argsort(q)[::-1]
    ranked = q[order] * m / np.arange(m, 0, -1)
    adj = np.minimum(1.0, np.minimum.accumulate(ranked))
    back = np.empty(m)
    back[order] = adj
    out[ok] = back
    return out


def sums_sql(variables, by, where: str = "TRUE", weights: str | None = None) -> str:
    """The aggregation query: per-(instrument, wave, stratum, PSU, domain) sums.

    ``weights`` names a set in the ``weights`` table (default: the design weight); only
    respondents that have it take part.
    """
    dom = "".join(f', r."{b}"' for b in by)
    w = "r.weight" if weights is None else "wt.weight"
    aggs = []
    for v in variables:
        y = f'r."{v}"'
        aggs += [
            f"count({y})",
            f"sum(CASE WHEN {y} IS NOT NULL THEN {w} END)",
            f"sum({w} * {y})",
            f"sum({w} * {y} * {y})",
            f"sum(CASE WHEN {y} IS NOT NULL THEN {w} * {w} END)",
            f"sum({w} * {w} * {y})",
            f"sum({w} * {w} * {y} * {y})",
        ]
    cols = ", ".join(
        f'{a} AS "{v}__{k}"'
        for a, (v, k) in zip(aggs, [(v, k) for v in variables for k in _SUMS], strict=True)
    )
    join = ""
    if weights is not None:
        name = weights.replace("'", "''")
        join = f"JOIN weights wt ON wt.row_id = r.row_id AND wt.name = '{name}' "
    source = (
        f"scores r {join}WHERE r.import_id IN (SELECT import_id FROM imports WHERE superseded_by IS NULL) "
        f"AND {where}"
    )
    return (
        f"SELECT r.instrument, r.wave, r.stratum, r.psu{dom}, count(*) AS _rows, max(r.fpc) AS _fpc, "
        f"{cols} FROM {source} GROUP BY r.instrument, r.wave, r.stratum, r.psu{dom}"
    )


def strata_facts(groups: pd.DataFrame) -> pd.DataFrame:
    """PSUs and fpc per (instrument, wave, stratum) from the group sums (no second scan).

    A group without a PSU id holds ``_rows`` single-respondent PSUs; PSU ids are counted
    once per stratum however many domains they appear in.
    """
    keys = ["instrument", "wave", "stratum"]
    loose = groups["psu"].isna()
    singles = groups[loose].groupby(keys, dropna=False)["_rows"].sum()
    clusters = groups[~loose].groupby(keys, dropna=False)["psu"].nunique()
    fpc = groups.groupby(keys, dropna=False)["_fpc"].max()
    n_psu = singles.reindex(fpc.index, fill_value=0) + clusters.reindex(fpc.index, fill_value=0)
    return pd.DataFrame({"n_psu": n_psu, "fpc": fpc}).reset_index()


def means_from_sums(
    groups: pd.DataFrame, strata: pd.DataFrame, variables, by, confidence=0.95
) -> pd.DataFrame:
    """Domain means, Taylor SEs and design effects from the sums of :func:`sums_sql`.

    Parameters
    ----------
    groups : DataFrame
        One row per (instrument, wave, stratum, psu, domain) with ``<variable>__<sum>``
        columns (sums ``n, sw, swy, swy2, sw2, sw2y, sw2y2`` over rows with the variable
        observed); ``psu`` NULL means each respondent of the group is its own PSU.
    strata : DataFrame
        ``instrument, wave, stratum, n_psu, fpc`` (fpc: population PSUs, a sampling
        fraction <= 1, or NaN for none).
    """
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    dkeys = ["instrument", "wave", *by]
    d, dtab = _codes(groups, dkeys)
    hkey = ["instrument", "wave", "stratum"]
    facts = groups[hkey].merge(strata, on=hkey, how="left")
    n_h = facts["n_psu"].to_numpy(dtype=float)
    fpc = facts["fpc"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(np.isnan(fpc), 0.0, np.where(fpc <= 1, fpc, n_h / fpc))
        scale = np.where(n_h > 1, (1 - f) * n_h / (n_h - 1), 0.0)
    hd, hd_tab = _codes(groups.assign(_d=d), [*hkey, "_d"])
    hd_first = np.zeros(hd_tab.shape[0], dtype=np.int64)
    hd_first[hd] = np.arange(len(hd))
    cluster = groups["psu"].notna().to_numpy()
    n_dom = len(dtab)
    parts = []
    for v in variables:
        s = {k: groups[f"{v}__{k}"].to_numpy(dtype=float) for k in _SUMS}
        s = {k: np.nan_to_num(a) for k, a in s.items()}
        W = np.bincount(d, s["sw"], n_dom)
        Y = np.bincount(d, s["swy"], n_dom)
        n = np.bincount(d, s["n"], n_dom)
        with np.errstate(divide="ignore", invalid="ignore"):
            ybar = Y / W
            yb = ybar[d]
            B = (s["swy"] - yb * s["sw"]) / W[d]
            A = np.where(
                cluster, B * B, (s["sw2y2"] - 2 * yb * s["sw2y"] + yb * yb * s["sw2"]) / W[d] ** 2
            )
            SA = np.bincount(hd, A, len(hd_tab))
            SB = np.bincount(hd, B, len(hd_tab))
            nh = n_h[hd_first]
            contrib = scale[hd_first] * (SA - SB * SB / nh)
            var = np.bincount(hd_tab["_d"].to_numpy(), contrib, n_dom)
            Syy = np.bincount(d, s["swy2"], n_dom)
            ss = Syy - ybar * Y
            s2 = ss / W * n / (n - 1)
            vsrs = np.where(W < n, np.nan, s2 * (W - n) / (W * n))
            deff = var / vsrs
        se = np.sqrt(np.maximum(var, 0.0))
        part = dtab.copy()
        part["subsystem"] = v
        part["estimate"] = ybar
        part["se"] = se
        part["ci_low"] = ybar - z * se
        part["ci_high"] = ybar + z * se
        part["deff"] = deff
        part["n"] = n.astype(np.int64)
        parts.append(part[n > 0])
    return pd.concat(parts, ignore_index=True)


def _codes(frame: pd.DataFrame, keys) -> tuple[np.ndarray, pd.DataFrame]:
    grouped = frame.groupby(list(keys), sort=True, dropna=False).ngroup().to_numpy()
    table = frame[list(keys)].assign(_code=grouped).drop_duplicates("_code").sort_values("_code")
    return grouped.astype(np.int64), table.drop(columns="_code").reset_index(drop=True)


def trend(
    ws,
    subsystem=None,
    by="unit",
    instrument=None,
    wave=None,
    alpha: float = 0.05,
    confidence: float = 0.95,
    weights: str | None = None,
) -> pd.DataFrame:
    """Every subsystem and layer per wave (and unit/region/channel) with a test of change.

    Parameters
    ----------
    ws : Workspace
    subsystem : str or list, optional
        Subsystems/layers to track (default: all the questionnaires measure).
    by : str or list, optional
        ``"unit"`` (default), ``"region"``, ``"channel"`` or None (the whole client).
    instrument : str, optional
        Questionnaire id (default: every one imported).
    wave : int or list, optional
        Restrict to these waves.
    alpha : float
        FDR level of the ``significant`` column.
    weights : str, optional
        A named weight set added with :meth:`Workspace.add_weights` (e.g. raked
        weights) instead of the design weights; respondents without it are left out.

    Returns
    -------
    DataFrame
        ``instrument, wave, <by>, subsystem, level, estimate, se, ci_low, ci_high, deff,
        n, previous_wave, change, change_se, z, p, p_fdr, significant`` — the change
        columns compare with the same instrument/domain/subsystem's previous wave
        present in the table (NaN in its first wave).
    """
    by = as_list(by)
    for b in by:
        if b not in _BY_COLUMNS:
            raise InputError("trend can be split by unit, region or channel", value=b, column="by")
    variables = as_list(subsystem)
    unknown = [v for v in variables if v not in SCORE_COLUMNS]
    if unknown:
        raise InputError(
            "unknown subsystem", value=unknown[0], hint=f"use one of {', '.join(SCORE_COLUMNS)}"
        )
    clauses, params = ["TRUE"], []
    if instrument is not None:
        clauses.append("r.instrument = ?")
        params.append(instrument if isinstance(instrument, str) else instrument.id)
    if wave is not None:
        waves = [int(w) for w in _values(wave)]
        clauses.append(f"r.wave IN ({','.join('?' * len(waves))})")
        params += waves
    with ws._read() as con:
        variables = variables or _measured(con, params[0] if params else None)
        groups_sql = sums_sql(variables, by, " AND ".join(clauses), weights)
        groups = con.execute(groups_sql, params).df()
    if groups.empty:
        raise InputError("the workspace has no responses to track", hint="import a wave first")
    table = means_from_sums(groups, strata_facts(groups), variables, by, confidence)
    table["level"] = np.where(table["subsystem"].isin(_LAYERS), "layer", "subsystem")
    return change_tests(table, ["instrument", *by, "subsystem"], alpha)


def _measured(con, instrument) -> list[str]:
    """Score columns the current imports measure (subsystems with Likert items, their layers)."""
    from ..model import load

    sql = (
        "SELECT DISTINCT it.subsystem FROM items it JOIN imports i ON i.checksum = it.checksum "
        "WHERE it.kind = 'likert' AND i.superseded_by IS NULL"
    )
    found = con.execute(
        sql + (" AND i.instrument = ?" if instrument else ""), [instrument] if instrument else []
    ).df()
    subsystems = set(found["subsystem"].dropna())
    layers = {layer for s, layer in load().layer_of.items() if s in subsystems}
    return [c for c in SCORE_COLUMNS if c in subsystems or c in layers]


def change_tests(table: pd.DataFrame, keys, alpha: float = 0.05) -> pd.DataFrame:
    """Add the change since the previous wave within ``keys``, its z test and FDR p-values."""
    from ..distributions import norm_cdf

    table = table.sort_values([*keys, "wave"], kind="stable").reset_index(drop=True)
    grouped = table.groupby(list(keys), sort=False, dropna=False)
    table["previous_wave"] = grouped["wave"].shift(1)
    prev_est = grouped["estimate"].shift(1)
    prev_se = grouped["se"].shift(1)
    change, change_se = difference(
        prev_est.to_numpy(),
        prev_se.to_numpy(),
        table["estimate"].to_numpy(),
        table["se"].to_numpy(),
    )
    table["change"] = change
    table["change_se"] = change_se
    with np.errstate(divide="ignore", invalid="ignore"):
        table["z"] = change / change_se
    table["p"] = 2 * norm_cdf(-np.abs(table["z"].to_numpy()))
    table["p_fdr"] = fdr_bh(table["p"].to_numpy())
    table["significant"] = table["p_fdr"] < alpha
    table["previous_wave"] = table["previous_wave"].astype("Int64")
    front = [
        "instrument",
        "wave",
        *[k for k in keys if k not in ("instrument", "subsystem")],
        "subsystem",
        "level",
    ]
    return table[front + [c for c in table.columns if c not in front]]


def project(
    trend_table: pd.DataFrame, confidence: float = 0.95, min_waves: int = 3
) -> pd.DataFrame:
    """Projection of the next wave per domain × subsystem with a prediction interval.

    An ordinary least-squares line of the estimate on the wave number is fitted per
    group with at least ``min_waves`` waves; the next wave's value gets the OLS
    prediction interval for a new observation,
    :math:`\\hat y_0 \\pm t_{k-2} s \\sqrt{1 + 1/k + (x_0 - \\bar x)^2 / S_{xx}}`
    (statsmodels ``OLS(...).get_prediction(x0).summary_frame()["obs_ci_*"]``).
    The fit uses the wave estimates, so the interval includes both the sampling error
    and the wave-to-wave variation around the line. With three waves it has one degree
    of freedom and is wide — honestly so.

    Returns
    -------
    DataFrame
        ``<keys>, waves, next_wave, slope, projected, se_prediction, pi_low, pi_high``.
    """
    from ..distributions import t_ppf

    keys = [c for c in trend_table.columns if c in ("instrument", *_BY_COLUMNS, "subsystem")]
    frame = trend_table[[*keys, "wave", "estimate"]].dropna(subset=["estimate"])
    frame = frame.assign(x=frame["wave"].astype(float), y=frame["estimate"])
    g = frame.groupby(keys, sort=True, dropna=False)
    k = g["x"].count()
    xbar, ybar = g["x"].mean(), g["y"].mean()
    dev_x = frame["x"] - g["x"].transform("mean")
    dev_y = frame["y"] - g["y"].transform("mean")
    sxx = (dev_x**2).groupby([frame[c] for c in keys], dropna=False).sum()
    sxy = (dev_x * dev_y).groupby([frame[c] for c in keys], dropna=False).sum()
    out = pd.DataFrame(
        {"waves": k, "xbar": xbar, "ybar": ybar, "sxx": sxx, "sxy": sxy, "last": g["x"].max()}
    )
    out = out[out["waves"] >= min_waves]
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = out["sxy"] / out["sxx"]
    intercept = out["ybar"] - slope * out["xbar"]
    fitted = frame.join(pd.DataFrame({"_a": intercept, "_b": slope}), on=keys, how="inner")
    resid = fitted["y"] - fitted["_a"] - fitted["_b"] * fitted["x"]
    rss = (resid**2).groupby([fitted[c] for c in keys], dropna=False).sum().reindex(out.index)
    df = out["waves"] - 2
    s = np.sqrt(rss / df)
    x0 = out["last"] + 1
    pred = intercept + slope * x0
    se = s * np.sqrt(1 + 1 / out["waves"] + (x0 - out["xbar"]) ** 2 / out["sxx"])
    q = t_ppf(0.5 + confidence / 2, df)
    result = pd.DataFrame(
        {
            "waves": out["waves"].astype(int),
            "next_wave": x0.astype(int),
            "slope": slope,
            "projected": pred,
            "se_prediction": se,
            "pi_low": pred - q * se,
            "pi_high": pred + q * se,
        },
        index=out.index,
    )
    return result.reset_index()


_projection = project


def _in_period(frame, sub_col, start, end, where, subsystems, parent):
    """Rows of a log/actions table dated in (start, end], for the unit and subsystems."""
    if frame.empty or pd.isna(end):
        return frame.iloc[0:0]
    dates = pd.to_datetime(frame["date"])
    keep = (dates > start) & (dates <= end)
    keep &= frame["unit"].map(
        lambda u: u is None or pd.isna(u) or where is None or u == where or parent.get(u) == where
    )
    keep &= frame[sub_col].map(
        lambda s: s is None or pd.isna(s) or bool(subsystems & set(str(s).split(",")))
    )
    return frame[keep]


def _period_text(ws, table: pd.DataFrame, by) -> pd.DataFrame:
    """The log entries and actions between the previous wave's end and this wave's end."""
    from ..model import load

    waves = ws.waves().set_index("wave")
    log = ws.log_entries()
    acts = ws.actions()
    parent = ws.units().set_index("unit")["parent"].to_dict()
    layer_of = load().layer_of
    members = {layer: {s for s, lay in layer_of.items() if lay == layer} for layer in _LAYERS}
    unit_col = by[0] if by else None
    texts, counts, atexts, acounts = [], [], [], []
    for row in table.to_dict("records"):
        end = (
            pd.Timestamp(waves.at[row["wave"], "end_date"])
            if row["wave"] in waves.index
            else pd.NaT
        )
        prev = row.get("previous_wave")
        if prev is not None and not pd.isna(prev) and prev in waves.index:
            start = pd.Timestamp(waves.at[prev, "end_date"])
        else:
            start = end - pd.Timedelta(days=120) if not pd.isna(end) else pd.NaT
        subsystems = members.get(row["subsystem"], {row["subsystem"]})
        where = row.get(unit_col) if unit_col else None
        hits = _in_period(log, "subsystems", start, end, where, subsystems, parent)
        texts.append(
            "; ".join(
                f"{pd.Timestamp(d).date()} [{c}] {s}"
                for d, c, s in zip(hits["date"], hits["category"], hits["summary"], strict=True)
            )
        )
        counts.append(len(hits))
        done = _in_period(acts, "subsystem", start, end, where, subsystems, parent)
        atexts.append(
            "; ".join(
                f"{pd.Timestamp(d).date()} {s}"
                for d, s in zip(done["date"], done["description"], strict=True)
            )
        )
        acounts.append(len(done))
    return table.assign(n_log=counts, log=texts, n_actions=acounts, actions=atexts)


def alerts(
    ws, threshold=None, by="unit", instrument=None, alpha: float = 0.05, project: bool = True
) -> pd.DataFrame:
    """The method's early warning: what changed, where, whether it is real, and what happened.

    An alert is raised for a domain × subsystem (or layer) whose change since the previous
    wave is significant after FDR (``kind="change"``), whose level is below
    ``threshold`` (``"below_threshold"``, on the questionnaire's scale, e.g. 3.0 on 1–5),
    or — with three or more waves — whose projected next-wave level is below the
    threshold (``"projected_below"``). Each alert carries the information-log entries
    and actions dated between the previous wave's end and its wave's end, for its unit
    (or its region, or the whole client) and subsystem (a layer matches its subsystems).

    Returns
    -------
    DataFrame
        ``kind, instrument, wave, <by>, subsystem, level, estimate, se, previous_wave,
        change, change_se, p_fdr, projected, pi_low, pi_high, n_log, log, n_actions,
        actions``.
    """
    by = as_list(by)
    table = trend(ws, by=by, instrument=instrument, alpha=alpha)
    last = table.groupby(["instrument", *by, "subsystem"], dropna=False)["wave"].transform("max")
    keys = ["instrument", *by, "subsystem"]
    proj = _projection(table) if project else pd.DataFrame(columns=[*keys, "projected"])
    flagged = [table[table["significant"]].assign(kind="change")]
    if threshold is not None:
        flagged.append(table[table["estimate"] < threshold].assign(kind="below_threshold"))
    out = pd.concat(flagged, ignore_index=True)
    if project and len(proj):
        out = out.merge(proj[[*keys, "projected", "pi_low", "pi_high"]], on=keys, how="left")
        latest = (
            out["wave"]
            == out.merge(
                table.assign(_last=last)[[*keys, "wave", "_last"]], on=[*keys, "wave"], how="left"
            )["_last"]
        )
        out.loc[~latest.to_numpy(), ["projected", "pi_low", "pi_high"]] = np.nan
        if threshold is not None:
            low = proj[proj["projected"] < threshold].merge(
                table.assign(_last=last).query("wave == _last").drop(columns="_last"),
                on=keys,
                how="left",
            )
            out = pd.concat([out, low.assign(kind="projected_below")], ignore_index=True)
    else:
        out = out.assign(projected=np.nan, pi_low=np.nan, pi_high=np.nan)
    cols = [
        "kind",
        "instrument",
        "wave",
        *by,
        "subsystem",
        "level",
        "estimate",
        "se",
        "previous_wave",
        "change",
        "change_se",
        "p_fdr",
        "projected",
        "pi_low",
        "pi_high",
    ]
    out = (
        out.reindex(columns=cols)
        .sort_values(["wave", "kind", "p_fdr"], kind="stable")
        .reset_index(drop=True)
    )
    return _period_text(ws, out, by)
