"""Segments and channels: subsystem scores compared across groups with design-based tests.

:func:`profile` estimates each subsystem per segment level with
:meth:`omsmethod.sampling.Design.mean` and tests every level against the overall mean of
the same wave. The segment is part of the whole, so the two estimates are correlated;
the test uses the linearised influence values of the difference,
:math:`z_i = 1_{i \\in g} w_i (y_i - \\bar y_g)/W_g - w_i (y_i - \\bar y)/W`, summed
within PSUs and passed to the design's variance kernel (the Wald/z test of
``svycontrast`` on the two means in R). p-values are adjusted with Benjamini–Hochberg
over the whole table.

:func:`channel_consistency` applies it to channels (store, web, app, call centre) and
summarises, per subsystem, how much the experience differs between them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validation import as_list, require_columns, require_dataframe

__all__ = ["profile", "channel_consistency", "ChannelConsistency"]


def _design(data: pd.DataFrame, weights, strata, psu, fpc):
    from ..sampling import Design

    def usable(col):
        return col if col and col in data.columns and data[col].notna().all() else None

    return Design(
        data,
        weights=usable(weights),
        strata=usable(strata),
        psu=usable(psu),
        fpc=usable(fpc),
        lonely_psu="certainty",
    )


def _variables(scores: pd.DataFrame, subsystem) -> list[str]:
    from ..scoring import score_columns

    variables = as_list(subsystem) or score_columns(scores)
    require_columns(scores, variables, "scores")
    if not variables:
        raise InputError(
            "no subsystem score columns in the table",
            hint="pass the output of score() or ws.scores()",
        )
    return variables


def _one_wave(data: pd.DataFrame, by: str, variables, weights, strata, psu, fpc) -> pd.DataFrame:
    data = data.assign(
        **{by: data[by].astype(object).where(data[by].notna(), "(missing)").astype(str)}
    )
    design = _design(data, weights, strata, psu, fpc)
    w = design.weights
    seg_codes, levels = pd.factorize(data[by], sort=True)
    n_psu = len(design._psu_stratum)
    rows = []
    for v in variables:
        y = data[v].to_numpy(dtype=float)
        obs = ~np.isnan(y)
        yz = np.where(obs, y, 0.0)
        wo = np.where(obs, w, 0.0)
        W = wo.sum()
        mean = (wo * yz).sum() / W
        z_all = wo * (yz - mean) / W
        Wg = np.bincount(seg_codes, wo, len(levels))
        mg = np.bincount(seg_codes, wo * yz, len(levels)) / np.where(Wg > 0, Wg, np.nan)
        ng = np.bincount(seg_codes, obs.astype(float), len(levels))
        for g, level in enumerate(levels):
            if ng[g] == 0:
                continue
            inside = seg_codes == g
            z_g = np.where(inside, wo * (yz - mg[g]) / Wg[g], 0.0)
            totals = np.stack(
                [
                    np.bincount(design._psu, z_g, n_psu),
                    np.bincount(design._psu, z_g - z_all, n_psu),
                ],
                1,
            )
            var_g, var_d = design.variance(totals)
            rows.append(
                {
                    by: level,
                    "subsystem": v,
                    "estimate": mg[g],
                    "se": np.sqrt(var_g),
                    "n": int(ng[g]),
                    "overall": mean,
                    "difference": mg[g] - mean,
                    "difference_se": np.sqrt(var_d),
                }
            )
    return pd.DataFrame(rows)


def profile(
    scores: pd.DataFrame,
    by: str,
    subsystem=None,
    weights="weight",
    strata="stratum",
    psu="psu",
    fpc="fpc",
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compare subsystem scores across the levels of a segment (or channel).

    Parameters
    ----------
    scores : DataFrame
        :func:`omsmethod.scoring.score` or :meth:`Workspace.scores` output. With a
        ``wave`` column each wave is analysed with its own design.
    by : str
        The segment column (``channel``, ``city_tier``, ``value_tier``, ``age_group`` …).
    subsystem : str or list, optional
        Default: every subsystem and layer score in the table.
    weights, strata, psu, fpc : str, optional
        Design columns; a column that is absent or has missing values is not used.

    Returns
    -------
    DataFrame
        ``[wave,] <by>, subsystem, estimate, se, ci_low, ci_high, n, overall,
        difference, difference_se, z, p, p_fdr, significant``.

    Examples
    --------
    >>> from omsmethod import datasets, scoring
    >>> from omsmethod.workspace import profile
    >>> s = scoring.score(datasets.load("customer"), "customer")
    >>> t = profile(s, by="channel", subsystem="service", strata="unit", fpc="N_customers")
    >>> t[["channel", "n"]].to_dict("list")
    {'channel': ['app', 'call_centre', 'store', 'web'], 'n': [1013, 488, 2496, 1003]}
    """
    from statistics import NormalDist

    from ..distributions import norm_sf
    from .tracking import fdr_bh

    require_dataframe(scores, "scores")
    require_columns(scores, [by], "scores")
    variables = _variables(scores, subsystem)
    parts = []
    if "wave" in scores.columns and scores["wave"].nunique() > 1:
        for wave, data in scores.groupby("wave", sort=True):
            parts.append(
                _one_wave(
                    data.reset_index(drop=True), by, variables, weights, strata, psu, fpc
                ).assign(wave=wave)
            )
    else:
        part = _one_wave(scores.reset_index(drop=True), by, variables, weights, strata, psu, fpc)
        if "wave" in scores.columns:
            part["wave"] = scores["wave"].iloc[0]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    q = NormalDist().inv_cdf(0.5 + confidence / 2)
    out["ci_low"] = out["estimate"] - q * out["se"]
    out["ci_high"] = out["estimate"] + q * out["se"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["z"] = out["difference"] / out["difference_se"]
    out["p"] = 2 * norm_sf(np.abs(out["z"].to_numpy(dtype=float)))
    out["p_fdr"] = fdr_bh(out["p"].to_numpy())
    out["significant"] = out["p_fdr"] < alpha
    front = (["wave"] if "wave" in out.columns else []) + [
        by,
        "subsystem",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "n",
    ]
    return out[front + [c for c in out.columns if c not in front]]


@dataclass
class ChannelConsistency:
    """Per-channel scores (``channels``) and the consistency summary per subsystem (``summary``)."""

    channels: pd.DataFrame
    summary: pd.DataFrame

    def _repr_html_(self) -> str:
        return "<p><b>Channel consistency</b></p>" + self.summary.to_html(index=False)


def channel_consistency(
    scores: pd.DataFrame,
    channel: str = "channel",
    subsystem=None,
    scale=None,
    alpha: float = 0.05,
    **design,
) -> ChannelConsistency:
    """How consistent the customer experience is across channels.

    Parameters
    ----------
    scores : DataFrame
        Scores with a channel column (:meth:`Workspace.scores` or ``scoring.score``).
    channel : str
        The channel column.
    scale : (float, float), optional
        Scale range of the scores (default: ``scores.attrs`` ``scale_min``/``scale_max``,
        else 1–5).
    **design
        ``weights, strata, psu, fpc`` columns for :func:`profile`.

    Returns
    -------
    ChannelConsistency
        ``channels``: the :func:`profile` table by channel; ``summary`` per (wave,)
        subsystem: ``n_channels, lowest, highest, spread`` (highest − lowest channel
        mean), ``consistency = 1 - spread / (scale_max - scale_min)`` (1: every channel
        the same; 0: one channel at the top of the scale, another at the bottom), and
        ``deviating``: the channels whose mean differs significantly (FDR) from the
        overall mean, with the sign (``web-``).

    Examples
    --------
    >>> from omsmethod import datasets, scoring
    >>> from omsmethod.workspace import channel_consistency
    >>> s = scoring.score(datasets.load("customer"), "customer")
    >>> c = channel_consistency(s, subsystem="service", strata="unit", fpc="N_customers")
    >>> c.summary[["subsystem", "n_channels"]].to_dict("records")
    [{'subsystem': 'service', 'n_channels': 4}]
    """
    table = profile(scores, by=channel, subsystem=subsystem, alpha=alpha, **design)
    lo, hi = scale or (scores.attrs.get("scale_min", 1.0), scores.attrs.get("scale_max", 5.0))
    if not hi > lo:
        raise InputError("scale must be (min, max) with max > min", value=scale)
    keys = (["wave"] if "wave" in table.columns else []) + ["subsystem"]
    rows = []
    for key, part in table.groupby(keys, sort=False):
        part = part.sort_values("estimate")
        spread = float(part["estimate"].iloc[-1] - part["estimate"].iloc[0])
        dev = part[part["significant"]]
        rows.append(
            {
                **dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)),
                "n_channels": len(part),
                "lowest": part[channel].iloc[0],
                "highest": part[channel].iloc[-1],
                "spread": spread,
                "consistency": 1 - spread / (hi - lo),
                "deviating": ",".join(
                    f"{c}{'+' if d > 0 else '-'}"
                    for c, d in zip(dev[channel], dev["difference"], strict=True)
                ),
            }
        )
    return ChannelConsistency(channels=table, summary=pd.DataFrame(rows))
