"""Replicate designs and contrasts (issue 12) against R survey 4.1.1.

R (tests/fixtures/sampling/make_fixtures.R): as.svrepdesign(clus1, "JK1"),
as.svrepdesign(strat, "JKn"), as.svrepdesign(clus1, "bootstrap", replicates=50)
after set.seed(20261123), as.svrepdesign(pairs, "BRR") and ("Fay", fay.rho=0.3) on
`pairs` = apistrat with strata of two consecutive schools; their analysis weights
are exported, so ReplicateDesign gets exactly R's replicates. Contrasts:
svycontrast(svyby(~api00, ~stype, d, svymean, covmat=TRUE), ...). Tolerance 1e-8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from omsmethod.errors import DesignError
from omsmethod.sampling import Design, ReplicateDesign

from .conftest import FIXTURES

REP = {
    "clus1_JK1": ("apiclus1", "JK1"),
    "strat_JKn": ("apistrat", "JKn"),
    "clus1_boot": ("apiclus1", "bootstrap"),
    "pairs_BRR": ("apistrat", "BRR"),
    "pairs_Fay": ("apistrat", "Fay"),
}

CONTRASTS = {
    "H - E": {"E": -1, "H": 1},
    "M - E": {"E": -1, "M": 1},
    "M - H": {"H": -1, "M": 1},
    "E - (H + M)/2": {"E": 1, "H": -0.5, "M": -0.5},
}


def _r_replicate_design(api, name):
    data_name, kind = REP[name]
    data = api(data_name)
    rep = pd.read_csv(FIXTURES / f"rep_{name}.csv").to_numpy()
    meta = pd.read_csv(FIXTURES / f"rep_{name}_meta.csv")
    return ReplicateDesign(
        data,
        "pw",
        rep,
        type=kind,
        scale=meta["scale"].iloc[0],
        rscales=meta["rscales"].to_numpy(),
        mse=bool(meta["mse"].iloc[0]),
    )


def _check(design, ref, stats=("estimate", "se", "ci_low", "ci_high")):
    assert len(ref) >= 4
    for _, row in ref.iterrows():
        by = None if pd.isna(row["by"]) else row["by"]
        if row["estimator"] == "ratio":
            got = design.ratio(*row["variable"].split("/"), by=by)
        elif row["estimator"] == "contrast":
            got = design.contrast(
                row["variable"], by=by, contrasts={row["level"]: CONTRASTS[row["level"]]}
            )
        elif row["estimator"] == "quantile":
            got = design.quantile(row["variable"], [float(row["level"])], by=by)
        else:
            got = getattr(design, row["estimator"])(row["variable"], by=by)
        if by and row["estimator"] != "contrast":
            got = got[got[by] == row["domain"]]
        if row["estimator"] == "proportion":
            got = got[got["level"] == row["level"]]
        for stat in stats:
            if pd.isna(row[stat]):  # R: interval limit outside [0, 1] -> NaN
                assert np.isnan(got[stat].iloc[0])
                continue
            assert got[stat].iloc[0] == pytest.approx(row[stat], rel=1e-8), (row.to_dict(), stat)


@pytest.mark.parametrize("name", list(REP))
def test_replicate_design_with_r_weights(name, api, reference):
    design = _r_replicate_design(api, name)
    _check(design, reference[reference["design"] == f"rep_{name}"])


@pytest.mark.parametrize(
    ("name", "kwargs", "method"),
    [
        ("clus1_JK1", dict(weights="pw", psu="dnum", fpc="fpc"), "JK1"),
        ("strat_JKn", dict(weights="pw", strata="stype", fpc="fpc"), "JKn"),
    ],
)
def test_jackknife_weights_built_like_r(name, kwargs, method, api, reference):
    data = api(REP[name][0])
    ours = Design(data, **kwargs).replicate(method)
    r = pd.read_csv(FIXTURES / f"rep_{name}.csv").to_numpy()
    # same replicate columns, possibly in another order
    key = lambda m: sorted(map(tuple, np.round(m.T, 9)))  # noqa: E731
    assert key(ours.repweights) == key(r)
    _check(ours, reference[reference["design"] == f"rep_{name}"])


@pytest.mark.parametrize(("method", "rho"), [("BRR", None), ("Fay", 0.3)])
def test_brr_totals_match_r(method, rho, api, reference):
    data = api("apistrat").assign(pair=lambda d: np.arange(len(d)) // 2)
    ours = Design(data, weights="pw", strata="pair").replicate(method, rho=rho)
    ref = reference[
        (reference["design"] == f"rep_pairs_{method}") & (reference["estimator"] == "total")
    ]
    # totals are linear: every fully balanced half-sample set gives R's variance
    for _, row in ref.iterrows():
        got = ours.total(row["variable"])
        assert got["se"].iloc[0] == pytest.approx(row["se"], rel=1e-8)


def test_bootstrap_is_seeded_and_sensible(api):
    d = Design(api("apistrat"), weights="pw", strata="stype", fpc="fpc")
    a = d.replicate("bootstrap", replicates=200, seed=7).mean("api00")
    b = d.replicate("bootstrap", replicates=200, seed=7).mean("api00")
    pd.testing.assert_frame_equal(a, b)
    taylor = d.mean("api00")["se"].iloc[0]
    assert a["se"].iloc[0] == pytest.approx(taylor, rel=0.25)


def test_taylor_contrasts_match_r(api, reference):
    d = Design(api("apiclus1"), weights="pw", psu="dnum", fpc="fpc")
    pairwise = d.contrast("api00", by="stype")
    assert pairwise["contrast"].tolist() == ["H - E", "M - E", "M - H"]
    _check(d, reference[reference["design"] == "clus1"][lambda r: r["estimator"] == "contrast"])


def test_replicate_errors(api):
    data = api("apistrat")
    with pytest.raises(DesignError, match="JK1 is for unstratified"):
        Design(data, weights="pw", strata="stype").replicate("JK1")
    with pytest.raises(DesignError, match="exactly 2 PSUs") as err:
        Design(data, weights="pw", strata="stype").replicate("BRR")
    assert err.value.column == "stype"
    with pytest.raises(DesignError, match="rscales"):
        ReplicateDesign(data, "pw", np.ones((len(data), 3)), type="JKn")
    with pytest.raises(DesignError, match="shape"):
        ReplicateDesign(data, "pw", np.ones((5, 3)))


TYPES = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}
REWEIGHT = {
    "ps": lambda r: r.poststratify("stype", TYPES),
    "rk": lambda r: r.rake({"stype": TYPES, "sch.wide": SCHWIDE}, tol=1e-13, max_iter=1000),
    "cal_lin": lambda r: r.calibrate(population={"stype": TYPES, "api99": 3914069}),
}


@pytest.mark.parametrize("name", list(REWEIGHT))
def test_weighted_replicate_design_matches_r(name, api, reference):
    """postStratify / rake / calibrate on as.svrepdesign(clus1, "JK1") in R."""
    design = REWEIGHT[name](_r_replicate_design(api, "clus1_JK1"))
    _check(design, reference[reference["design"] == f"rep_clus1_JK1_{name}"])


@pytest.mark.parametrize("by", [None, "stype"])
def test_chunked_replicate_sums_equal_unchunked(api, by):
    """Blocks of one replicate column (tiny chunk_bytes) give the one-block numbers."""
    data = api("apiclus1")
    rep = pd.read_csv(FIXTURES / "rep_clus1_JK1.csv")
    full = _r_replicate_design(api, "clus1_JK1")
    wide = data.join(rep)
    # delivered as data columns, chosen by a regular expression
    cols = ReplicateDesign(wide, "pw", "rep[0-9]+", "JK1", scale=full.scale)
    assert cols.n_replicates == rep.shape[1]
    tiny = ReplicateDesign(wide, "pw", "rep[0-9]+", "JK1", scale=full.scale)
    tiny.chunk_bytes = 8 * len(data)  # one replicate column per block
    assert len(list(tiny._chunks())) == rep.shape[1]
    want = full.mean(["api00", "enroll"], by=by)
    for design in (cols, tiny):
        got = design.mean(["api00", "enroll"], by=by)
        pd.testing.assert_frame_equal(got, want, rtol=1e-12)
    got = tiny.ratio("api.stu", "enroll", by=by)
    pd.testing.assert_frame_equal(got, full.ratio("api.stu", "enroll", by=by), rtol=1e-12)


def test_design_replicates_never_build_rows_by_replicates(api):
    """JKn from a design keeps PSU multipliers; sums through them equal dense sums."""
    d = Design(api("apistrat"), weights="pw", strata="stype", fpc="fpc").replicate("JKn")
    dense = ReplicateDesign(
        d.data, d.weights, d.repweights, "JKn", scale=d.scale, rscales=d.rscales
    )
    assert d._rep.mult.shape[0] == 200  # PSUs x replicates, not rows x replicates
    pd.testing.assert_frame_equal(
        d.mean("api00", by="stype"), dense.mean("api00", by="stype"), rtol=1e-12
    )
