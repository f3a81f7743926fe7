"""Speed of the service-ratio kernels against naive per-item loops, in the same run.

1. A staffing plan for 10,000 half-hour intervals (Erlang C, 80% in 20 s) with
   ``staffing_plan`` (all intervals at once: Erlang B from a vectorised series, then the
   Erlang B recursion agent by agent) against the textbook factorial-free loop in pure
   Python, one interval at a time
   (Erlang B recursion, agents raised one by one) and pyworkforce's ErlangC per interval,
   both timed on a subset and scaled to 10,000; once at call-centre traffic, once at
   thousands of Erlangs.
2. An allocation of 5,000 staff across 500 units (``allocate_staff``, vectorised
   marginal gains) against the textbook heap greedy that adds one staff member at a
   time and evaluates each new marginal gain with the fitted model on demand.

Run: ``.venv/bin/python benchmarks/ratio.py``. Both sides must give identical staff.
"""

from __future__ import annotations

import heapq
import math
import time

import numpy as np
import pandas as pd

from omsmethod.datasets.operations import generate_units
from omsmethod.ratio import allocate_staff, fit_response, staffing_plan

TARGET_SL, TARGET_TIME, INTERVAL = 0.8, 20.0, 1800.0


def naive_staff(arrivals: float, aht: float) -> int:
    """Textbook per-interval loop: Erlang B recursion, add agents until the SL is met."""
    if arrivals <= 0:
        return 0
    a = arrivals / INTERVAL * aht
    n = int(math.floor(a)) + 1
    while True:
        inv_b = 1.0
        for k in range(1, n + 1):
            inv_b = 1.0 + inv_b * k / a
        b = 1.0 / inv_b
        c = n * b / (n - a * (1.0 - b))
        if 1.0 - c * math.exp(-(n - a) * TARGET_TIME / aht) >= TARGET_SL:
            return n
        n += 1


def pyworkforce_staff(arrivals: float, aht: float) -> int:
    from pyworkforce.queuing import ErlangC

    if arrivals <= 0:
        return 0
    e = ErlangC(transactions=arrivals, aht=aht, asa=TARGET_TIME, interval=INTERVAL)
    return e.required_positions(TARGET_SL)["raw_positions"]


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def bench_staffing(n: int = 10_000, calls=(20, 400), subset: int = 500) -> None:
    """Plan ``n`` intervals; the naive loops are timed on ``subset`` intervals and scaled."""
    rng = np.random.default_rng(1)
    intervals = pd.DataFrame(
        {"arrivals": rng.poisson(rng.uniform(*calls, n)), "aht": rng.uniform(120, 600, n).round()}
    )
    staffing_plan(intervals.head(10))  # warm-up (imports)
    plan, t_vec = timed(
        lambda: staffing_plan(intervals, target_sl=TARGET_SL, target_time=TARGET_TIME)
    )
    sub = intervals.head(subset)
    naive, t_naive = timed(
        lambda: [naive_staff(a, h) for a, h in zip(sub.arrivals, sub.aht, strict=True)]
    )
    pwf, t_pwf = timed(
        lambda: [pyworkforce_staff(a, h) for a, h in zip(sub.arrivals, sub.aht, strict=True)]
    )
    assert plan["agents"].head(subset).tolist() == naive, "vectorised and naive staffing differ"
    agree = float(np.mean(np.array(pwf) == plan["agents"].head(subset).to_numpy()))
    scale = n / subset
    t_naive, t_pwf = t_naive * scale, t_pwf * scale
    print(
        f"staffing plan, {n:,} intervals (mean traffic {plan.traffic.mean():,.0f} Erlangs;"
        f" loops timed on {subset} intervals and scaled)"
    )
    print(f"  staffing_plan (vectorised)     {t_vec:8.3f} s")
    print(f"  naive pure-Python loop         {t_naive:8.3f} s   ({t_naive / t_vec:,.0f}x slower)")
    print(
        f"  pyworkforce per interval       {t_pwf:8.3f} s   ({t_pwf / t_vec:,.0f}x slower;"
        f" same staff in {agree:.0%})"
    )


def heap_greedy(units: pd.DataFrame, fit, total: int, value: float) -> np.ndarray:
    """Textbook greedy: one staff member at a time to the unit with the largest marginal
    gain, each new gain evaluated on demand with ``fit.predict`` (heap of gains)."""
    c = units.customers.to_numpy(float)
    staff = np.ones(len(c), int)

    def gain(i):
        y = fit.predict([c[i] / staff[i], c[i] / (staff[i] + 1)]).fit.to_numpy()
        return c[i] * value * (y[1] - y[0])

    heap = [(-gain(i), i) for i in range(len(c))]
    heapq.heapify(heap)
    for _ in range(total - len(c)):
        g, i = heapq.heappop(heap)
        if -g <= 0:
            break
        staff[i] += 1
        heapq.heappush(heap, (-gain(i), i))
    return staff


def bench_allocation(n_units: int = 500, total: int = 5000) -> None:
    units = generate_units(n_units, seed=3)
    fit = fit_response(units, "customers_per_staff", "satisfaction", weights="respondents")
    args = dict(value_per_customer_point=5.0, staff_cost=0.0)
    allocate_staff(units.head(5), 50, fit, **args)  # warm-up
    plan, t_vec = timed(lambda: allocate_staff(units, total, fit, **args))

    naive = lambda: heap_greedy(units, fit, total, 5.0)  # noqa: E731
    staff, t_naive = timed(naive)
    assert plan["staff"].tolist() == staff.tolist(), "vectorised and heap allocations differ"
    print(f"allocation, {total:,} staff across {n_units} units ({plan.attrs['method']})")
    print(f"  allocate_staff (vectorised)    {t_vec:8.3f} s")
    print(f"  heap loop, predict per step    {t_naive:8.3f} s   ({t_naive / t_vec:,.1f}x slower)")


if __name__ == "__main__":
    bench_staffing()
    bench_staffing(calls=(10_000, 40_000), subset=50)  # thousands of Erlangs
    bench_allocation()
