"""Assumption checks, p-value adjustment, effect sizes, APA text and figures."""

import warnings

import numpy as np
import pandas as pd
import pytest

import omsmethod as oms
from omsmethod.anova import (
    AnovaWarning,
    assumptions,
    interaction_plot,
    mixed_anova,
    posthoc,
    report_text,
    rm_anova,
)
from omsmethod.anova.posthoc import _adjust


@pytest.fixture(scope="module")
def obk_fit():
    from tests.conftest import FIXTURES

    df = pd.read_csv(FIXTURES / "anova" / "obk_long.csv")
    df["phase"] = pd.Categorical(df["phase"], ["fup", "post", "pre"])
    df["treatment"] = pd.Categorical(df["treatment"], ["control", "A", "B"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnovaWarning)
        return df, mixed_anova(df, "value", "phase", "treatment", "id")


def test_assumptions_match_r(obk_fit, fixtures):
    df, res = obk_fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnovaWarning)
        chk = assumptions(df, res)
    lev = pd.read_csv(fixtures / "anova" / "levene_obk_phase.csv")
    got = chk.homogeneity.astype({"phase": str}).merge(lev, on=["phase", "test"])
    assert len(got) == 6
    np.testing.assert_allclose(got["statistic_x"], got["statistic_y"], rtol=1e-6)
    np.testing.assert_allclose(got["p_x"], got["p_y"], rtol=1e-6)
    sw = pd.read_csv(fixtures / "anova" / "shapiro_obk_cells.csv")
    got = chk.normality.astype({"phase": str, "treatment": str}).merge(
        sw, on=["treatment", "phase"]
    )
    assert len(got) == 9
    np.testing.assert_allclose(got["W_x"], got["W_y"], rtol=1e-4)  # scipy vs R algorithm
    np.testing.assert_allclose(got["p_x"], got["p_y"], rtol=1e-3)
    np.testing.assert_allclose(chk.sphericity["p_mauchly"], res.loc[1, "p_mauchly"])
    assert chk.qq.layout.title.text.startswith("Normal Q-Q")
    assert "Assumption checks" in chk._repr_html_()


@pytest.mark.parametrize("method", ["holm", "bonferroni", "fdr"])
def test_p_adjust_matches_r(fixtures, method):
    ref = pd.read_csv(fixtures / "anova" / "p_adjust.csv")
    np.testing.assert_allclose(_adjust(ref["p"].to_numpy(), method), ref[method], rtol=1e-12)


def test_hedges_g_paired_and_independent():
    # two conditions, no between factor: g = mean diff / sqrt((sd1^2 + sd2^2)/2) * J
    rng = np.random.default_rng(5)
    a, b = rng.normal(0, 1, 12), rng.normal(0.8, 1.5, 12)
    long = pd.DataFrame(
        {"id": np.tile(np.arange(12), 2), "c": ["a"] * 12 + ["b"] * 12, "y": np.r_[a, b]}
    )
    res = rm_anova(long, "y", "c", "id")
    ph = posthoc(long, "c", res).iloc[0]
    j = 1 - 3 / (4 * 11 - 1)
    want = (a.mean() - b.mean()) / np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2) * j
    np.testing.assert_allclose(ph["hedges_g"], want, rtol=1e-10)
    # paired t with n - 1 df, as scipy
    from scipy.stats import ttest_rel

    t = ttest_rel(a, b)
    np.testing.assert_allclose([ph["t"], ph["p_unc"]], [t.statistic, t.pvalue], rtol=1e-10)


def test_report_text_uses_chosen_correction(obk_fit):
    df, res = obk_fit
    gg = res.copy()
    gg["correction"] = "GG"
    line = report_text(gg, effects=["phase"])
    r = res.set_index("source").loc["phase"]
    assert line == (
        f"The main effect of phase was significant, F({r.df1_gg:.2f}, "
        f"{r.df2_gg:.2f}) = {r.F:.2f}, p < .001, η²p = "
        f"{r.np2:.2f}".replace("0.", ".")
        + " (Greenhouse–Geisser corrected)."
    )
    zh = report_text(res, lang="zh", labels={"treatment": "处理"}, effects=["treatment"])
    assert zh.startswith("处理的主效应不显著，F(2, 13) = 2.91，p = .090")
    with pytest.raises(oms.OMSError, match="language"):
        report_text(res, lang="fr")


def test_auto_correction_rule():
    # obk hour effect: Mauchly p = .0076, eps_GG = .46 -> GG; phase p = .27 -> none
    from tests.conftest import FIXTURES

    df = pd.read_csv(FIXTURES / "anova" / "obk_long.csv")
    res = rm_anova(df, "value", ["phase", "hour"], "id").set_index("source")
    assert res.loc["hour", "correction"] == "GG"
    assert res.loc["phase", "correction"] == "none"


def test_interaction_plot_draws_marginal_means(obk_fit):
    df, res = obk_fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnovaWarning)
        fig = interaction_plot(df, "phase", "treatment", res, labels={"A": "组A"})
    assert [t.name for t in fig.data] == ["control", "组A", "B"]
    # control at fup: emmeans 4.4 with 95% CI half-width 1.4021 (R fixture)
    np.testing.assert_allclose(fig.data[0].y[0], 4.4)
    np.testing.assert_allclose(fig.data[0].error_y.array[0], 5.80209222553698 - 4.4, rtol=1e-6)


def test_tukey_hsd_matches_scipy(fixtures):
    from scipy.stats import tukey_hsd

    from omsmethod.anova import two_way

    moore = pd.read_csv(fixtures / "anova" / "moore.csv")
    res = two_way(moore, "conformity", ["fcategory"])
    ph = posthoc(moore, "fcategory", res)
    levels = res.attrs["between_levels"]["fcategory"]
    ref = tukey_hsd(*(moore.loc[moore["fcategory"] == lv, "conformity"] for lv in levels))
    want = [
        ref.pvalue[levels.index(a), levels.index(b)]
        for a, b in zip(ph["level_1"], ph["level_2"], strict=True)
    ]
    assert (ph["padjust"] == "tukey").all()
    np.testing.assert_allclose(ph["p_adj"], want, rtol=1e-6)


def test_assumptions_between_only(fixtures):
    from scipy.stats import levene

    from omsmethod.anova import two_way

    moore = pd.read_csv(fixtures / "anova" / "moore.csv")
    res = two_way(moore, "conformity", ["fcategory", "partner.status"])
    chk = assumptions(moore, res)
    assert len(chk.normality) == 6 and chk.sphericity.empty
    groups = [g["conformity"] for _, g in moore.groupby(["fcategory", "partner.status"])]
    np.testing.assert_allclose(
        chk.homogeneity["p"].iloc[1], levene(*groups, center="median").pvalue
    )
    assert "normality" in repr(chk)
