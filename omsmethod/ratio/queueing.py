"""Queueing side of the service ratio: Erlang C and Erlang A staffing, vectorised.

Units
-----
``arrival_rate`` is a number of arrivals per unit of time and ``aht`` (average handling
time), ``target_time`` and ``patience`` are durations in that **same** unit. With
``arrival_rate`` per second, give ``aht`` in seconds; with arrivals per hour, give hours.
When arrivals are counted per interval (e.g. 100 calls per 30 minutes), pass
``interval=`` (the interval length, in the unit of ``aht``): the rate is then
``arrivals / interval``. The offered traffic is ``A = arrival_rate * aht`` Erlangs.

Every kernel here is a pure numpy function of arrays; the public functions validate once
and wrap the result in a pandas Series (scalar input) or DataFrame (array input).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import DesignError, InputError
from ..validation import require_columns, require_dataframe

__all__ = ["erlang_c", "staff_for_service_level", "staffing_plan"]

_METRICS = ["p_wait", "service_level", "asa", "occupancy", "p_abandon"]


# --------------------------------------------------------------------------- kernels
_BLOCK = 32
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# stirlerr(n) = log(n!) - ((n + 1/2) log n - n + log(2 pi)/2) for n = 1..15 (Loader 2000)
_STIRLERR_SMALL = np.array(
    [0.0]
    + [math.lgamma(k + 1.0) - (k + 0.5) * math.log(k) + k - _HALF_LOG_2PI for k in range(1, 16)]
)


def _stirlerr(n: np.ndarray) -> np.ndarray:
    """Error of Stirling's formula for ``log n!``, integer n >= 1 (Loader's split, as R's
    ``dpois``): exact values up to 15, the asymptotic series beyond."""
    out = np.empty(n.shape)
    small = n <= 15
    out[small] = _STIRLERR_SMALL[n[small].astype(np.intp)]
    big = ~small
    if big.any():
        m = n[big]
        nn = m * m
        s0, s1, s2, s3, s4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
        out[big] = np.select(
            [m > 500, m > 80, m > 35],
            [
                (s0 - s1 / nn) / m,
                (s0 - (s1 - s2 / nn) / nn) / m,
                (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / m,
            ],
            (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / m,
        )
    return out


def _bd0(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``x log(x/m) + m - x`` without cancellation when x is near m (Loader 2000)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(x / m) + m - x
    near = np.abs(x - m) < 0.1 * (x + m)
    if near.any():
        xn, mn = x[near], m[near]
        v = (xn - mn) / (xn + mn)
        s = (xn - mn) * v
        ej = 2.0 * xn * v
        v2 = v * v
        for j in range(1, 16):  # |v| < 1/19: the terms fall by 1/361 each
            ej = ej * v2
            s = s + ej / (2 * j + 1)
        out[near] = s
    return out


def _log_poisson_pmf(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``log(a^n e^-a / n!)`` for integer n >= 1, accurate for thousands of Erlangs."""
    return -_stirlerr(n) - _bd0(n, a) - _HALF_LOG_2PI - 0.5 * np.log(n)


def _ratio_series(a: np.ndarray, n: np.ndarray, upper: bool) -> np.ndarray:
    """``sum_{j>=1} prod_{i=1}^{j} r_i`` with decreasing ratios r_i < 1, summed in blocks.

    ``upper``: ``r_i = a / (n + i)`` (n > a; the sum is P(X > n) / P(X = n) for
    X ~ Poisson(a)); else ``r_i = (n - i + 1) / a`` (n <= a; the terms vanish after
    j = n, and ``1 +`` the sum is P(X <= n) / P(X = n) = 1 / Erlang B). Each element
    stops once the rest (at most the geometric series of its next ratio) is below 1e-17
    of its sum: about ``9 sqrt(a)`` terms near n = a, a handful far from it."""
    total = np.zeros(a.shape)
    last = np.ones(a.shape)
    active = np.arange(a.size)
    i = np.arange(1.0, _BLOCK + 2.0)[:, None]  # one ratio beyond the block bounds the rest
    while active.size:
        aa, nn = a[active], n[active]
        r = aa / (nn + i) if upper else np.maximum(nn - i + 1.0, 0.0) / aa  # (block + 1, m)
        terms = np.cumprod(r[:-1], axis=0)
        terms *= last[active]
        total[active] += terms.sum(axis=0)
        end = terms[-1]
        last[active] = end
        nxt = r[-1]
        with np.errstate(divide="ignore"):
            rest = end * nxt / (1.0 - nxt)
        active = active[rest > 1e-17 * total[active]]  # NaN input stops too
        i = i + _BLOCK
    return total


def log_erlang_b(traffic: np.ndarray, agents: np.ndarray) -> np.ndarray:
    """Log of the Erlang B blocking probability, stable for thousands of Erlangs.

    ``B(n, A) = P(X = n) / P(X <= n)`` for ``X ~ Poisson(A)``, with no factorial and no
    incomplete gamma function: for ``n <= A``, ``1 / B = sum_j prod_{i<j} (n - i) / A``
    (terms falling from 1); for ``n > A``, ``P(X <= n) = 1 - P(X = n) sum_j prod_{i<=j}
    A / (n + i)`` with the pmf from Loader's saddle-point form (as R's ``dpois``). Both
    series are summed in vectorised blocks until the rest is negligible (about
    ``9 sqrt(A)`` terms at most).
    """
    a, n = np.broadcast_arrays(np.asarray(traffic, dtype=float), np.asarray(agents, dtype=float))
    shape = a.shape
    a, n = a.ravel(), n.ravel()
    out = np.zeros(a.shape)  # n = 0: B = 1
    low = (n <= a) & (n > 0)
    if low.any():
        out[low] = -np.log1p(_ratio_series(a[low], n[low], upper=False))
    high = n > a
    if high.any():
        nh, ah = n[high], a[high]
        log_pmf = _log_poisson_pmf(nh, ah)
        tail = np.exp(log_pmf) * _ratio_series(ah, nh, upper=True)  # P(X > n) < 1/2
        out[high] = np.minimum(log_pmf - np.log1p(-tail), 0.0)
    return out.reshape(shape)


def _log_kummer(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``log M(1; x + 1; y) = log sum_k y^k / prod_{i<=k}(x + i)`` for x, y > 0.

    Uses the regularised incomplete gamma function where it does not underflow and the
    (then quickly converging) confluent hypergeometric series where it does.
    """
    from scipy import special

    x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
    g = special.gammainc(x, y)
    ok = g > 1e-250
    out = np.empty_like(x)
    out[ok] = np.log(g[ok]) + y[ok] - x[ok] * np.log(y[ok]) + special.gammaln(x[ok] + 1.0)
    out[~ok] = np.log(special.hyp1f1(1.0, x[~ok] + 1.0, y[~ok]))
    return out


def _log_gammainc(a: np.ndarray, z: np.ndarray, log_m: np.ndarray | None = None) -> np.ndarray:
    """``log P(a, z)`` (regularised lower incomplete gamma) via ``P = e^{-z} z^a M / Gamma(a+1)``."""
    from scipy import special

    log_m = _log_kummer(a, z) if log_m is None else log_m
    return -z + a * np.log(z) - special.gammaln(a + 1.0) + log_m


def _erlang_c(a, h, n, b, t):
    """Erlang C waiting probability and service level (NaN without ``t``) from the
    Erlang B probability ``b``; unstable (n <= A): waiting 1, service level 0."""
    stable = n > a
    gap = np.where(stable, n - a, 1.0)
    p_wait = np.where(stable, n * b / (n - a * (1.0 - b)), 1.0)
    p_wait = np.clip(p_wait, 0.0, 1.0)
    if t is None:
        return p_wait, np.full(a.shape, np.nan)
    return p_wait, np.where(stable, 1.0 - p_wait * np.exp(-gap * t / h), 0.0)


def queue_metrics(
    traffic: np.ndarray,
    aht: np.ndarray,
    agents: np.ndarray,
    target_time: np.ndarray | float | None = None,
    patience: np.ndarray | float | None = None,
    blocking: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Erlang C (``patience=None``) or Erlang A metrics for arrays of equal shape.

    Returns a dict of arrays: ``p_wait``, ``service_level`` (NaN without a target
    time), ``asa``, ``occupancy``, ``p_abandon``. ``blocking``: the Erlang B
    probabilities at ``agents`` when the caller has them. No validation: callers check
    inputs.
    """
    a, h, n = np.broadcast_arrays(
        np.asarray(traffic, float), np.asarray(aht, float), np.asarray(agents, float)
    )
    t = None if target_time is None else np.broadcast_to(np.asarray(target_time, float), a.shape)
    if blocking is None:
        log_b = log_erlang_b(a, n)
        b = np.exp(log_b)
    else:
        b = np.broadcast_to(np.asarray(blocking, float), a.shape)
        with np.errstate(divide="ignore"):
            log_b = np.log(b)
    if patience is None:
        stable = n > a
        gap = np.where(stable, n - a, 1.0)
        p_wait, sl = _erlang_c(a, h, n, b, t)
        asa = np.where(stable, p_wait * h / gap, np.inf)
        occupancy = np.where(stable, a / n, 1.0)
        p_abandon = np.zeros(a.shape)
    else:
        theta_h = h / np.broadcast_to(np.asarray(patience, float), a.shape)  # aht * theta
        x = n / theta_h  # n * mu / theta
        y = a / theta_h  # lambda / theta
        log_s = _log_kummer(x, y)
        # P(W > 0) = S B / (1 + (S - 1) B), written to avoid overflow of S.
        p_wait = 1.0 / (1.0 + (1.0 - b) * np.exp(-(log_s + log_b)))
        rho = a / n
        p_ab_given_wait = 1.0 - 1.0 / rho + np.exp(-log_s) / rho
        p_abandon = np.clip(p_wait * p_ab_given_wait, 0.0, 1.0)
        asa = p_abandon * h / theta_h  # mean time in queue of all arrivals = P(Ab) / theta
        if t is None:
            sl = np.full(a.shape, np.nan)
        else:
            # Served within t, given a wait (P = regularised lower incomplete gamma):
            # (x / y) [P(x + 1, y) - P(x + 1, y e^{-theta t})] / P(x, y).
            yu = y * np.exp(-theta_h * t / h)
            log_hi = _log_gammainc(x + 1.0, y)
            with np.errstate(divide="ignore"):
                log_lo = _log_gammainc(x + 1.0, yu)
            log_base = _log_gammainc(x, y, log_s)
            within = (
                (x / y) * np.exp(log_hi - log_base) * -np.expm1(np.minimum(log_lo - log_hi, 0.0))
            )
            sl = np.clip(1.0 - p_wait + p_wait * within, 0.0, 1.0)
        occupancy = np.minimum(a * (1.0 - p_abandon) / n, 1.0)
    return {
        "p_wait": p_wait,
        "service_level": sl,
        "asa": asa,
        "occupancy": occupancy,
        "p_abandon": p_abandon,
    }


def min_agents(
    traffic: np.ndarray,
    aht: np.ndarray,
    target_sl: float,
    target_time: float,
    patience: float | None = None,
    max_occupancy: float | None = None,
) -> np.ndarray:
    """Smallest integer agents with service level >= ``target_sl``, for all intervals at
    once.

    Service level increases with the number of agents. Erlang C: from the lowest
    candidate, agents are added one at a time with the stable Erlang B recursion
    ``B(n + 1) = A B(n) / (n + 1 + A B(n))``: one series evaluation per interval, then a
    few operations per added agent. Erlang A: a bracket ``[lo, hi]`` with
    ``SL(lo) < target <= SL(hi)`` is grown by doubling and then halved.
    """
    a = np.asarray(traffic, float)
    h = np.broadcast_to(np.asarray(aht, float), a.shape)
    if patience is None:
        return _min_agents_erlang_c(a, h, target_sl, target_time, max_occupancy)

    def ok(n):
        return queue_metrics(a, h, n, target_time, patience)["service_level"] >= target_sl

    floor = np.ones(a.shape) if patience is not None else np.floor(a) + 1.0
    if max_occupancy is not None:
        floor = np.maximum(floor, np.ceil(a / max_occupancy - 1e-9))
    floor = np.maximum(floor, 1.0)
    done = ok(floor)
    lo = floor - 1.0  # invariant: SL(lo) < target (or lo below the floor)
    step = np.ceil(np.sqrt(a)) + 1.0
    hi = floor + step
    hi_ok = ok(hi)
    for _ in range(64):
        grow = ~done & ~hi_ok
        if not grow.any():
            break
        lo = np.where(grow, hi, lo)
        step = np.where(grow, 2.0 * step, step)
        hi = np.where(grow, hi + step, hi)
        hi_ok = np.where(grow, ok(hi), hi_ok)
    lo = np.where(done, floor - 1.0, lo)
    hi = np.where(done, floor, hi)
    while True:
        open_ = hi - lo > 1.0
        if not open_.any():
            break
        mid = np.floor((lo + hi) / 2.0)
        good = ok(np.where(open_, mid, hi))
        hi = np.where(open_ & good, mid, hi)
        lo = np.where(open_ & ~good, mid, lo)
    return hi


def _min_agents_erlang_c(a, h, target_sl, target_time, max_occupancy, with_blocking=False):
    """Erlang C minimum agents (and, ``with_blocking``, the Erlang B probability there)."""
    shape = a.shape
    a, h = a.ravel(), np.ascontiguousarray(h).ravel()
    n = np.floor(a) + 1.0
    if max_occupancy is not None:
        n = np.maximum(n, np.ceil(a / max_occupancy - 1e-9))
    n = np.maximum(n, 1.0)
    b = np.exp(log_erlang_b(a, n))
    t = np.full(a.shape, float(target_time))
    active = np.flatnonzero(_erlang_c(a, h, n, b, t)[1] < target_sl)
    while active.size:
        aa, nn = a[active], n[active] + 1.0
        ab = aa * b[active]
        bb = ab / (nn + ab)
        n[active], b[active] = nn, bb
        sl = _erlang_c(aa, h[active], nn, bb, t[active])[1]
        active = active[sl < target_sl]
    if with_blocking:
        return n.reshape(shape), b.reshape(shape)
    return n.reshape(shape)


# --------------------------------------------------------------------------- checks
def _positive(name: str, value) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    bad = ~(arr > 0) | ~np.isfinite(arr)
    if bad.any():
        i = int(np.argmax(bad.ravel()))
        raise InputError(
            f"{name} must be a positive finite number",
            column=name,
            row=None if arr.ndim == 0 else i,
            value=float(arr.ravel()[i]),
            hint=f"give {name} > 0 (rates per unit time, durations in the same unit)",
        )
    return arr


def _fraction(name: str, value: float, closed_upper: bool = False) -> float:
    value = float(value)
    upper_ok = value <= 1 if closed_upper else value < 1
    if not (value > 0 and upper_ok):
        bounds = "(0, 1]" if closed_upper else "(0, 1)"
        raise InputError(
            f"{name} must lie in {bounds}",
            value=value,
            hint=f"give {name} as a share, e.g. 0.8 for 80%",
        )
    return value


def _rate(arrival_rate, interval) -> np.ndarray:
    rate = _positive("arrival_rate", arrival_rate)
    if interval is not None:
        rate = rate / _positive("interval", interval)
    return rate


def _wrap(columns: dict[str, np.ndarray], scalar: bool):
    frame = pd.DataFrame({k: np.atleast_1d(v) for k, v in columns.items()})
    return frame.iloc[0] if scalar else frame


# --------------------------------------------------------------------------- public
def erlang_c(
    arrival_rate,
    aht,
    agents,
    target_time=None,
    patience=None,
    interval=None,
):
    """Waiting probability, service level, speed of answer and occupancy for given staff.

    Parameters
    ----------
    arrival_rate : float or array
        Arrivals per unit of time (or per ``interval`` when that is given).
    aht : float or array
        Average handling time, in the time unit of ``arrival_rate``.
    agents : int or array of int
        Agents answering (productive, after shrinkage).
    target_time : float, optional
        Service-level threshold, same time unit; without it ``service_level`` is NaN.
    patience : float, optional
        Mean customer patience (same unit). Given, the Erlang A (M/M/n+M) model is used
        and ``p_abandon`` is the probability that a customer hangs up before service.
    interval : float, optional
        Length of the interval in which ``arrival_rate`` arrivals are counted.

    Returns
    -------
    pandas.Series (scalar input) or pandas.DataFrame (array input)
        ``arrival_rate`` (per time unit), ``aht``, ``agents``, ``traffic`` (Erlangs),
        ``p_wait``, ``service_level``, ``asa``, ``occupancy``, ``p_abandon``.

    Notes
    -----
    Erlang C: :math:`C = nB/(n - A(1-B))` with :math:`B` the Erlang B probability
    (a Poisson pmf/cdf ratio from two falling-term series, no factorials),
    :math:`SL(t) = 1 - C e^{-(n-A)t/h}`, :math:`ASA = C h/(n-A)`, occupancy
    :math:`A/n`. With :math:`n \\le A` the queue is unstable: ``p_wait`` 1, service
    level 0, ``asa`` infinite.

    Erlang A (Mandelbaum & Zeltyn 2007): with :math:`x = n\\mu/\\theta`,
    :math:`y = \\lambda/\\theta` and :math:`S = M(1; x+1; y)`,
    :math:`P(W>0) = SB/(1+(S-1)B)`, :math:`P(Ab\\mid W>0) = 1/(\\rho S) + 1 - 1/\\rho`,
    and ``service_level`` is the share of all arrivals *answered* within ``target_time``
    (a customer who hangs up counts as a failure):
    :math:`1 - P(W>0) + P(W>0)\\,\\frac{x}{y}\\,[P(x+1, y) - P(x+1, y e^{-\\theta t})]
    / P(x, y)`, with :math:`P` the regularised lower incomplete gamma function (derived
    from the order-statistic form of the offered wait). ``asa`` is the mean time in queue
    of all arrivals (:math:`P(Ab)/\\theta`), occupancy :math:`\\lambda(1-P(Ab))h/n`.

    References
    ----------
    Gans, Koole & Mandelbaum (2003), Telephone call centers: tutorial, review and
    research prospects, M&SOM 5(2). Mandelbaum & Zeltyn (2007), Service engineering in
    action: the Palm/Erlang-A queue.

    Examples
    --------
    >>> from omsmethod.ratio import erlang_c
    >>> r = erlang_c(100, 180, 14, target_time=20, interval=1800)  # 100 calls / 30 min
    >>> print(f"{r['p_wait']:.3f} {r['service_level']:.3f} {r['occupancy']:.3f}")
    0.174 0.888 0.714
    """
    scalar = all(np.ndim(v) == 0 for v in (arrival_rate, aht, agents))
    rate = _rate(arrival_rate, interval)
    h = _positive("aht", aht)
    n = np.asarray(agents, dtype=float)
    if (~(n >= 1) | (n != np.floor(n))).any():
        raise InputError("agents must be whole numbers >= 1", value=agents)
    if target_time is not None and float(np.min(target_time)) < 0:
        raise InputError("target_time must be >= 0", value=target_time)
    if patience is not None:
        _positive("patience", patience)
    rate, h, n = np.broadcast_arrays(rate, h, n)
    a = rate * h
    m = queue_metrics(a, h, n, target_time, patience)
    return _wrap(
        {"arrival_rate": rate, "aht": h, "agents": n.astype(int), "traffic": a, **m}, scalar
    )


def staff_for_service_level(
    arrival_rate,
    aht,
    target_sl: float,
    target_time: float,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
    patience: float | None = None,
    interval: float | None = None,
    max_agents: int | None = None,
):
    """Minimum staff meeting a service-level target, with the metrics at that staffing.

    Parameters
    ----------
    arrival_rate, aht, patience, interval : see :func:`erlang_c`
    target_sl : float
        Share of customers to answer within ``target_time``, in (0, 1).
    target_time : float
        Threshold time, in the unit of ``aht``.
    shrinkage : float
        Share of paid time not available for serving (leave, training), in [0, 1).
    max_occupancy : float, optional
        Upper bound on agent occupancy in (0, 1]; adds agents when it binds.
    max_agents : int, optional
        Largest acceptable number of productive agents; more raises
        :class:`~omsmethod.errors.DesignError`.

    Returns
    -------
    pandas.Series (scalar input) or pandas.DataFrame (array input)
        ``arrival_rate``, ``aht``, ``traffic``, ``agents`` (productive),
        ``scheduled_staff`` = ``ceil(agents / (1 - shrinkage))`` and the metrics of
        :func:`erlang_c` at ``agents``.

    Examples
    --------
    >>> from omsmethod.ratio import staff_for_service_level
    >>> r = staff_for_service_level(100, 180, 0.8, 20, shrinkage=0.3, interval=1800)
    >>> int(r["agents"]), int(r["scheduled_staff"])
    (14, 20)
    """
    scalar = np.ndim(arrival_rate) == 0 and np.ndim(aht) == 0
    rate = _rate(arrival_rate, interval)
    h = _positive("aht", aht)
    target_sl = _fraction("target_sl", target_sl)
    if not (np.isfinite(target_time) and target_time >= 0):
        raise InputError("target_time must be >= 0", value=target_time)
    if not (0 <= float(shrinkage) < 1):
        raise InputError("shrinkage must lie in [0, 1)", value=shrinkage, hint="e.g. 0.3 for 30%")
    if max_occupancy is not None:
        max_occupancy = _fraction("max_occupancy", max_occupancy, closed_upper=True)
    if patience is not None:
        _positive("patience", patience)
    rate, h = np.broadcast_arrays(rate, h)
    a = rate * h
    if patience is None:  # keep the Erlang B values of the search for the metrics
        n, b = _min_agents_erlang_c(a, h, target_sl, target_time, max_occupancy, True)
    else:
        n, b = min_agents(a, h, target_sl, target_time, patience, max_occupancy), None
    if max_agents is not None and (n > max_agents).any():
        i = int(np.argmax(n > max_agents))
        raise DesignError(
            f"traffic of {a.ravel()[i]:.1f} Erlangs needs {int(n.ravel()[i])} agents, "
            f"more than max_agents={max_agents}",
            row=None if scalar else i,
            value=float(rate.ravel()[i]),
            hint="raise max_agents, lower target_sl or raise target_time",
        )
    m = queue_metrics(a, h, n, target_time, patience, blocking=b)
    scheduled = np.ceil(n / (1.0 - float(shrinkage)) - 1e-9)
    cols = {
        "arrival_rate": rate,
        "aht": h,
        "traffic": a,
        "agents": n.astype(int),
        "scheduled_staff": scheduled.astype(int),
        **m,
    }
    return _wrap(cols, scalar)


def staffing_plan(
    intervals: pd.DataFrame,
    arrivals: str = "arrivals",
    aht: str | float = "aht",
    interval: float = 1800.0,
    target_sl: float = 0.8,
    target_time: float = 20.0,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
    patience: float | None = None,
    max_agents: int | None = None,
) -> pd.DataFrame:
    """Required staff for every interval of a forecast (e.g. a week of 30-minute slots).

    Parameters
    ----------
    intervals : pandas.DataFrame
        One row per interval.
    arrivals : str
        Column with the arrivals counted in each interval. Rows with 0 arrivals need 0
        staff.
    aht : str or float
        Column (or one value) with the average handling time, in seconds by default.
    interval : float
        Length of each interval in the unit of ``aht`` (1800 = 30 minutes in seconds).
    target_sl, target_time, shrinkage, max_occupancy, patience, max_agents
        As in :func:`staff_for_service_level`.

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``traffic``, ``agents``, ``scheduled_staff``,
        ``p_wait``, ``service_level``, ``asa``, ``occupancy``, ``p_abandon`` and
        ``customers_per_staff`` (arrivals in the interval per scheduled staff member).

    Examples
    --------
    >>> import pandas as pd
    >>> from omsmethod.ratio import staffing_plan
    >>> week = pd.DataFrame({"arrivals": [100, 0, 250], "aht": 180})
    >>> staffing_plan(week)["agents"].tolist()
    [14, 0, 30]
    """
    require_dataframe(intervals, "intervals")
    cols = [arrivals] + ([aht] if isinstance(aht, str) else [])
    require_columns(intervals, cols, "intervals")
    from ..validation import require_numeric

    counts = require_numeric(intervals, arrivals, allow_missing=False)
    if (counts < 0).any():
        i = int(np.argmax(counts < 0))
        raise InputError(
            "arrivals must be >= 0", column=arrivals, row=intervals.index[i], value=counts[i]
        )
    if isinstance(aht, str):
        h = require_numeric(intervals, aht, allow_missing=False)
        if not (h > 0).all():
            i = int(np.argmax(~(h > 0)))
            raise InputError(
                "must be positive",
                column=aht,
                row=intervals.index[i],
                value=h[i],
                hint="average handling time is a duration > 0",
            )
    else:
        h = np.full(len(intervals), float(_positive("aht", aht)))
    busy = counts > 0
    out = intervals.copy()
    res = {k: np.zeros(len(out)) for k in ["traffic", "agents", "scheduled_staff", *_METRICS]}
    res["service_level"][:] = 1.0
    if busy.any():
        s = staff_for_service_level(
            counts[busy],
            h[busy],
            target_sl,
            target_time,
            shrinkage,
            max_occupancy,
            patience,
            interval,
            max_agents,
        )
        for k in res:
            res[k][busy] = s[k].to_numpy()
    for k in ("agents", "scheduled_staff"):
        res[k] = res[k].astype(int)
    for k, v in res.items():
        out[k] = v
    with np.errstate(divide="ignore", invalid="ignore"):
        out["customers_per_staff"] = np.where(
            res["scheduled_staff"] > 0, counts / np.maximum(res["scheduled_staff"], 1), np.nan
        )
    return out
