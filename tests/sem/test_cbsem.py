"""ML CFA / SEM against R lavaan 0.6.14 (fixtures and R calls: tests/fixtures/sem/make_lavaan_reference.R)."""

import numpy as np
import pandas as pd
import pytest

from omsmethod import sem

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
PD = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"""
CASES = {"hs": ("holzinger_swineford.csv", HS), "pd": ("political_democracy.csv", PD)}
FIT_NAMES = {"chisq": "chisq", "df": "df", "pvalue": "pvalue", "baseline.chisq": "baseline_chisq",
             "baseline.df": "baseline_df", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea",
             "rmsea.ci.lower": "rmsea_ci_low", "rmsea.ci.upper": "rmsea_ci_high", "srmr": "srmr",
             "logl": "logl", "aic": "aic", "bic": "bic"}


@pytest.fixture(scope="module", params=[*CASES, "oms"])
def case(request, sem_fixtures):
    if request.param == "oms":
        # the default OMS model of the customer questionnaire: reverse-coded items are
        # recoded by the instrument, listwise deletion as lavaan
        data = pd.read_csv(sem_fixtures / "oms_customer_items.csv")
        return "oms", sem.fit(data, "customer", method="cb", missing="listwise"), sem_fixtures
    file, model = CASES[request.param]
    data = pd.read_csv(sem_fixtures / file)
    return request.param, sem.fit(data, model=model, method="cb"), sem_fixtures


def _lookup(mine, lhs, op, rhs):
    hit = mine[(mine["lhs"] == lhs) & (mine["op"] == op) & (mine["rhs"] == rhs)]
    if hit.empty and op == "~~":
        hit = mine[(mine["lhs"] == rhs) & (mine["op"] == op) & (mine["rhs"] == lhs)]
    assert len(hit) == 1, (lhs, op, rhs)
    return hit.iloc[0]


def test_estimates_match_lavaan(case):
    name, res, fx = case
    ref = pd.read_csv(fx / f"lavaan_{name}_estimates.csv")
    assert len(ref) == len(res.estimates)
    for r in ref.itertuples():
        row = _lookup(res.estimates, r.lhs, r.op, r.rhs)
        assert row["est"] == pytest.approx(r.est, abs=1e-4)
        assert row["se"] == pytest.approx(r.se, abs=1e-3)
        assert row["std_all"] == pytest.approx(r._8, abs=1e-4)


def test_fit_indices_match_lavaan(case):
    name, res, fx = case
    ref = pd.read_csv(fx / f"lavaan_{name}_fit.csv").set_index("measure")["value"]
    mine = res.fit_indices.set_index("measure")["value"]
    for theirs, ours in FIT_NAMES.items():
        assert mine[ours] == pytest.approx(ref[theirs], abs=1e-3, rel=1e-6), theirs


def test_pd_paths_r2_and_indirect(sem_fixtures):
    data = pd.read_csv(sem_fixtures / "political_democracy.csv")
    res = sem.fit(data, model=PD, method="cb")
    p = res.paths.set_index(["source", "target"])
    ind = res.indirect_effects
    assert list(ind["via"]) == ["ind60 → dem60 → dem65"]
    prod = p.loc[("ind60", "dem60"), "estimate"] * p.loc[("dem60", "dem65"), "estimate"]
    assert ind["estimate"].iloc[0] == pytest.approx(prod, abs=1e-12)
    assert 0 < ind["se"].iloc[0] < abs(prod)
    assert set(res.r2["construct"]) == {"dem60", "dem65"}
    assert (res.r2["r2"].between(0, 1)).all()
    assert "CB-SEM" in res.summary() and "<table" in res._repr_html_()


def test_cfa_validity_uses_lavaan_standardised_loadings(sem_fixtures):
    data = pd.read_csv(sem_fixtures / "holzinger_swineford.csv")
    v = sem.validity(data, model=HS, method="cfa")
    ref = pd.read_csv(sem_fixtures / "lavaan_hs_estimates.csv")
    ref = ref[ref["op"] == "=~"].set_index("rhs")["std.all"]
    np.testing.assert_allclose(v.loadings.set_index("item")["std_loading"], ref.loc[v.loadings["item"]], atol=1e-4)
    lam = ref.loc[["x1", "x2", "x3"]].to_numpy()
    rho_c = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
    assert v.reliability.set_index("construct").loc["visual", "rho_c"] == pytest.approx(rho_c, abs=1e-4)
    assert v.reliability.set_index("construct").loc["visual", "ave"] == pytest.approx((lam**2).mean(), abs=1e-4)
    assert any("x2" in p and "loading" in p for p in v.problems)
    assert any("TLI" in p for p in v.problems)  # lavaan TLI 0.896 < 0.90
    assert v.fit_indices.set_index("measure").loc["rmsea", "value"] == pytest.approx(0.0921214845, abs=1e-6)


def test_pd_total_effects_delta_method(sem_fixtures):
    data = pd.read_csv(sem_fixtures / "political_democracy.csv")
    res = sem.fit(data, model=PD, method="cb")
    tot = res.total_effects.set_index(["source", "target"])
    p = res.paths.set_index(["source", "target"])["estimate"]
    want = p[("ind60", "dem65")] + p[("ind60", "dem60")] * p[("dem60", "dem65")]
    assert tot.loc[("ind60", "dem65"), "estimate"] == pytest.approx(want, abs=1e-12)
    # a single-path total effect has the path's own (expected-information) SE
    assert tot.loc[("ind60", "dem60"), "se"] == pytest.approx(
        res.paths.set_index(["source", "target"]).loc[("ind60", "dem60"), "se"], rel=1e-6)
