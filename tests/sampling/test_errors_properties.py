"""Bad input gives a located OMSError; invariances of the design-based estimators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omsmethod.errors import DesignError, InputError, OMSError
from omsmethod.sampling import Design


@pytest.fixture()
def clus(api):
    return api("apiclus1").copy()


def test_non_positive_weight_named(clus):
    clus.loc[7, "pw"] = 0.0
    with pytest.raises(DesignError, match="positive") as err:
        Design(clus, weights="pw", psu="dnum")
    assert (err.value.column, err.value.row, err.value.value) == ("pw", 7, 0.0)
    clus.loc[7, "pw"] = -3.0
    with pytest.raises(DesignError, match="value -3.0"):
        Design(clus, weights="pw", psu="dnum")


@pytest.mark.parametrize("column", ["stype", "dnum"])
def test_missing_design_ids(clus, column):
    clus[column] = clus[column].astype(object)
    clus.loc[4, column] = None
    with pytest.raises(DesignError, match="id is missing") as err:
        Design(clus, weights="pw", strata="stype", psu="dnum", nest=True)
    assert (err.value.column, err.value.row) == (column, 4)


def test_lonely_psu_raise_names_stratum(api):
    with pytest.raises(DesignError, match="only one PSU") as err:
        Design(api("lonely"), weights="pw", strata="stype")
    assert (err.value.column, err.value.value) == ("stype", "E")
    assert "lonely_psu" in str(err.value)


def test_lonely_options_differ(api):
    ses = {
        opt: Design(api("lonely"), weights="pw", strata="stype", lonely_psu=opt)
        .mean("api00")["se"]
        .iloc[0]
        for opt in ("certainty", "adjust", "average")
    }
    assert ses["certainty"] < ses["adjust"] < ses["average"]


def test_fpc_smaller_than_sample(api):
    data = api("apistrat").copy()
    data.loc[data["stype"] == "H", "fpc"] = 20  # 50 schools sampled
    with pytest.raises(DesignError, match="smaller than the number of sampled") as err:
        Design(data, weights="pw", strata="stype", fpc="fpc")
    assert err.value.column == "fpc" and err.value.value == 20


def test_psu_not_nested(api):
    data = api("apiclus2")
    with pytest.raises(DesignError, match="nest=True"):
        Design(data.assign(h=data["snum"] % 2), weights="pw", strata="h", psu="dnum")


def test_empty_domain(api):
    d = Design(api("apistrat"), weights="pw", strata="stype", fpc="fpc")
    # acs.k3 (K-3 class size) is only observed for elementary schools
    with pytest.raises(DesignError, match="stype='H' has no respondents") as err:
        d.mean("acs.k3", by="stype")
    assert err.value.column == "acs.k3"


def test_all_missing_variable(api):
    data = api("apistrat").assign(empty=np.nan)
    d = Design(data, weights="pw", strata="stype")
    with pytest.raises(DesignError, match="no non-missing") as err:
        d.mean("empty")
    assert err.value.column == "empty"


def test_text_where_number_needed(api):
    data = api("apistrat").copy()
    data["score"] = data["api00"].astype(object)
    data.loc[11, "score"] = "n/a"
    d = Design(data, weights="pw", strata="stype")
    with pytest.raises(InputError, match="not a number") as err:
        d.mean("score")
    assert (err.value.column, err.value.row, err.value.value) == ("score", 11, "n/a")
    with pytest.raises(OMSError, match="'nope'"):
        d.total("nope")
    with pytest.raises(InputError, match="column 'name', row 0.*not a number"):
        Design(data, weights="name")


def test_repr_and_summary(api):
    d = Design(api("apiclus1"), weights="pw", psu="dnum", fpc="fpc")
    assert "15 PSUs" in repr(d)
    summary = d.summary().set_index("fact")["value"]
    assert summary["PSUs"] == 15 and summary["degrees of freedom"] == 14
    assert "<table>" in d._repr_html_()


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.01, 1000.0))
def test_scaling_weights_leaves_means_unchanged(seed, factor):
    rng = np.random.default_rng(seed)
    n = 60
    data = pd.DataFrame(
        {
            "y": rng.normal(size=n),
            "h": rng.integers(0, 3, n),
            "c": np.arange(n) // 3,
            "g": rng.choice(["a", "b"], n),
            "w": rng.uniform(1, 5, n),
        }
    )
    data.loc[:1, "g"] = ["a", "b"]
    scaled = data.assign(w=data["w"] * factor)
    kw = dict(strata="h", psu="c", nest=True, lonely_psu="adjust")
    a = Design(data, weights="w", **kw).mean("y", by="g")
    b = Design(scaled, weights="w", **kw).mean("y", by="g")
    np.testing.assert_allclose(a[["estimate", "se"]], b[["estimate", "se"]], rtol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_one_stratum_equals_unstratified(seed):
    rng = np.random.default_rng(seed)
    n = 40
    data = pd.DataFrame(
        {
            "y": rng.normal(size=n),
            "x": rng.uniform(1, 2, n),
            "c": rng.integers(0, 8, n),
            "w": rng.uniform(1, 5, n),
            "h": "all",
        }
    )
    data.loc[:7, "c"] = range(8)
    one = Design(data, weights="w", strata="h", psu="c")
    none = Design(data, weights="w", psu="c")
    for method, args in (("mean", ("y",)), ("total", ("y",)), ("ratio", ("y", "x"))):
        pd.testing.assert_frame_equal(getattr(one, method)(*args), getattr(none, method)(*args))


# -- issue 12: bad input to weighting and replicate designs -----------------------------
TYPES = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}


@pytest.fixture()
def clus1(api):
    return Design(api("apiclus1"), weights="pw", psu="dnum", fpc="fpc")


def test_rake_margin_totals_disagree(clus1):
    with pytest.raises(DesignError, match="margin totals disagree.*6194.*6000") as err:
        clus1.rake({"stype": TYPES, "sch.wide": {"No": 1000, "Yes": 5000}})
    assert err.value.column == "sch.wide"


def test_absent_level_named_and_partial_drops_it(clus1):
    from omsmethod.sampling import rake

    margins = {"stype": {**TYPES, "X": 100}, "sch.wide": {"No": 1072, "Yes": 5222}}
    with pytest.raises(DesignError, match="level 'X' has no respondents.*partial=True") as err:
        clus1.rake(margins)
    assert (err.value.column, err.value.value) == ("stype", "X")
    with pytest.warns(UserWarning, match=r"stype='X' \(100\).*total of 6194"):
        raked = clus1.rake(margins, partial=True)
    # X's 100 are dropped; sch.wide (6294) is scaled to the common total 6194
    want = rake(
        clus1.data,
        {"stype": TYPES, "sch.wide": {"No": 1072 * 6194 / 6294, "Yes": 5222 * 6194 / 6294}},
        weights="pw",
    ).weights.to_numpy()
    np.testing.assert_allclose(raked.weights, want, rtol=1e-10)
    with pytest.warns(UserWarning, match="'X'"):
        ps = clus1.poststratify("stype", {**TYPES, "X": 5}, partial=True)
    np.testing.assert_allclose(ps.weights, clus1.poststratify("stype", TYPES).weights)
    jk = clus1.replicate("JK1")
    with pytest.warns(UserWarning, match="'X'"):
        got = jk.rake(margins, partial=True).mean("api00")
    assert got["estimate"].iloc[0] == pytest.approx(
        float(np.average(clus1.data["api00"], weights=want)), rel=1e-10
    )


def test_replicate_weight_nan_named(api):
    from omsmethod.sampling import ReplicateDesign

    data = api("apiclus1").assign(r1=1.0, r2=2.0, r3=3.0)
    data.loc[9, "r2"] = np.nan
    with pytest.raises(DesignError, match=r"replicate weight is missing \(NaN\)") as err:
        ReplicateDesign(data, "pw", "r[0-9]", "JK1")
    assert (err.value.column, err.value.row) == ("r2", 9)
    with pytest.raises(DesignError, match="no column matches"):
        ReplicateDesign(data, "pw", "rep_[0-9]+", "JK1")


def test_replicate_count_disagrees_with_scales(api):
    from omsmethod.sampling import ReplicateDesign

    data = api("apiclus1").assign(r1=1.0, r2=2.0, r3=3.0)
    with pytest.raises(DesignError, match="rscales has 2 values but there are 3 replicate"):
        ReplicateDesign(data, "pw", "r[0-9]", "JKn", rscales=[0.5, 0.5])
    with pytest.raises(DesignError, match="scale must be one number, got 3 values"):
        ReplicateDesign(data, "pw", "r[0-9]", "other", scale=[1, 1, 1])


def test_calibration_not_converging_says_how_far(clus1):
    from omsmethod.errors import ConvergenceError

    # g-weights within (0.9, 1.1) cannot move the H schools from 8% to 50% of the total
    with pytest.raises(
        ConvergenceError, match=r"after \d+ iterations: largest relative miss of a population"
    ) as err:
        clus1.calibrate(
            {"stype": {"E": 2000, "H": 3100, "M": 1094}},
            method="logit",
            bounds=(0.9, 1.1),
            max_iter=20,
        )
    assert err.value.value > 0.1  # how far off: H cannot get near its target
    with pytest.raises(ConvergenceError, match=r"did not converge in 1 iterations \(max rel"):
        clus1.rake({"stype": TYPES, "sch.wide": SCHWIDE}, max_iter=1)
