"""Scoring against known truths: the generator's levels, pingouin's alpha, exact omega."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from omsmethod import datasets, scoring
from omsmethod.datasets import synthetic


@pytest.fixture(scope="module")
def enterprise():
    return synthetic(seed=2006)


@pytest.mark.parametrize("survey", ["customer", "staff", "partner"])
def test_scores_recover_planted_levels(enterprise, survey):
    """Mean subsystem score = the generator's expected score, within 4 standard errors."""
    scores = scoring.score(getattr(enterprise, survey), survey)
    for subsystem, level in enterprise.truth["levels"][survey].items():
        values = scores[subsystem].dropna()
        se = values.std(ddof=1) / np.sqrt(len(values))
        assert abs(values.mean() - level) < 4 * se, (subsystem, values.mean(), level)


def test_reverse_coding_and_0_100(enterprise):
    responses = pd.DataFrame({"cus1": [5.0], "cus2": [5.0], "cus3": [4.0], "cus4": [1.0]})
    full = enterprise.customer.head(1).copy()
    for column, value in responses.iloc[0].items():
        full[column] = value
    scores = scoring.score(full, "customer")
    # cus4 is reverse-coded: 1 -> 5, so (5 + 5 + 4 + 5) / 4
    assert scores["customer"].iloc[0] == pytest.approx(4.75)
    assert scores["customer_100"].iloc[0] == pytest.approx(100 * (4.75 - 1) / 4)


def test_min_share_rule(enterprise):
    data = enterprise.customer.head(3).copy()
    data.loc[data.index[0], ["cus1", "cus2", "cus3"]] = np.nan  # 1 of 4 answered: missing
    data.loc[data.index[1], ["cus1", "cus2"]] = np.nan  # 2 of 4 answered: kept at 0.5
    scores = scoring.score(data, "customer")
    assert np.isnan(scores["customer"].iloc[0])
    assert not np.isnan(scores["customer"].iloc[1])
    assert np.isnan(scoring.score(data, "customer", min_share=0.75)["customer"].iloc[1])


def test_layer_score_is_mean_of_subsystems(enterprise):
    scores = scoring.score(enterprise.customer.head(50), "customer")
    np.testing.assert_allclose(scores["control"], scores[["service", "pr", "vis"]].mean(axis=1))


def test_alpha_matches_pingouin():
    staff = datasets.load("staff")
    rel = scoring.reliability(staff, "staff")
    items = scoring.recode(staff, "staff")[["val1", "val2", "val3", "val4"]]
    alpha, ci = pg.cronbach_alpha(items, nan_policy="listwise")
    row = rel.table.set_index("subsystem").loc["value"]
    assert row["alpha"] == pytest.approx(alpha, abs=1e-12)
    # pingouin rounds its CI to 3 decimals
    assert [round(row["alpha_ci_low"], 3), round(row["alpha_ci_high"], 3)] == pytest.approx(list(ci))


def test_omega_is_exact_for_a_one_factor_population():
    loadings = np.array([0.8, 0.7, 0.6, 0.75])
    corr = np.outer(loadings, loadings)
    np.fill_diagonal(corr, 1.0)
    omega, fitted = scoring.omega_total(corr)
    expected = loadings.sum() ** 2 / (loadings.sum() ** 2 + (1 - loadings**2).sum())
    assert omega == pytest.approx(expected, abs=1e-8)
    np.testing.assert_allclose(fitted, loadings, atol=1e-6)


def test_reliability_in_expected_range_and_item_rest(enterprise):
    rel = scoring.reliability(enterprise.customer, "customer")
    assert rel.table["alpha"].between(0.75, 0.92).all()
    assert (rel.table["omega"] >= rel.table["alpha"] - 0.01).all()
    assert rel.items["item_rest_r"].between(0.45, 0.85).all()
    assert set(rel.items["subsystem"]) == set(rel.table["subsystem"])


@pytest.mark.parametrize("score, level", [(10, 1), (39.9, 1), (40, 2), (54.99, 2), (55, 3), (70, 4), (85, 5), (100, 5)])
def test_maturity_cut_points(score, level):
    table = scoring.maturity(pd.DataFrame({"subsystem": ["brand"], "score_100": [score]}))
    assert table["level"].iloc[0] == level


def test_ipa_quadrants_on_a_small_example():
    rows = []
    # service: important, low performance; vis: unimportant, high performance
    for _ in range(10):
        rows.append({"imp_service": 5, "imp_vis": 2, "imp_brand": 4, "imp_customer": 3, "imp_pr": 2,
                     "imp_information": 3,
                     **{i: 2 for i in ["ser1", "ser2", "ser3", "ser4", "ser5"]},
                     **{i: 5 for i in ["vis1", "vis2", "vis3"]},
                     **{i: 4 for i in ["bra1", "bra2", "bra3", "bra4"]},
                     **{i: 3 for i in ["cus1", "cus2", "cus3"]}, "cus4": 3,
                     **{i: 3 for i in ["pr1", "pr2", "pr3", "inf1", "inf2"]}, "inf3": 3})
    table = scoring.ipa(pd.DataFrame(rows), "customer").set_index("subsystem")
    assert table.loc["service", "quadrant_grand_mean"] == "concentrate"
    assert table.loc["vis", "quadrant_grand_mean"] == "overkill"
    assert table.loc["brand", "quadrant_grand_mean"] == "keep_up"
    assert table.loc["service", "gap"] == pytest.approx(3.0)
    assert table.attrs["importance_mean"] == pytest.approx((5 + 2 + 4 + 3 + 2 + 3) / 6)


def test_figures_are_plotly(enterprise):
    table = scoring.maturity(scoring.score(enterprise.customer.head(200), "customer"))
    subsystems = table[table["subsystem"] != table["layer"]]
    fig = scoring.plot_radar(subsystems, lang="zh")
    assert "品牌系统" in fig.data[0].theta
    assert len(scoring.plot_layers(subsystems).data) == 3


def test_reliability_survives_tiny_samples():
    """A branch report has five partners: constant items give NaN, never an exception."""
    partner = datasets.load("partner")
    for _, tiny in partner.groupby("unit"):  # B02 has a constant item, B03 a singular matrix
        table = scoring.reliability(tiny, "partner").table
        assert len(table) == 5
    assert np.isnan(scoring.omega_total(np.array([[1.0, np.nan], [np.nan, 1.0]]))[0])
