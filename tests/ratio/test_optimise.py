"""optimise_ratio finds the planted optimum of the generated units."""

import numpy as np
import pandas as pd
import pytest

from omsmethod.datasets.operations import generate_units, planted_optimum
from omsmethod.errors import ModelError, OMSError
from omsmethod.ratio import fit_response, optimise_ratio

from .conftest import COST, VALUE


@pytest.mark.parametrize("seed", [11, 12, 14])  # fixed seeds; coverage over 60 seeds was 93%
@pytest.mark.parametrize("by", [None, "channel"])
def test_planted_optimum_inside_ci(seed, by):
    data = generate_units(80, seed=seed)
    fit = fit_response(data, "customers_per_staff", "satisfaction", by=by, weights="respondents")
    best = optimise_ratio(fit, VALUE, COST, customers=50_000, n_boot=300, seed=seed)
    row = best.table.set_index("quantity").loc["ratio"]
    truth = planted_optimum()  # 1500 = 60000 / (5 * 8)
    assert truth == 1500.0
    assert row.ci_low <= truth <= row.ci_high
    assert row.estimate == pytest.approx(truth, rel=0.15)
    assert row.ci_low < row.estimate < row.ci_high


def test_log_form_optimum_is_analytic(log_fit):
    best = optimise_ratio(log_fit, VALUE, COST, customers=100_000, n_boot=0)
    slope = log_fit.params[1]
    analytic = -COST / (VALUE * slope)  # d/dr [v b ln r - k / r] = 0
    assert best["ratio"] == pytest.approx(analytic, rel=2e-3)  # grid step ~0.14%
    assert best["staff"] == pytest.approx(100_000 / best["ratio"])
    a = log_fit.params[0]
    assert best["outcome"] == pytest.approx(a + slope * np.log(best["ratio"]), rel=1e-12)
    net = lambda r: 100_000 * VALUE * (a + slope * np.log(r)) - COST * 100_000 / r  # noqa: E731
    assert best["net_value"] == pytest.approx(net(analytic), rel=1e-6)
    # the 1% range: net at its ends is just above 99% of the best
    for end in ("ratio_low", "ratio_high"):
        assert net(best[end]) >= 0.99 * best["net_value"] - 1e-6
        assert net(best[end]) == pytest.approx(0.99 * best["net_value"], rel=2e-4)
    assert np.isnan(best.table.ci_low).all()


def test_min_outcome_caps_the_ratio(log_fit):
    a, b = log_fit.params
    free = optimise_ratio(log_fit, VALUE, COST, customers=1e5, n_boot=0)
    floor = free["outcome"] + 3
    capped = optimise_ratio(log_fit, VALUE, COST, customers=1e5, n_boot=0, min_outcome=floor)
    assert capped["ratio"] == pytest.approx(np.exp((floor - a) / b), rel=2e-3)
    assert capped["outcome"] >= floor
    with pytest.raises(ModelError, match="min_outcome"):
        optimise_ratio(log_fit, VALUE, COST, customers=1e5, n_boot=0, min_outcome=99)


def test_bootstrap_is_seeded_and_tidy(log_fit):
    one = optimise_ratio(log_fit, VALUE, COST, customers=1e5, n_boot=100, seed=4)
    two = optimise_ratio(log_fit, VALUE, COST, customers=1e5, n_boot=100, seed=4)
    pd.testing.assert_frame_equal(one.table, two.table)
    assert one.table.quantity.tolist() == [
        "ratio",
        "staff",
        "outcome",
        "net_value",
        "ratio_low",
        "ratio_high",
    ]
    assert len(one.boot) == 100
    t = one.table
    assert (t.ci_low <= t.estimate).all() and (t.estimate <= t.ci_high).all()
    assert {"ratio", "outcome", "net_value", "near_optimum"} <= set(one.curve.columns)
    assert "<table" in one._repr_html_()


@pytest.mark.parametrize("form", ["spline", "logistic"])
def test_other_forms_land_near_the_planted_optimum(units, form):
    fit = fit_response(
        units, "customers_per_staff", "satisfaction", form=form, weights="respondents"
    )
    best = optimise_ratio(fit, VALUE, COST, customers=1e5, n_boot=200, seed=1)
    row = best.table.set_index("quantity").loc["ratio"]
    assert row.ci_low <= 1500 <= row.ci_high


@pytest.mark.parametrize(
    "args, word",
    [
        ((None, VALUE, COST, 1e5), "fit_response"),
        (("fit", -1.0, COST, 1e5), "value_per_customer_point"),
        (("fit", VALUE, COST, 0), "customers"),
    ],
)
def test_bad_input(log_fit, args, word):
    args = tuple(log_fit if a == "fit" else a for a in args)
    with pytest.raises(OMSError, match=word):
        optimise_ratio(*args, n_boot=0)
    with pytest.raises(OMSError, match="bounds"):
        optimise_ratio(log_fit, VALUE, COST, 1e5, bounds=(500, 100), n_boot=0)
