"""Design-based estimates against R survey 4.1.1 on its own api data.

Expected values: tests/fixtures/sampling/survey_reference.csv, written by
tests/fixtures/sampling/make_fixtures.R (svymean, svytotal, svymean of factors,
svyratio, svyby, svyquantile with deff=TRUE where available). Tolerance 1e-6 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from omsmethod.sampling import Design

from .conftest import DESIGNS

RTOL, ATOL = 1e-6, 1e-9
STATS = ["estimate", "se", "ci_low", "ci_high", "deff"]


def _ours(design: Design, estimator: str, variable: str, by, levels):
    if estimator in ("mean", "total"):
        return getattr(design, estimator)(variable, by=by)
    if estimator == "proportion":
        return design.proportion(variable, by=by)
    if estimator == "ratio":
        num, den = variable.split("/")
        return design.ratio(num, den, by=by)
    probs = sorted(float(p) for p in levels)
    return design.quantile(variable, probs, by=by)


def _compare(expected: pd.DataFrame, got: pd.DataFrame, key: list[str]):
    got = got.copy()
    if "quantile" in got:
        got["level"] = got["quantile"].map(lambda p: f"{p:g}")
    merged = expected.merge(
        got.astype({k: str for k in key}), on=key, suffixes=("_r", ""), validate="one_to_one"
    )
    assert len(merged) == len(expected)
    for stat in STATS:
        r = merged[f"{stat}_r"].to_numpy(float)
        ok = ~np.isnan(r)
        np.testing.assert_allclose(
            merged[stat].to_numpy(float)[ok], r[ok], rtol=RTOL, atol=ATOL, err_msg=f"{stat}"
        )


@pytest.mark.parametrize("name", list(DESIGNS))
def test_matches_r_survey(name, reference, api):
    data_name, kwargs = DESIGNS[name]
    design = Design(api(data_name), **kwargs)
    ref = reference[reference["design"] == name]
    assert len(ref) > 0
    # acs.k3 is only observed for elementary schools: R returns 0 (SE 0) for the
    # empty H and M domains, omsmethod raises (see test_errors.py)
    ref = ref[~((ref["variable"] == "acs.k3") & ref["by"].notna())]
    ref = ref[ref["estimator"] != "contrast"]  # test_replicate.py
    checked = 0
    for (estimator, variable, by), exp in ref.groupby(
        ["estimator", "variable", ref["by"].fillna("")], sort=False
    ):
        by_arg = by or None
        got = _ours(design, estimator, variable, by_arg, exp["level"].dropna().unique())
        exp = exp.assign(variable=variable)
        key = ["variable"]
        if estimator in ("proportion", "quantile"):
            key.append("level")
        if by_arg:
            exp = exp.assign(**{by: exp["domain"]})
            key.append(by)
        _compare(
            exp.drop(columns=["design", "estimator", "by", "domain"]).astype({k: str for k in key}),
            got,
            key,
        )
        checked += len(exp)
    assert checked >= 4


def test_fpc_as_fraction_equals_population_count(api):
    data = api("apistrat").copy()
    n_h = data.groupby("stype")["stype"].transform("size")
    data["fraction"] = n_h / data["fpc"]
    a = Design(data, weights="pw", strata="stype", fpc="fpc").mean(["api00", "enroll"], by="awards")
    b = Design(data, weights="pw", strata="stype", fpc="fraction").mean(
        ["api00", "enroll"], by="awards"
    )
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


def test_weights_from_fpc_when_not_given(api):
    data = api("apistrat")
    a = Design(data, strata="stype", fpc="fpc").total("enroll")
    b = Design(data, weights="pw", strata="stype", fpc="fpc").total("enroll")
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-7)


def test_several_variables_and_two_by_columns(api, reference):
    data = api("apiclus1")
    d = Design(data, weights="pw", psu="dnum", fpc="fpc")
    both = d.mean(["api00", "api99"], by=["stype", "awards"])
    assert list(both.columns[:3]) == ["variable", "stype", "awards"]
    # each domain of the cross equals the estimate for the same rows through one by column
    data2 = data.assign(cell=data["stype"] + ":" + data["awards"])
    one = Design(data2, weights="pw", psu="dnum", fpc="fpc").mean(["api00", "api99"], by="cell")
    np.testing.assert_allclose(both["se"].to_numpy(), one["se"].to_numpy(), rtol=1e-12)
    ref = reference[
        (reference["design"] == "clus1")
        & (reference["estimator"] == "mean")
        & (reference["variable"] == "api00")
        & reference["by"].isna()
    ]
    overall = d.mean(["api00", "api99"])
    assert overall["estimate"].iloc[0] == pytest.approx(ref["estimate"].iloc[0], rel=RTOL)


def test_missing_values_are_out_of_domain(api):
    """Dropping rows with a missing value changes nothing but the design's PSU count."""
    data = api("apistrat")
    d = Design(data, weights="pw", strata="stype", fpc="fpc")
    full = d.mean("acs.k3")
    # same as a domain defined by "acs.k3 observed"
    flagged = data.assign(obs=data["acs.k3"].notna(), **{"acs.k3": data["acs.k3"].fillna(-999)})
    dom = Design(flagged, weights="pw", strata="stype", fpc="fpc").mean("acs.k3", by="obs")
    dom = dom[dom["obs"]]
    np.testing.assert_allclose(
        full[["estimate", "se"]].to_numpy(), dom[["estimate", "se"]].to_numpy(), rtol=1e-12
    )
    assert full["n"].iloc[0] == data["acs.k3"].notna().sum()
