"""Change across waves: levels, relations, cross-lagged unit panel, exclusions."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from omsmethod import graph, scoring
from omsmethod.datasets import synthetic
from omsmethod.errors import InputError
from omsmethod.graph.waves import GraphWarning


def _normal_wave(rng, n, rho_cb, wave):
    """customer, brand, vis with corr(customer, brand) = rho_cb, vis independent-ish."""
    cov = np.array([[1, rho_cb, 0.3], [rho_cb, 1, 0.3], [0.3, 0.3, 1]])
    x = rng.multivariate_normal([3, 3, 3], cov, size=n)
    frame = pd.DataFrame(x, columns=["customer", "brand", "vis"])
    frame["wave"] = wave
    return frame


def test_levels_change_by_hand():
    rng = np.random.default_rng(0)
    w1, w2 = _normal_wave(rng, 300, 0.5, 1), _normal_wave(rng, 250, 0.5, 2)
    w2["brand"] += 0.3
    res = graph.change(pd.concat([w1, w2], ignore_index=True), method="correlation", n_boot=20, seed=1)
    row = res.levels.query("wave == 2 and subsystem == 'brand'").iloc[0]
    se1 = w1["brand"].std(ddof=1) / np.sqrt(300)
    se2 = w2["brand"].std(ddof=1) / np.sqrt(250)
    assert row["estimate"] == pytest.approx(w2["brand"].mean(), abs=1e-12)
    assert row["se"] == pytest.approx(se2, rel=1e-10)
    assert row["change"] == pytest.approx(w2["brand"].mean() - w1["brand"].mean(), abs=1e-12)
    assert row["se_change"] == pytest.approx(np.hypot(se1, se2), rel=1e-10)
    assert row["p"] == pytest.approx(2 * norm.sf(abs(row["change"]) / np.hypot(se1, se2)), rel=1e-8)
    assert bool(row["significant"])
    assert res.levels.query("wave == 1")["change"].isna().all()


def test_relation_change_exceeds_its_uncertainty():
    rng = np.random.default_rng(1)
    waves = {1: _normal_wave(rng, 600, 0.6, 1), 2: _normal_wave(rng, 600, 0.0, 2)}
    res = graph.change(waves, method="correlation", n_boot=200, seed=3)
    rel = res.relations.query("wave == 2").set_index(["source", "target"])
    cb = rel.loc[("customer", "brand")]
    first = res.relations.query("wave == 1").set_index(["source", "target"]).loc[("customer", "brand")]
    assert cb["change"] == pytest.approx(cb["weight"] - first["weight"])
    assert cb["se_change"] == pytest.approx(np.hypot(cb["se_boot"], first["se_boot"]))
    assert bool(cb["changed"]) and cb["change"] < -0.45
    assert not bool(rel.loc[("customer", "vis"), "changed"])
    assert set(res.graphs) == {1, 2}
    summary = res.summary()
    assert ("relation", 2, "customer – brand") in set(zip(summary["what"], summary["wave"], summary["item"], strict=True))


def test_planted_level_shift_is_found():
    waves = {
        k: scoring.score(synthetic(n_customers=2000, n_staff=60, n_partners=30, wave=k,
                                   levels={"brand": 0.7 + 0.4 * (k - 1)}).customer, "customer")
        for k in (1, 2)
    }
    res = graph.change(waves, n_boot=20, seed=1, weights="weight")
    second = res.levels.query("wave == 2").set_index("subsystem")
    assert bool(second.loc["brand", "significant"]) and second.loc["brand", "change"] > 0.1
    assert not second.drop(index="brand")["significant"].astype(bool).any()


def test_cross_lagged_matches_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    units = [f"U{i:02d}" for i in range(40)]
    c = rng.normal(3, 0.5, 40)
    b = 3 + 0.5 * (c - 3) + rng.normal(0, 0.3, 40)
    waves, panel = {}, []
    for k in (1, 2, 3):
        rows = pd.DataFrame({"unit": np.repeat(units, 5)})
        rows["customer"] = np.repeat(c, 5) + rng.normal(0, 0.2, len(rows))
        rows["brand"] = np.repeat(b, 5) + rng.normal(0, 0.2, len(rows))
        waves[k] = rows
        means = rows.groupby("unit")[["customer", "brand"]].mean()
        panel.append(means)
        c_next = 3 + 0.7 * (c - 3) + rng.normal(0, 0.2, 40)
        b = 3 + 0.6 * (b - 3) + 0.3 * (c - 3) + rng.normal(0, 0.2, 40)
        c = c_next
    res = graph.change(waves, unit="unit", n_boot=20, seed=1, method="correlation")
    lag = res.lagged.set_index(["outcome", "predictor"])
    y = pd.concat([panel[1]["brand"], panel[2]["brand"]]).to_numpy()
    X = np.column_stack([
        np.ones(80), pd.concat([panel[0]["brand"], panel[1]["brand"]]),
        pd.concat([panel[0]["customer"], panel[1]["customer"]]), np.r_[np.zeros(40), np.ones(40)],
    ])
    fit = sm.OLS(y, X).fit()
    row = lag.loc[("brand[t+1]", "customer[t]")]
    assert row["path"] == "cross-lagged" and row["n"] == 80 and row["n_units"] == 40
    assert row["coef"] == pytest.approx(fit.params[2], abs=1e-10)
    assert row["se"] == pytest.approx(fit.bse[2], rel=1e-8)
    assert row["p"] == pytest.approx(fit.pvalues[2], rel=1e-6)
    assert row["r2"] == pytest.approx(fit.rsquared, abs=1e-10)
    assert lag.loc[("brand[t+1]", "brand[t]"), "coef"] == pytest.approx(fit.params[1], abs=1e-10)
    assert row["coef"] > 0 and row["p"] < 0.05
    # staff–value is not in these data: skipped with a note
    assert any("staff" in note for note in res.notes)
    assert set(res.lagged["relation"]) == {"customer–brand"}


def test_missing_subsystem_is_excluded_with_warning():
    rng = np.random.default_rng(2)
    w1, w2 = _normal_wave(rng, 100, 0.5, 1), _normal_wave(rng, 100, 0.5, 2)
    w1["pr"] = rng.normal(size=100)
    with pytest.warns(GraphWarning, match="'pr' is missing from wave"):
        res = graph.change({1: w1, 2: w2}, n_boot=10, seed=0)
    assert res.excluded == ["pr"]
    assert "pr" not in set(res.levels["subsystem"])
    assert "pr" not in set(res.relations["source"]) | set(res.relations["target"])


@pytest.mark.filterwarnings("ignore::omsmethod.graph.waves.GraphWarning")
@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({1: pd.DataFrame({"customer": [1.0, 2, 3, 4], "brand": [2.0, 1, 4, 3]})}, "at least two waves"),
        (pd.DataFrame({"customer": [1.0, 2], "brand": [2.0, 1]}), "no wave column"),
        ({1: pd.DataFrame({"customer": [1.0, 2, 3, 4]}), 2: pd.DataFrame({"brand": [1.0, 2, 3, 4]})},
         "fewer than two subsystems"),
        ("not a table", "must be a DataFrame"),
    ],
)
def test_change_bad_input(data, match):
    with pytest.raises(InputError, match=match):
        graph.change(data, n_boot=10)
