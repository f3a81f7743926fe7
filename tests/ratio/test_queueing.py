"""Erlang C / Erlang A against published numbers and independent computations."""

from fractions import Fraction
from math import factorial

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omsmethod.errors import DesignError, OMSError
from omsmethod.ratio import erlang_c, staff_for_service_level, staffing_plan


# Call Centre Helper, "Erlang C Formula - Made Simple With an Easy Worked Example",
# https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm : 100 calls per
# 30 minutes, AHT 180 s, 80% answered in 20 s, max occupancy 85%, shrinkage 30% ->
# 14 agents, 20 with shrinkage. The same example, with the metrics at 14 agents
# (service level 0.888, occupancy 0.714, waiting probability 0.174) and the variant with
# max occupancy 70% (15 agents, 22 scheduled, 0.941 / 0.667 / 0.102), is asserted in
# pyworkforce's own test suite (pyworkforce/queuing/tests/test_erlang.py, v0.5).
@pytest.mark.parametrize(
    "max_occupancy, agents, scheduled, sl, occ, pw",
    [(0.85, 14, 20, 0.888, 0.714, 0.174), (0.70, 15, 22, 0.941, 0.667, 0.102)],
)
def test_published_call_centre_helper_example(max_occupancy, agents, scheduled, sl, occ, pw):
    r = staff_for_service_level(
        100, 180, 0.8, 20, shrinkage=0.3, max_occupancy=max_occupancy, interval=1800
    )
    assert int(r["agents"]) == agents
    assert int(r["scheduled_staff"]) == scheduled
    assert round(r["service_level"], 3) == sl
    assert round(r["occupancy"], 3) == occ
    assert round(r["p_wait"], 3) == pw
    assert r["traffic"] == pytest.approx(10.0)


def _erlang_c_exact(a: Fraction, n: int) -> float:
    """Textbook factorial formula in exact rational arithmetic."""
    top = a**n / factorial(n) * Fraction(n) / (n - a)
    return float(top / (sum(a**k / factorial(k) for k in range(n)) + top))


@pytest.mark.parametrize("traffic", [Fraction(1, 2), Fraction(3), Fraction(10), Fraction(473, 10)])
def test_erlang_c_matches_exact_factorial_formula(traffic):
    agents = np.arange(int(traffic) + 1, int(traffic) + 15)
    got = erlang_c(float(traffic), 1.0, agents, target_time=0.25)
    want = np.array([_erlang_c_exact(traffic, int(n)) for n in agents])
    np.testing.assert_allclose(got["p_wait"], want, rtol=1e-10)
    a = float(traffic)
    np.testing.assert_allclose(got["service_level"], 1 - want * np.exp(-(agents - a) * 0.25))
    np.testing.assert_allclose(got["asa"], want / (agents - a))
    np.testing.assert_allclose(got["occupancy"], a / agents)


def test_against_pyworkforce_grid():
    from pyworkforce.queuing import ErlangC

    rows = []
    for calls in (20, 100, 400, 1500):
        for aht in (2.0, 3.0, 5.0):  # minutes
            for target in (1 / 3, 1.0):
                ref = ErlangC(transactions=calls, aht=aht, asa=target, interval=30)
                a = calls / 30 * aht
                for n in range(int(a) + 1, int(a) + 12):
                    rows.append(
                        (calls, aht, target, n, ref.service_level(n), ref.waiting_probability(n))
                    )
    grid = pd.DataFrame(rows, columns=["calls", "aht", "target", "n", "sl", "pw"])
    got = erlang_c(
        grid["calls"].to_numpy(),
        grid["aht"].to_numpy(),
        grid["n"].to_numpy(),
        target_time=grid["target"].to_numpy(),
        interval=30,
    )
    np.testing.assert_allclose(got["p_wait"], grid["pw"], rtol=1e-9)
    np.testing.assert_allclose(got["service_level"], grid["sl"], rtol=1e-9, atol=1e-12)


def test_minimum_staff_is_minimal_against_pyworkforce_values():
    from pyworkforce.queuing import ErlangC

    for calls in (15, 60, 250, 900):
        ref = ErlangC(transactions=calls, aht=4.0, asa=0.5, interval=30)
        r = staff_for_service_level(calls, 4.0, 0.85, 0.5, interval=30)
        n = int(r["agents"])
        assert ref.service_level(n) >= 0.85 > ref.service_level(n - 1)


def _naive_erlang_b(a: float, n: int) -> float:
    inv = 1.0
    for k in range(1, n + 1):
        inv = 1.0 + inv * k / a
    return 1.0 / inv


def test_large_traffic_is_finite_and_matches_recursion_and_halfin_whitt():
    from scipy.stats import norm

    a = 5000.0
    r = staff_for_service_level(a / 180, 180, 0.8, 20)
    n = int(r["agents"])
    assert a < n < a + 3 * np.sqrt(a)
    assert np.isfinite([r["p_wait"], r["service_level"], r["asa"]]).all()
    b = _naive_erlang_b(a, n)
    assert r["p_wait"] == pytest.approx(n * b / (n - a * (1 - b)), rel=1e-9)
    beta = (n - a) / np.sqrt(a)  # Halfin & Whitt (1981) heavy-traffic approximation
    assert r["p_wait"] == pytest.approx(1 / (1 + beta * norm.cdf(beta) / norm.pdf(beta)), abs=0.01)
    huge = erlang_c(1e5, 1.0, [100_050, 100_500], target_time=0.1)
    assert np.isfinite(huge[["p_wait", "service_level", "asa"]].to_numpy()).all()
    assert (np.diff(huge["service_level"]) > 0).all()


@settings(max_examples=40, deadline=None)
@given(
    traffic=st.floats(0.05, 3000),
    target=st.floats(0, 5),
    patience=st.one_of(st.none(), st.floats(0.05, 50)),
)
def test_service_level_monotone_in_staff(traffic, target, patience):
    n = np.arange(max(1, int(traffic) - 5), int(traffic) + 40)
    sl = erlang_c(traffic, 1.0, n, target_time=target, patience=patience)["service_level"]
    assert (np.diff(sl.to_numpy()) >= -1e-9).all()
    assert ((sl >= -1e-12) & (sl <= 1 + 1e-12)).all()


@settings(max_examples=30, deadline=None)
@given(
    traffic=st.floats(0.1, 2000),
    target_sl=st.floats(0.05, 0.99),
    patience=st.one_of(st.none(), st.floats(0.1, 20)),
)
def test_staff_for_service_level_is_minimal(traffic, target_sl, patience):
    r = staff_for_service_level(traffic, 1.0, target_sl, 0.2, patience=patience)
    n = int(r["agents"])
    below = erlang_c(traffic, 1.0, max(n - 1, 1), target_time=0.2, patience=patience)
    assert r["service_level"] >= target_sl
    assert n == 1 or below["service_level"] < target_sl


def _erlang_a_chain(lam, mu, theta, n, t, k_max=400):
    """M/M/n+M solved as a truncated birth-death chain; the share answered within t from
    the matrix exponential of the tagged customer's position in the queue."""
    from scipy.linalg import expm

    states = n + k_max + 1
    up = np.full(states - 1, lam)
    down = np.array([min(j, n) * mu + max(j - n, 0) * theta for j in range(1, states)])
    log_p = np.concatenate([[0.0], np.cumsum(np.log(up) - np.log(down))])
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    queue = np.maximum(np.arange(states) - n, 0)
    p_wait = p[n:].sum()
    p_ab = theta * (queue * p).sum() / lam
    # Transient states: j = customers ahead of the tagged customer (j = 0..k_max); it
    # moves up at rate n mu + j theta (service or abandonment ahead) and hangs up itself
    # at rate theta. Absorbing states: served (index m), abandoned (index m + 1).
    m = k_max + 1
    q = np.zeros((m + 2, m + 2))
    for j in range(m):
        move = n * mu + j * theta
        q[j, j] = -(move + theta)
        q[j, j - 1 if j > 0 else m] = move
        q[j, m + 1] = theta
    served_by_t = expm(q * t)[:m, m]
    answered = p[:n].sum() + (p[n:] * served_by_t).sum()
    return p_wait, p_ab, answered


@pytest.mark.parametrize(
    "calls, aht, patience, agents, target",
    [(100, 180, 120, 10, 20), (100, 180, 60, 8, 20), (400, 240, 300, 50, 30), (30, 300, 90, 3, 60)],
)
def test_erlang_a_against_birth_death_chain(calls, aht, patience, agents, target):
    lam, mu, theta = calls / 1800, 1 / aht, 1 / patience
    pw, pab, sl = _erlang_a_chain(lam, mu, theta, agents, target)
    got = erlang_c(calls, aht, agents, target_time=target, patience=patience, interval=1800)
    assert got["p_wait"] == pytest.approx(pw, rel=1e-8)
    assert got["p_abandon"] == pytest.approx(pab, rel=1e-8)
    assert got["service_level"] == pytest.approx(sl, rel=1e-8)
    assert got["asa"] == pytest.approx(pab * patience, rel=1e-8)


def test_erlang_a_tends_to_erlang_c_with_long_patience():
    c = erlang_c(100, 180, 12, target_time=20, interval=1800)
    a = erlang_c(100, 180, 12, target_time=20, interval=1800, patience=1e8)
    for k in ("p_wait", "service_level", "asa"):
        assert a[k] == pytest.approx(c[k], rel=1e-4)
    assert a["p_abandon"] < 1e-5


def test_staffing_plan_rows_match_single_calls():
    week = pd.DataFrame({"arrivals": [0, 40, 100, 380], "aht": [300, 300, 180, 240]})
    plan = staffing_plan(week, target_sl=0.8, target_time=20, shrinkage=0.25)
    assert plan["arrivals"].tolist() == week["arrivals"].tolist()  # input kept
    assert plan.loc[0, "agents"] == 0 and np.isnan(plan.loc[0, "customers_per_staff"])
    for i in range(1, 4):
        one = staff_for_service_level(
            week.arrivals[i], week.aht[i], 0.8, 20, shrinkage=0.25, interval=1800
        )
        assert plan.loc[i, "agents"] == one["agents"]
        assert plan.loc[i, "scheduled_staff"] == one["scheduled_staff"]
        assert plan.loc[i, "customers_per_staff"] == pytest.approx(
            week.arrivals[i] / one["scheduled_staff"]
        )
    assert plan.loc[2, "agents"] == 14
    assert "customers_per_staff" not in week


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"arrival_rate": 0}, "arrival_rate"),
        ({"arrival_rate": -3}, "arrival_rate"),
        ({"aht": 0}, "aht"),
        ({"target_sl": 1.0}, "target_sl"),
        ({"target_sl": 0.0}, "target_sl"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"max_occupancy": 0.0}, "max_occupancy"),
    ],
)
def test_bad_input(kwargs, word):
    args = {
        "arrival_rate": 100,
        "aht": 180,
        "target_sl": 0.8,
        "target_time": 20,
        "interval": 1800,
    } | kwargs
    with pytest.raises(OMSError, match=word):
        staff_for_service_level(**args)


def test_traffic_beyond_max_agents_is_a_design_error():
    with pytest.raises(DesignError, match="max_agents"):
        staff_for_service_level(1000, 180, 0.8, 20, interval=1800, max_agents=50)
    with pytest.raises(OMSError, match="arrivals"):
        staffing_plan(pd.DataFrame({"arrivals": [10, -1], "aht": 180}))
    with pytest.raises(OMSError, match="positive"):
        staffing_plan(pd.DataFrame({"arrivals": [10, 1], "aht": [180, 0]}))
