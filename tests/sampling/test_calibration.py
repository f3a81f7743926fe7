"""Calibrated designs (issue 12): weights, estimates and calibration-aware SEs vs R.

R calls in tests/fixtures/sampling/make_fixtures.R on clus1 =
svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1):
  ps        postStratify(clus1, ~stype, pop.types)
  rk        rake(clus1, list(~stype, ~sch.wide), ..., control=list(maxit=1000, epsilon=1e-13))
  cal_lin   calibrate(clus1, ~stype+api99, c(6194, 755, 1018, 3914069))
  cal_rake  calibrate(clus1, ~stype+sch.wide, c(6194, 755, 1018, 5122), calfun="raking")
  cal_logit calibrate(clus1, ~stype+api99, ..., calfun="logit", bounds=c(0.7, 1.7))
and strat_ps = postStratify(strat, ~sch.wide, pop.schwide). Tolerance 1e-8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from omsmethod.errors import ConvergenceError, DesignError
from omsmethod.sampling import Design

from .conftest import FIXTURES

TYPES = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}
API99 = 3914069

CALIBRATIONS = {
    "ps": lambda d: d.poststratify("stype", TYPES),
    "rk": lambda d: d.rake({"stype": TYPES, "sch.wide": SCHWIDE}, tol=1e-13),
    "cal_lin": lambda d: d.calibrate(population={"stype": TYPES, "api99": API99}),
    "cal_rake": lambda d: d.calibrate(
        {"stype": TYPES, "sch.wide": SCHWIDE}, method="raking", tol=1e-13
    ),
    "cal_formula": lambda d: d.calibrate(
        margins={"stype": TYPES, "awards": {"No": 1, "Yes": 2}},
        population={"api99": API99},
        formula="~ stype + api99",
    ),
    "cal_logit": lambda d: d.calibrate(
        population={"stype": TYPES, "api99": API99}, method="logit", bounds=(0.7, 1.7), tol=1e-13
    ),
}
WEIGHT_COLUMNS = {
    "ps": "poststratify",
    "rk": "rake",
    "cal_lin": "calibrate_linear",
    "cal_formula": "calibrate_linear",
    "cal_rake": "calibrate_raking",
    "cal_logit": "calibrate_logit",
}


@pytest.fixture(scope="module")
def clus1(api):
    return Design(api("apiclus1"), weights="pw", psu="dnum", fpc="fpc")


@pytest.mark.parametrize("name", list(CALIBRATIONS))
def test_calibrated_design_matches_r(name, clus1, reference):
    cal = CALIBRATIONS[name](clus1)
    r_w = pd.read_csv(FIXTURES / "weights_clus1.csv")[WEIGHT_COLUMNS[name]]
    np.testing.assert_allclose(cal.weights, r_w.to_numpy(), rtol=1e-9)
    ref = reference[reference["design"] == f"clus1_{name.replace('cal_formula', 'cal_lin')}"]
    assert len(ref) == 10
    for _, row in ref.iterrows():
        by = None if pd.isna(row["by"]) else row["by"]
        got = getattr(cal, row["estimator"])(row["variable"], by=by)
        if by:
            got = got[got[by] == row["domain"]]
        assert got["estimate"].iloc[0] == pytest.approx(row["estimate"], rel=1e-8)
        assert got["se"].iloc[0] == pytest.approx(row["se"], rel=1e-8)
        assert got["ci_low"].iloc[0] == pytest.approx(row["ci_low"], rel=1e-8)


def test_poststratified_stratified_design_se(api, reference):
    d = Design(api("apistrat"), weights="pw", strata="stype", fpc="fpc")
    ps = d.poststratify("sch.wide", SCHWIDE)
    ref = reference[reference["design"] == "strat_ps"].set_index("variable")
    assert ps.mean("api00")["se"].iloc[0] == pytest.approx(ref.loc["api00", "se"], rel=1e-8)
    assert ps.total("enroll")["se"].iloc[0] == pytest.approx(ref.loc["enroll", "se"], rel=1e-8)


def test_calibration_leaves_original_design_alone(clus1):
    before = clus1.mean("api00")
    CALIBRATIONS["cal_lin"](clus1)
    pd.testing.assert_frame_equal(before, clus1.mean("api00"))
    # totals of calibration variables are reproduced with zero SE
    cal = CALIBRATIONS["cal_lin"](clus1)
    tot = cal.total("api99")
    assert tot["estimate"].iloc[0] == pytest.approx(API99, rel=1e-10)
    assert tot["se"].iloc[0] < 1e-6 * API99


def test_calibration_errors(clus1):
    with pytest.raises(DesignError, match="finite bounds"):
        clus1.calibrate({"stype": TYPES}, method="logit")
    with pytest.raises(DesignError, match="no population total"):
        clus1.calibrate(margins={"stype": TYPES}, formula="~stype + api99")
    with pytest.raises(DesignError, match="no population count") as err:
        clus1.calibrate({"stype": {"E": 4421, "H": 755}})
    assert err.value.value == "M"
    with pytest.raises(ConvergenceError):
        clus1.rake({"stype": TYPES, "sch.wide": SCHWIDE}, max_iter=1)
    with pytest.raises(ConvergenceError):
        clus1.calibrate({"stype": TYPES, "api99": API99}, method="logit", bounds=(0.99, 1.01))
