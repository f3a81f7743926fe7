"""Synthetic operational data for the service-ratio analysis (units and intervals).

The satisfaction of each unit is drawn around a KNOWN response curve, so the optimum of
:func:`omsmethod.ratio.optimise_ratio` is known in advance:

.. math:: s(r) = \\alpha + \\beta \\ln r + \\delta_{channel} + u, \\qquad u \\sim N(0, \\tau^2)

measured with survey noise :math:`N(0, \\sigma^2 / m)` for ``m`` respondents. With value
``v`` per customer per satisfaction point and cost ``c`` per staff member (same period),
net value per customer is :math:`v s(r) - c / r`, maximal at

.. math:: r^* = -c / (v \\beta).

Defaults: :math:`\\alpha = 130`, :math:`\\beta = -8`, ``v = 5``, ``c = 60000`` →
:math:`r^* = 1500` customers per staff member, expected satisfaction
:math:`130 - 8 \\ln 1500 \\approx 71.5` (plus the channel shift).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["generate_units", "generate_intervals", "UNIT_PARAMETERS", "planted_optimum"]

#: Generating parameters of :func:`generate_units` (documented defaults).
UNIT_PARAMETERS = {
    "alpha": 130.0,
    "beta": -8.0,
    "value_per_point": 5.0,
    "staff_cost": 60000.0,
    "unit_sd": 1.5,
    "respondent_sd": 15.0,
    "ratio_range": (300.0, 5000.0),
    "channel_shift": {"branch": 0.0, "phone": -2.0, "online": 1.0},
    "aht_seconds": {"branch": 420.0, "phone": 300.0, "online": 240.0},
    "contacts_per_customer": 2.0,
    "opening_hours": 3000.0,
}


def planted_optimum(beta: float = -8.0, value_per_point: float = 5.0, staff_cost: float = 60000.0):
    """Analytic optimum ratio ``-staff_cost / (value_per_point * beta)`` of the planted curve.

    Examples
    --------
    >>> from omsmethod.datasets.operations import planted_optimum
    >>> planted_optimum()
    1500.0
    """
    return -staff_cost / (value_per_point * beta)


def generate_units(
    n_units: int = 60,
    seed: int | None = 2006,
    unit_ids: list[str] | None = None,
    alpha: float = 130.0,
    beta: float = -8.0,
    value_per_point: float = 5.0,
    staff_cost: float = 60000.0,
    unit_sd: float = 1.5,
    respondent_sd: float = 15.0,
    ratio_range: tuple[float, float] = (300.0, 5000.0),
) -> pd.DataFrame:
    """Unit-level operational data generated from a known response curve.

    Parameters
    ----------
    n_units : int
        Number of units (ignored when ``unit_ids`` is given).
    seed : int, optional
        Seed of the numpy Generator.
    unit_ids : list of str, optional
        Unit identifiers (e.g. the survey's ``"B01"``…); default ``B01``, ``B02``, ….
    alpha, beta : float
        Planted curve ``satisfaction = alpha + beta * ln(customers_per_staff)`` (+ channel
        shift branch 0, phone −2, online +1, and a unit effect with sd ``unit_sd``).
    value_per_point, staff_cost : float
        Value of one satisfaction point per customer per year and the cost of one staff
        member per year; stored as columns; the planted optimum is
        ``-staff_cost / (value_per_point * beta)`` (1500 by default).
    respondent_sd : float
        Individual-level sd of satisfaction; the unit mean has sd
        ``respondent_sd / sqrt(respondents)``.
    ratio_range : (float, float)
        Target customers per staff member are log-uniform in this range; staff are then
        rounded to whole people (at least 1), so realised ratios can fall slightly outside.

    Returns
    -------
    pandas.DataFrame
        ``unit, region, channel, customers, staff, customers_per_staff,
        arrivals_per_hour, aht, staff_cost, value_per_point, respondents,
        satisfaction`` — arrivals per opening hour assume 2 contacts per customer per
        year over 3000 opening hours; ``aht`` is in seconds (branch 420, phone 300,
        online 240, ±15%).

    Examples
    --------
    >>> from omsmethod.datasets.operations import generate_units
    >>> units = generate_units(8, seed=1)
    >>> units["unit"].tolist()[:3], len(units)
    (['B01', 'B02', 'B03'], 8)
    """
    p = UNIT_PARAMETERS
    if unit_ids is None:
        if int(n_units) < 1:
            raise InputError("n_units must be >= 1", value=n_units)
        width = max(2, len(str(int(n_units))))
        unit_ids = [f"B{i + 1:0{width}d}" for i in range(int(n_units))]
    unit_ids = [str(u) for u in unit_ids]
    if len(set(unit_ids)) != len(unit_ids):
        raise InputError("unit_ids must be unique", hint="drop the duplicated ids")
    n = len(unit_ids)
    lo, hi = ratio_range
    if not (0 < lo < hi):
        raise InputError("ratio_range must be (low, high) with 0 < low < high", value=ratio_range)
    rng = np.random.default_rng(seed)
    regions = np.array(["north", "east", "south", "west"])
    channels = np.array(list(p["channel_shift"]))
    region = regions[rng.integers(0, len(regions), n)]
    channel = channels[rng.choice(len(channels), n, p=[0.5, 0.3, 0.2])]
    customers = np.round(np.exp(rng.uniform(np.log(5000), np.log(60000), n))).astype(int)
    target_ratio = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
    staff = np.maximum(1, np.round(customers / target_ratio)).astype(int)
    ratio = customers / staff
    shift = np.array([p["channel_shift"][c] for c in channel])
    respondents = rng.integers(30, 201, n)
    true = alpha + beta * np.log(ratio) + shift + rng.normal(0, unit_sd, n)
    measured = true + rng.normal(0, respondent_sd / np.sqrt(respondents))
    base_aht = np.array([p["aht_seconds"][c] for c in channel])
    aht = np.round(base_aht * rng.uniform(0.85, 1.15, n))
    arrivals = customers * p["contacts_per_customer"] / p["opening_hours"]
    return pd.DataFrame(
        {
            "unit": unit_ids,
            "region": region,
            "channel": channel,
            "customers": customers,
            "staff": staff,
            "customers_per_staff": np.round(ratio, 2),
            "arrivals_per_hour": np.round(arrivals * rng.uniform(0.9, 1.1, n), 2),
            "aht": aht,
            "staff_cost": float(staff_cost),
            "value_per_point": float(value_per_point),
            "respondents": respondents,
            "satisfaction": np.round(np.clip(measured, 0, 100), 2),
        }
    )


def generate_intervals(
    days: int = 7,
    interval_minutes: int = 30,
    daily_arrivals: float = 2400.0,
    aht: float = 300.0,
    open_hours: tuple[int, int] = (8, 20),
    seed: int | None = 2006,
) -> pd.DataFrame:
    """A forecast of arrivals per interval (default: a week of 30-minute slots).

    Arrivals are Poisson around a two-peak daily profile (late morning and early
    afternoon), zero outside opening hours, with weekends at 60% of weekday volume.

    Returns
    -------
    pandas.DataFrame
        ``day, start, arrivals, aht`` — ``start`` is ``"HH:MM"``, ``aht`` in seconds.

    Examples
    --------
    >>> from omsmethod.datasets.operations import generate_intervals
    >>> week = generate_intervals(seed=1)
    >>> len(week), int(week["arrivals"].iloc[0])
    (336, 0)
    """
    if 1440 % int(interval_minutes):
        raise InputError(
            "interval_minutes must divide a day (1440 minutes)", value=interval_minutes
        )
    rng = np.random.default_rng(seed)
    per_day = 1440 // int(interval_minutes)
    mid = (np.arange(per_day) + 0.5) * interval_minutes / 60.0
    shape = np.exp(-0.5 * ((mid - 11) / 1.5) ** 2) + 0.8 * np.exp(-0.5 * ((mid - 15) / 2.0) ** 2)
    shape[(mid < open_hours[0]) | (mid > open_hours[1])] = 0.0
    shape /= shape.sum()
    rows = []
    for d in range(int(days)):
        scale = 0.6 if d % 7 >= 5 else 1.0
        lam = daily_arrivals * scale * shape
        counts = rng.poisson(lam)
        starts = [
            f"{int(m * 60 - interval_minutes / 2) // 60:02d}:{int(m * 60 - interval_minutes / 2) % 60:02d}"
            for m in mid
        ]
        rows.append(pd.DataFrame({"day": d + 1, "start": starts, "arrivals": counts}))
    out = pd.concat(rows, ignore_index=True)
    out["aht"] = float(aht)
    return out
