"""Renewal ("update in proportion"): whom to train each period to keep a trained share.

Each period a share ``turnover`` of a group leaves (trained and untrained alike) and is
replaced by untrained newcomers (the group grows by ``growth``). To end the period with
at least ``target_share`` trained, ``ceil(target * size_end - trained * (1 - turnover))``
people are trained (never fewer than 0, never more than ``capacity`` or the untrained).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validation import require_columns, require_dataframe, require_numeric

__all__ = ["renewal_plan"]


def _per_group(groups: pd.DataFrame, value, name: str) -> np.ndarray:
    if isinstance(value, str):
        require_columns(groups, [value], "groups")
        out = require_numeric(groups, value, allow_missing=False)
    elif isinstance(value, dict):
        missing = [g for g in groups["_group"] if g not in value]
        if missing:
            raise InputError(
                f"{name} has no value for group {missing[0]!r}",
                value=missing[0],
                hint=f"give {name} for every group or one number",
            )
        out = np.array([float(value[g]) for g in groups["_group"]])
    else:
        out = np.full(len(groups), float(value))
    return out


def renewal_plan(
    groups: pd.DataFrame,
    turnover,
    target_share,
    periods: int,
    group: str = "group",
    size: str = "size",
    trained: str = "trained",
    growth=0.0,
    capacity=None,
) -> pd.DataFrame:
    """Staff, partners and customers to train or renew each period to hold a trained share.

    Parameters
    ----------
    groups : pandas.DataFrame
        One row per group (e.g. ``staff``, ``partners``, ``customers``, or per unit),
        with its ``size`` and the number already ``trained``.
    turnover : float, dict or str
        Share leaving per period, in [0, 1): one value, ``{group: value}`` or a column.
    target_share : float, dict or str
        Trained share to hold at the end of every period, in [0, 1].
    periods : int
        Number of periods planned.
    growth : float, dict or str
        Net growth of the group per period (0.05 = +5%).
    capacity : float, dict or str, optional
        Most people that can be trained per period.

    Returns
    -------
    pandas.DataFrame
        One row per group × period: ``group, period, size_start, leavers, joiners,
        size_end, trained_start, trained_lost, to_train, trained_end, share_end,
        target_share, on_target``.

    Examples
    --------
    >>> import pandas as pd
    >>> from omsmethod.ratio import renewal_plan
    >>> g = pd.DataFrame({"group": ["staff"], "size": [200], "trained": [100]})
    >>> renewal_plan(g, turnover=0.1, target_share=0.8, periods=3)["to_train"].tolist()
    [70, 16, 16]
    """
    require_dataframe(groups, "groups")
    require_columns(groups, [group, size, trained], "groups")
    g = pd.DataFrame({"_group": groups[group].astype(str).to_numpy()})
    n = require_numeric(groups, size, allow_missing=False)
    t = require_numeric(groups, trained, allow_missing=False)
    if (n < 0).any() or (t < 0).any() or (t > n).any():
        i = int(np.argmax((n < 0) | (t < 0) | (t > n)))
        raise InputError(
            "needs 0 <= trained <= size",
            column=trained,
            row=groups.index[i],
            value=t[i],
            hint="check the head counts",
        )
    tau = _per_group(g, turnover, "turnover")
    p = _per_group(g, target_share, "target_share")
    grow = _per_group(g, growth, "growth")
    cap = None if capacity is None else _per_group(g, capacity, "capacity")
    if ((tau < 0) | (tau >= 1)).any():
        raise InputError("turnover must lie in [0, 1)", value=float(tau[(tau < 0) | (tau >= 1)][0]))
    if ((p < 0) | (p > 1)).any():
        raise InputError("target_share must lie in [0, 1]", value=float(p[(p < 0) | (p > 1)][0]))
    if (grow <= -1).any():
        raise InputError("growth must be > -1", value=float(grow[grow <= -1][0]))
    if int(periods) < 1:
        raise InputError("periods must be >= 1", value=periods)
    rows = []
    n = np.round(n).astype(int)
    t = np.round(t).astype(int)
    for period in range(1, int(periods) + 1):
        leavers = np.round(n * tau).astype(int)
        size_end = np.round(n * (1 + grow)).astype(int)
        joiners = size_end - n + leavers
        lost = np.round(t * tau).astype(int)
        kept = t - lost
        need = np.maximum(np.ceil(p * size_end - kept - 1e-9), 0).astype(int)
        need = np.minimum(need, size_end - kept)
        if cap is not None:
            need = np.minimum(need, np.floor(cap).astype(int))
        t_end = kept + need
        rows.append(
            pd.DataFrame(
                {
                    "group": g["_group"],
                    "_order": np.arange(len(g)),
                    "period": period,
                    "size_start": n,
                    "leavers": leavers,
                    "joiners": joiners,
                    "size_end": size_end,
                    "trained_start": t,
                    "trained_lost": lost,
                    "to_train": need,
                    "trained_end": t_end,
                    "share_end": np.where(size_end > 0, t_end / np.maximum(size_end, 1), np.nan),
                    "target_share": p,
                }
            )
        )
        n, t = size_end, t_end
    out = pd.concat(rows, ignore_index=True)
    out["on_target"] = out["share_end"] >= out["target_share"] - 1e-12
    out = out.sort_values(["_order", "period"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)
