"""The optimal customers-per-staff ratio and the allocation of a staff budget.

Net value of serving ``C`` customers at ``r`` customers per staff member, per period::

    net(r) = C * v * outcome(r) - k * C / r

with ``v`` the value of one outcome point per customer (``value_per_customer_point``)
and ``k`` the cost of one staff member (``staff_cost``), both per the same period;
``C / r`` is the staff it takes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DesignError, InputError, ModelError
from ..validation import require_columns, require_dataframe, require_numeric
from .response import ResponseFit

__all__ = ["optimise_ratio", "RatioOptimum", "allocate_staff"]


class RatioOptimum:
    """Result of :func:`optimise_ratio`.

    Attributes
    ----------
    table : pandas.DataFrame
        ``quantity, estimate, ci_low, ci_high`` for ``ratio`` (customers per staff),
        ``staff`` (customers / ratio), ``outcome``, ``net_value``, ``ratio_low`` and
        ``ratio_high`` (the ratios whose net value is within ``tolerance`` of the best).
    curve : pandas.DataFrame
        On the ratio grid: ``ratio, outcome, outcome_ci_low, outcome_ci_high,
        net_value, net_ci_low, net_ci_high, near_optimum``.
    boot : pandas.DataFrame
        One row per bootstrap replicate (``ratio, staff, outcome, net_value, ratio_low,
        ratio_high``).
    response : ResponseFit
    """

    def __init__(self, table, curve, boot, response, settings):
        self.table = table
        self.curve = curve
        self.boot = boot
        self.response = response
        self.settings = settings

    def __getitem__(self, quantity: str) -> float:
        return float(self.table.set_index("quantity").loc[quantity, "estimate"])

    def summary(self) -> str:
        return "Optimal customers per staff member\n" + self.table.to_string(index=False)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<p><b>Optimal customers per staff member</b></p>" + self.table.to_html(
            index=False, float_format=lambda v: f"{v:,.3f}"
        )


def _check_money(name, value):
    v = float(value)
    if not np.isfinite(v) or v < 0:
        raise InputError(f"{name} must be a finite number >= 0", value=value)
    return v


def _run_bounds(mask: np.ndarray, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last grid index of the run of ``True`` (axis 0) containing ``best``
    (boolean scans: no grid-sized integer arrays)."""
    g = mask.shape[0]
    idx = np.arange(g)[:, None]
    gap = ~mask
    before = gap & (idx < best)
    after = gap & (idx > best)
    # the last gap before best (none: -1) and the first one after it (none: g)
    left_gap = np.where(before.any(axis=0), g - 1 - np.argmax(before[::-1], axis=0), -1) + 1
    right_gap = np.where(after.any(axis=0), np.argmax(after, axis=0), g) - 1
    return left_gap, right_gap


def _net_curves(response, grid, params, customers, value, cost, min_outcome):
    x = response.design(grid)
    outcome = response.mean(x, params)  # (G,) or (G, B)
    r = grid if outcome.ndim == 1 else grid[:, None]
    net = np.multiply(outcome, customers * value)
    net -= cost * customers / r  # in place: the same numbers, one grid-sized array fewer
    if min_outcome is not None:
        net = np.where(outcome >= min_outcome, net, -np.inf)
    return outcome, net


def _summaries(grid, outcome, net, customers, tolerance):
    """Optimum of each column of ``net`` (G, B): ratio, staff, outcome, net, 1% range."""
    best = np.argmax(net, axis=0)
    cols = np.arange(net.shape[1])
    top = net[best, cols]
    feasible = np.isfinite(top)
    near = net >= (top - tolerance * np.abs(top))[None, :]
    lo, hi = _run_bounds(near, best)
    out = {
        "ratio": grid[best],
        "staff": customers / grid[best],
        "outcome": outcome[best, cols],
        "net_value": top,
        "ratio_low": grid[lo],
        "ratio_high": grid[hi],
    }
    return {k: np.where(feasible, v, np.nan) for k, v in out.items()}, near


def _quantiles(
    values: np.ndarray, probs: tuple[float, ...], overwrite: bool = False
) -> list[np.ndarray]:
    """Quantiles ``probs`` of each row of ``values`` ignoring NaN (all NaN: NaN): the
    numbers of ``np.nanquantile(values, q, axis=-1)`` (linear interpolation, the same
    arithmetic) from one sort (NaN last), without numpy's per-row Python loop (a fifth
    of a second on a 2001-point grid)."""
    if overwrite:  # the caller no longer needs ``values``: sort them in place
        values.sort(axis=-1)  # NaN last
        s = values
    else:
        s = np.sort(values, axis=-1)
    n = (~np.isnan(s)).sum(axis=-1)
    out = []
    for q in probs:
        virtual = (n - 1) * q
        prev = np.floor(virtual)
        above = virtual >= n - 1  # the largest valid value
        lo = np.clip(np.where(above, n - 1, prev), 0, None).astype(np.intp)
        hi = np.clip(np.where(above, n - 1, prev + 1), 0, None).astype(np.intp)
        a = np.take_along_axis(s, lo[..., None], axis=-1)[..., 0]
        b = np.take_along_axis(s, hi[..., None], axis=-1)[..., 0]
        gamma = virtual - prev
        diff = b - a
        value = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
        out.append(np.where(n > 0, np.where(above, a, value), np.nan))
    return out


def _resample(response: ResponseFit, n_boot: int, rng) -> np.ndarray:
    """Bootstrap row numbers ``(n_boot, n)``, stratified by the ``by`` levels if any."""
    n = len(response.y)
    if not response.by:
        return rng.integers(0, n, size=(n_boot, n))
    keys = (
        response._frame[[f"_g{i}" for i in range(len(response.by))]]
        .astype(str)
        .agg("|".join, axis=1)
    )
    parts = []
    for _, rows in keys.groupby(keys, sort=True).indices.items():
        parts.append(rows[rng.integers(0, len(rows), size=(n_boot, len(rows)))])
    return np.concatenate(parts, axis=1)


def optimise_ratio(
    response: ResponseFit,
    value_per_customer_point: float,
    staff_cost: float,
    customers: float,
    bounds: tuple[float, float] | None = None,
    min_outcome: float | None = None,
    n_boot: int = 1000,
    seed: int | None = None,
    level: float = 0.95,
    tolerance: float = 0.01,
    grid_size: int = 2001,
) -> RatioOptimum:
    """The customers-per-staff ratio that maximises net value, with bootstrap CIs.

    Parameters
    ----------
    response : ResponseFit
        From :func:`~omsmethod.ratio.fit_response`.
    value_per_customer_point : float
        Value of one outcome point per customer per period (e.g. currency per year).
    staff_cost : float
        Cost of one staff member per the same period.
    customers : float
        Customers to serve (sets the staff count ``customers / ratio``; the optimal
        ratio itself does not depend on it).
    bounds : (float, float), optional
        Ratios searched; default: the observed range of the response data (the fitted
        curve is not extrapolated).
    min_outcome : float, optional
        Only ratios whose expected outcome is at least this are allowed.
    n_boot : int
        Bootstrap replicates: units are resampled (within ``by`` levels) and the
        response refitted; 0 skips the bootstrap.
    seed : int, optional
        Seed of the numpy Generator.
    level : float
        Confidence level of the percentile intervals.
    tolerance : float
        ``ratio_low``/``ratio_high`` bound the ratios with
        ``net >= best - tolerance * |best|`` (default 1%).
    grid_size : int
        Points of the geometric ratio grid.

    Returns
    -------
    RatioOptimum
        ``.table`` (tidy: quantity, estimate, ci_low, ci_high), ``.curve``, ``.boot``.

    Notes
    -----
    :math:`net(r) = C v\\,\\hat y(r) - k C / r`, maximised over a geometric grid of
    ``grid_size`` ratios within ``bounds``; for the log form the optimum is
    :math:`r^* = -k/(v\\hat\\beta)`. ``outcome`` is at the observed mix of ``by`` levels.

    Examples
    --------
    >>> import omsmethod as oms
    >>> from omsmethod.ratio import fit_response, optimise_ratio
    >>> units = oms.datasets.load("units")
    >>> fit = fit_response(units, "customers_per_staff", "satisfaction", weights="respondents")
    >>> best = optimise_ratio(fit, 5.0, 60000.0, customers=100000, n_boot=50, seed=1)
    >>> 1000 < best["ratio"] < 2200
    True
    """
    if not isinstance(response, ResponseFit):
        raise InputError(
            "response must be the result of fit_response",
            value=type(response).__name__,
            hint="fit it with omsmethod.ratio.fit_response",
        )
    value = _check_money("value_per_customer_point", value_per_customer_point)
    cost = _check_money("staff_cost", staff_cost)
    customers = float(customers)
    if not customers > 0:
        raise InputError("customers must be > 0", value=customers)
    observed = response._frame["_r"].to_numpy()
    lo, hi = (observed.min(), observed.max()) if bounds is None else map(float, bounds)
    if not (0 < lo < hi):
        raise InputError("bounds must be (low, high) with 0 < low < high", value=bounds)
    if not 0 < level < 1:
        raise InputError("level must lie in (0, 1)", value=level)
    grid = np.geomspace(lo, hi, int(grid_size))
    outcome, net = _net_curves(response, grid, None, customers, value, cost, min_outcome)
    point, near = _summaries(grid, outcome[:, None], net[:, None], customers, tolerance)
    if not np.isfinite(point["net_value"][0]):
        raise ModelError(
            f"no ratio within [{lo:g}, {hi:g}] reaches min_outcome={min_outcome}",
            value=min_outcome,
            hint="lower min_outcome or widen bounds",
        )
    alpha = (1 - level) / 2
    band = response.predict(grid, level=level)
    names = list(point)
    if n_boot and n_boot > 0:
        rng = np.random.default_rng(seed)
        params = response.refit(_resample(response, int(n_boot), rng))
        b_out, b_net = _net_curves(response, grid, params, customers, value, cost, min_outcome)
        boot, _ = _summaries(grid, b_out, b_net, customers, tolerance)
        low, high = _quantiles(np.vstack([boot[k] for k in names]), (alpha, 1 - alpha))
        ci_low, ci_high = [float(v) for v in low], [float(v) for v in high]
        boot = pd.DataFrame(boot)
        if not np.isfinite(b_net).all():
            b_net = np.where(np.isfinite(b_net), b_net, np.nan)
        net_low, net_high = _quantiles(b_net, (alpha, 1 - alpha), overwrite=True)
    else:
        boot = pd.DataFrame(columns=names, dtype=float)
        ci_low = ci_high = [np.nan] * len(names)
        net_low = net_high = np.full(grid.size, np.nan)
    curve = pd.DataFrame(
        {
            "ratio": grid,
            "outcome": outcome,
            "outcome_ci_low": band["ci_low"].to_numpy(),
            "outcome_ci_high": band["ci_high"].to_numpy(),
            "net_value": np.where(np.isfinite(net), net, np.nan),  # NaN: below min_outcome
            "net_ci_low": net_low,
            "net_ci_high": net_high,
            "near_optimum": near[:, 0],
        }
    )
    table = pd.DataFrame(
        {
            "quantity": names,
            "estimate": [float(point[k][0]) for k in names],
            "ci_low": ci_low,
            "ci_high": ci_high,
        }
    )
    settings = {
        "value_per_customer_point": value,
        "staff_cost": cost,
        "customers": customers,
        "bounds": (lo, hi),
        "min_outcome": min_outcome,
        "n_boot": int(n_boot or 0),
        "seed": seed,
        "level": level,
        "tolerance": tolerance,
    }
    return RatioOptimum(table, curve, boot, response, settings)


# --------------------------------------------------------------------------- allocation
def _column_or_value(units, name, value):
    if isinstance(value, str):
        require_columns(units, [value], "units")
        return require_numeric(units, value, allow_missing=False)
    return np.full(len(units), float(value))


def _greedy(gains: list[np.ndarray], budget: int) -> np.ndarray:
    """Exact allocation for concave unit values: the ``budget`` largest positive marginal
    gains overall (each unit's gains are non-increasing, so any top set is a prefix)."""
    flat = np.concatenate(gains) if gains else np.zeros(0)
    owner = np.repeat(np.arange(len(gains)), [len(g) for g in gains])
    pick = flat > 0
    if pick.sum() > budget:
        order = np.argpartition(-flat, budget - 1)[:budget] if budget > 0 else np.zeros(0, int)
        pick = np.zeros(flat.size, bool)
        pick[order] = True
    return np.bincount(owner[pick], minlength=len(gains))


def _dp(values: list[np.ndarray], budget: int) -> np.ndarray:
    """Exact allocation by dynamic programming over units (any shape of unit values).

    ``values[i][k]`` is unit i's value with ``k`` staff above its minimum.
    """
    best = np.zeros(budget + 1)  # best[b]: value of units so far using at most b extra
    choices = []
    for v in values:
        k = np.arange(len(v))
        # cand[b, k] = best[b - k] + v[k]
        prev = np.where(
            np.arange(budget + 1)[:, None] - k[None, :] >= 0,
            best[np.clip(np.arange(budget + 1)[:, None] - k[None, :], 0, None)],
            -np.inf,
        )
        cand = prev + v[None, :]
        choice = np.argmax(cand, axis=1)
        best = cand[np.arange(budget + 1), choice]
        choices.append(choice)
    out = np.zeros(len(values), int)
    b = budget
    for i in range(len(values) - 1, -1, -1):
        out[i] = choices[i][b]
        b -= out[i]
    return out


def allocate_staff(
    units: pd.DataFrame,
    total_staff: int,
    response: ResponseFit,
    min_service_level: float | None = None,
    *,
    value_per_customer_point: float | str,
    staff_cost: float | str,
    unit: str = "unit",
    customers: str = "customers",
    arrivals: str = "arrivals_per_hour",
    aht: str = "aht",
    interval: float = 3600.0,
    target_time: float = 20.0,
    shrinkage: float = 0.0,
    patience: float | None = None,
    max_occupancy: float | None = None,
    min_staff: str | None = None,
    ratio_bounds: tuple[float, float] | None = None,
    method: str = "auto",
    max_dp_size: int = 20_000_000,
    table_cells: int = 2_000_000,
) -> pd.DataFrame:
    """Staff per unit maximising total net value under a staff budget.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per unit with ``unit`` and ``customers`` columns (plus ``arrivals`` and
        ``aht`` when ``min_service_level`` is given, and the response's ``by`` columns
        if it has any — each unit is then valued at its own level).
    total_staff : int
        Staff budget. Staff are added only while they raise net value, so some may stay
        unused (pass ``staff_cost=0`` to spend the whole budget on the outcome).
    response : ResponseFit
    min_service_level : float, optional
        Each unit gets at least the scheduled staff that
        :func:`~omsmethod.ratio.staff_for_service_level` needs for this share answered
        within ``target_time`` (its arrivals per ``interval``, ``aht`` in the same unit,
        with ``shrinkage``, ``patience``, ``max_occupancy``).
    value_per_customer_point, staff_cost : float or str
        One value for all units or a column name.
    min_staff : str, optional
        Column of further per-unit minimums (e.g. opening rules).
    ratio_bounds : (float, float), optional
        Keep each unit's customers per staff within these bounds (the upper bound raises
        minimums, the lower caps staff).
    method : {"auto", "greedy", "dp"}
        ``"greedy"`` takes the largest marginal gains (exact when each unit's net value
        is concave in its staff); ``"dp"`` is exact for any shape; ``"auto"`` checks
        concavity and uses DP only when it fails.
    max_dp_size : int
        Largest DP (units × budget × steps) attempted; beyond it a non-concave response
        raises :class:`~omsmethod.errors.ModelError`.
    table_cells : int
        Above this many (unit, staff) values the greedy starts from short per-unit tables
        and lengthens the ones it uses up (same result; concavity is then checked on
        the evaluated range).

    Returns
    -------
    pandas.DataFrame
        ``unit, customers, min_staff, staff, added, customers_per_staff, outcome,
        net_value``; ``attrs`` holds ``total_net_value``, ``unused_staff`` and
        ``method``.

    Notes
    -----
    Unit value :math:`f_i(s) = C_i v_i \\hat y(C_i/s) - k_i s`. For the log form
    :math:`\\hat y = a + b\\ln(C/s)` with :math:`b<0`, :math:`f_i` is concave in
    :math:`s`, so the greedy marginal allocation is optimal for integer staff.

    Examples
    --------
    >>> import omsmethod as oms
    >>> from omsmethod.ratio import allocate_staff, fit_response
    >>> units = oms.datasets.load("units")
    >>> fit = fit_response(units, "customers_per_staff", "satisfaction")
    >>> plan = allocate_staff(units, 900, fit, 0.8, value_per_customer_point=5.0,
    ...                       staff_cost=60000.0)
    >>> bool((plan["staff"] >= plan["min_staff"]).all()), plan.attrs["method"]
    (True, 'greedy')
    """
    from .queueing import staff_for_service_level

    require_dataframe(units, "units")
    require_columns(units, [unit, customers], "units")
    if not isinstance(response, ResponseFit):
        raise InputError(
            "response must be the result of fit_response", value=type(response).__name__
        )
    if method not in ("auto", "greedy", "dp"):
        raise InputError(
            f"unknown method {method!r}", value=method, hint="choose 'auto', 'greedy' or 'dp'"
        )
    c = require_numeric(units, customers, allow_missing=False)
    if not (c > 0).all():
        i = int(np.argmax(~(c > 0)))
        raise InputError("must be positive", column=customers, row=units.index[i], value=c[i])
    value = _column_or_value(units, "value_per_customer_point", value_per_customer_point)
    cost = _column_or_value(units, "staff_cost", staff_cost)
    total = int(total_staff)
    lower = np.ones(len(units))
    if min_service_level is not None:
        require_columns(units, [arrivals, aht], "units")
        q = staff_for_service_level(
            require_numeric(units, arrivals, allow_missing=False),
            require_numeric(units, aht, allow_missing=False),
            min_service_level,
            target_time,
            shrinkage,
            max_occupancy,
            patience,
            interval,
        )
        lower = np.maximum(lower, q["scheduled_staff"].to_numpy())
    if min_staff is not None:
        require_columns(units, [min_staff], "units")
        lower = np.maximum(lower, require_numeric(units, min_staff, allow_missing=False))
    upper = np.full(len(units), np.inf)
    if ratio_bounds is not None:
        rlo, rhi = map(float, ratio_bounds)
        if not 0 < rlo < rhi:
            raise InputError(
                "ratio_bounds must be (low, high) with 0 < low < high", value=ratio_bounds
            )
        lower = np.maximum(lower, np.ceil(c / rhi - 1e-9))
        upper = np.maximum(lower, np.floor(c / rlo + 1e-9))
    lower = lower.astype(int)
    need = int(lower.sum())
    if total < need:
        raise DesignError(
            f"total_staff={total} is below the {need} staff the units need at minimum",
            value=total,
            hint="raise the budget or lower min_service_level / the per-unit minimums",
        )
    budget = total - need
    full = np.minimum(upper - lower, budget).astype(int)
    if response.by:
        require_columns(units, response.by, "units")
    levels = units[response.by] if response.by else None

    def tables(steps):
        """Unit values f_i(s), s = lower_i .. lower_i + steps_i, all units at once."""
        owner = np.repeat(np.arange(len(units)), steps + 1)
        first = np.cumsum(steps + 1) - (steps + 1)
        s = lower[owner] + np.arange(owner.size) - first[owner]
        lv = None if levels is None else levels.iloc[owner].reset_index(drop=True)
        y = response.mean(response.design(c[owner] / s, lv))
        f = c[owner] * value[owner] * y - cost[owner] * s
        values = np.split(f, np.cumsum(steps + 1)[:-1])
        scale = max(1.0, float(np.max(np.abs(f))))
        concave = all((np.diff(v, 2) <= 1e-9 * scale).all() for v in values)
        return y, first, values, concave

    # Large problems start from short tables and lengthen those of units whose table the
    # greedy used up; the result is the full-table greedy once no unit is saturated.
    short = method != "dp" and full.sum() > table_cells
    steps = np.minimum(full, max(16, 4 * -(-budget // len(units)))) if short else full
    while True:
        y, first, values, concave = tables(steps)
        use = method if method != "auto" else ("greedy" if concave else "dp")
        if use == "dp":
            if (steps < full).any():
                steps = full
                continue
            size = len(units) * (budget + 1) * (int(steps.max(initial=0)) + 1)
            if size > max_dp_size:
                raise ModelError(
                    "the fitted response makes unit values non-concave and the exact DP is "
                    f"too large ({size:,} cells)",
                    hint="use form='log', give ratio_bounds, or a smaller budget",
                )
            added = _dp(values, budget)
            break
        added = _greedy([np.diff(v) for v in values], budget)
        saturated = (added == steps) & (steps < full)
        if not saturated.any():
            break
        steps = np.where(saturated, np.minimum(full, 4 * steps), steps)
    staff = lower + added
    out = pd.DataFrame(
        {
            "unit": units[unit].to_numpy(),
            "customers": c,
            "min_staff": lower,
            "staff": staff,
            "added": added,
            "customers_per_staff": c / staff,
            "outcome": y[first + added],
            "net_value": np.array([v[a] for v, a in zip(values, added, strict=True)]),
        }
    )
    out.attrs.update(
        total_net_value=float(out["net_value"].sum()),
        unused_staff=int(total - staff.sum()),
        method=use,
        concave=bool(concave),
    )
    return out
