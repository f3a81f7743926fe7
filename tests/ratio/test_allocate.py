"""allocate_staff is exact: it equals brute force on small instances."""

import numpy as np
import pandas as pd
import pytest

from omsmethod.errors import DesignError, OMSError
from omsmethod.ratio import allocate_staff, fit_response, staff_for_service_level

from .conftest import COST, VALUE


@pytest.fixture(scope="module")
def wiggly_fit():
    """A spline fitted to a non-monotone outcome: unit values are not concave."""
    r = np.geomspace(200, 6000, 40)
    y = 70 + 6 * np.sin(3 * np.log(r)) - 2 * np.log(r)
    data = pd.DataFrame({"r": r, "y": y})
    return fit_response(data, "r", "y", form="spline", df=8)


def _brute_force(small, total, fit, lower, value=VALUE, cost=COST):
    """Every allocation with sum(staff) <= total, valued through fit.predict()."""
    c = small["customers"].to_numpy(float)
    budget = total - lower.sum()
    extra = np.arange(budget + 1)
    tables = []
    for ci, li in zip(c, lower, strict=True):
        s = li + extra
        tables.append(ci * value * fit.predict(ci / s).fit.to_numpy() - cost * s)
    grid = np.meshgrid(*[extra] * len(c), indexing="ij")
    used = sum(grid)
    values = sum(t[g] for t, g in zip(tables, grid, strict=True))
    values = np.where(used <= budget, values, -np.inf)
    k = np.unravel_index(np.argmax(values), values.shape)
    return float(values[k]), lower + np.array(k)


SMALL = [
    pd.DataFrame({"unit": ["A", "B", "C"], "customers": [12000, 30000, 5000]}),
    pd.DataFrame({"unit": ["A", "B", "C", "D"], "customers": [8000, 9000, 20000, 2500]}),
]


@pytest.mark.parametrize("small", SMALL)
@pytest.mark.parametrize("total", [6, 11, 16])
@pytest.mark.parametrize("cost", [COST, 0.0])
def test_greedy_equals_brute_force_for_concave_response(log_fit, small, total, cost):
    got = allocate_staff(small, total, log_fit, value_per_customer_point=VALUE, staff_cost=cost)
    assert got.attrs["method"] == "greedy" and got.attrs["concave"]
    best, _ = _brute_force(small, total, log_fit, np.ones(len(small), int), cost=cost)
    assert got.attrs["total_net_value"] == pytest.approx(best, rel=1e-12)
    assert got["staff"].sum() + got.attrs["unused_staff"] == total


@pytest.mark.parametrize("small", SMALL)
@pytest.mark.parametrize("total", [7, 12])
def test_dp_equals_brute_force_for_non_concave_response(wiggly_fit, small, total):
    got = allocate_staff(
        small, total, wiggly_fit, value_per_customer_point=VALUE, staff_cost=20000.0
    )
    assert not got.attrs["concave"] and got.attrs["method"] == "dp"
    best, _ = _brute_force(small, total, wiggly_fit, np.ones(len(small), int), cost=20000.0)
    assert got.attrs["total_net_value"] == pytest.approx(best, rel=1e-12)
    forced = allocate_staff(
        small, total, wiggly_fit, value_per_customer_point=VALUE, staff_cost=20000.0, method="dp"
    )
    assert forced["staff"].tolist() == got["staff"].tolist()


def test_service_level_minimums_and_budget(units, log_fit):
    sub = units.head(12)
    plan = allocate_staff(
        sub,
        150,
        log_fit,
        0.8,
        value_per_customer_point=VALUE,
        staff_cost="staff_cost",
        target_time=20,
        interval=3600,
    )
    need = staff_for_service_level(
        sub.arrivals_per_hour.to_numpy(), sub.aht.to_numpy(), 0.8, 20, interval=3600
    )["scheduled_staff"].to_numpy()
    assert (plan["min_staff"].to_numpy() == np.maximum(need, 1)).all()
    assert (plan["staff"] >= plan["min_staff"]).all()
    assert plan["staff"].sum() <= 150
    lower = plan["min_staff"].to_numpy()
    with pytest.raises(DesignError, match="below"):
        allocate_staff(
            sub, int(lower.sum()) - 1, log_fit, 0.8, value_per_customer_point=VALUE, staff_cost=COST
        )


def test_ratio_bounds_are_respected(units, log_fit):
    sub = units.head(10)
    plan = allocate_staff(
        sub, 400, log_fit, value_per_customer_point=VALUE, staff_cost=0.0, ratio_bounds=(800, 3000)
    )
    r = plan["customers_per_staff"]
    assert (r <= 3000 + 1e-9).all()
    assert ((r >= 800 - 1e-9) | (plan["staff"] == plan["min_staff"])).all()


def test_by_levels_use_each_units_own_level(units):
    fit = fit_response(units, "customers_per_staff", "satisfaction", by="channel")
    small = units.head(3)
    got = allocate_staff(small, 40, fit, value_per_customer_point=VALUE, staff_cost=COST)
    lv = small[["channel"]].reset_index(drop=True)
    own = fit.predict(got["customers_per_staff"], levels=lv).fit.to_numpy()
    np.testing.assert_allclose(got["outcome"], own, rtol=1e-12)


def test_bad_input(log_fit):
    small = SMALL[0]
    with pytest.raises(OMSError, match="customers"):
        allocate_staff(
            small.assign(customers=[1, 0, 3]),
            10,
            log_fit,
            value_per_customer_point=VALUE,
            staff_cost=COST,
        )
    with pytest.raises(OMSError, match="method"):
        allocate_staff(
            small, 10, log_fit, value_per_customer_point=VALUE, staff_cost=COST, method="lp"
        )


@pytest.mark.parametrize("cost", [COST, 0.0])
def test_short_tables_give_the_full_table_allocation(units, log_fit, cost):
    args = dict(value_per_customer_point=VALUE, staff_cost=cost)
    full = allocate_staff(units, 1500, log_fit, 0.8, **args, table_cells=10**9)
    short = allocate_staff(units, 1500, log_fit, 0.8, **args, table_cells=10)
    assert short["staff"].tolist() == full["staff"].tolist()
    assert short.attrs["total_net_value"] == pytest.approx(full.attrs["total_net_value"])
