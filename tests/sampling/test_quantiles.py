"""Quantile rules and interval types (issue 12) against R survey 4.1.1 svyquantile.

R (tests/fixtures/sampling/make_fixtures.R, quantile_reference.csv):
svyquantile(~api00, d, c(0.1, 0.25, 0.5, 0.9), ci=TRUE, qrule=, interval.type=) for
qrule math, school, hf1..hf9 with interval.type "mean" (Woodruff), and math, school,
hf7 with "beta", "xlogit", "asin"; d = strat, clus1 and as.svrepdesign(clus1, "JK1"),
overall and subset(d, stype == lv). Tolerance 1e-8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from omsmethod.errors import DesignError
from omsmethod.sampling import Design, ReplicateDesign

from .conftest import DESIGNS, FIXTURES

REF = pd.read_csv(FIXTURES / "quantile_reference.csv")
CASES = sorted(
    {(d, q, i) for d, q, i in REF[["design", "qrule", "interval"]].itertuples(index=False)}
)
PROBS = [0.1, 0.25, 0.5, 0.9]


def _design(name, api):
    if name == "rep_clus1_JK1":
        data = api("apiclus1")
        rep = pd.read_csv(FIXTURES / "rep_clus1_JK1.csv").to_numpy()
        meta = pd.read_csv(FIXTURES / "rep_clus1_JK1_meta.csv")
        return ReplicateDesign(data, "pw", rep, "JK1", scale=meta["scale"].iloc[0])
    data_name, kwargs = DESIGNS[name]
    return Design(api(data_name), **kwargs)


@pytest.mark.parametrize(("design", "qrule", "interval"), CASES)
def test_quantiles_match_r(design, qrule, interval, api):
    d = _design(design, api)
    ref = REF[(REF["design"] == design) & (REF["qrule"] == qrule) & (REF["interval"] == interval)]
    overall = d.quantile("api00", PROBS, qrule=qrule, interval_type=interval)
    domains = d.quantile("api00", PROBS, by="stype", qrule=qrule, interval_type=interval)
    assert len(ref) == 16
    for _, row in ref.iterrows():
        got = overall if pd.isna(row["domain"]) else domains[domains["stype"] == row["domain"]]
        got = got[np.isclose(got["quantile"], row["quantile"])].iloc[0]
        for stat in ("estimate", "ci_low", "ci_high", "se"):
            if pd.isna(row[stat]):
                assert np.isnan(got[stat]), (row.to_dict(), stat)
            else:
                assert got[stat] == pytest.approx(row[stat], rel=1e-8), (row.to_dict(), stat)


def test_quantile_rules_differ_and_bad_names(api):
    d = _design("strat", api)
    est = {
        rule: d.quantile("api00", [0.25], qrule=rule)["estimate"].iloc[0]
        for rule in ("math", "hf4", "hf9")
    }
    assert len(set(est.values())) == 3
    with pytest.raises(DesignError, match="unknown qrule 'hf10'"):
        d.quantile("api00", qrule="hf10")
    with pytest.raises(DesignError, match="unknown interval_type 'score'"):
        d.quantile("api00", interval_type="score")


def test_cli_quantile_options(tmp_path, api):
    from omsmethod.cli import main

    out = tmp_path / "q.csv"
    argv = ["estimate"]
    argv += [str(FIXTURES / "apistrat.csv"), "--weights", "pw", "--strata", "stype"]
    argv += ["--fpc", "fpc", "--quantile", "api00", "--probs", "0.1", "0.9"]
    argv += ["--qrule", "hf7", "--interval-type", "beta", "--by", "stype", "-o", str(out)]
    assert main(argv) == 0
    got = pd.read_csv(out)
    ref = REF[(REF["design"] == "strat") & (REF["qrule"] == "hf7") & (REF["interval"] == "beta")]
    ref = ref.dropna(subset=["domain"])
    ref = ref[ref["quantile"].isin([0.1, 0.9])].sort_values(["domain", "quantile"])
    np.testing.assert_allclose(got["estimate"], ref["estimate"], rtol=1e-8)
    np.testing.assert_allclose(got["se"], ref["se"], rtol=1e-8)
