"""ANOVA tables against R (afex 1.2.1 / car 3.1.1 / emmeans 1.8.4.1).

Fixtures and the R script that made them: tests/fixtures/anova/make_fixtures.R.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from omsmethod.anova import (
    AnovaWarning,
    emmeans,
    mixed_anova,
    posthoc,
    rm_anova,
    simple_effects,
    two_way,
)

COLUMNS = [
    "SS",
    "df1",
    "SS_error",
    "df2",
    "F",
    "p",
    "eps_gg",
    "eps_hf",
    "p_gg",
    "p_hf",
    "W",
    "p_mauchly",
    "ng2",
    "np2",
]


@pytest.fixture(scope="module")
def obk(request):
    from tests.conftest import FIXTURES

    df = pd.read_csv(FIXTURES / "anova" / "obk_long.csv")
    # R's factor level order (only the direction of pairwise contrasts depends on it)
    df["phase"] = pd.Categorical(df["phase"], ["fup", "post", "pre"])
    df["treatment"] = pd.Categorical(df["treatment"], ["control", "A", "B"])
    return df


def _ref(fixtures, name):
    return pd.read_csv(fixtures / "anova" / f"{name}.csv").rename(
        columns={"ges": "ng2", "pes": "np2"}
    )


OBK = ("obk_long", "value", "id")
UNBALANCED = ("pingouin_mixed_anova_unbalanced", "Scores", "Subject")


@pytest.mark.parametrize(
    "name, data, within, between, ss_type",
    [
        ("afex_obk_mixed", OBK, ["phase", "hour"], ["treatment", "gender"], 3),
        ("afex_obk_within", OBK, ["phase", "hour"], [], 3),
        ("afex_obk_one_by_one", OBK, ["phase"], ["treatment"], 3),
        ("afex_pingouin_unbalanced", UNBALANCED, ["Time"], ["Group"], 3),
        ("afex_obk_mixed_type2", OBK, ["phase", "hour"], ["treatment", "gender"], 2),
        ("afex_pingouin_unbalanced_type2", UNBALANCED, ["Time"], ["Group"], 2),
    ],
)
def test_split_plot_matches_afex(fixtures, name, data, within, between, ss_type):
    ref = _ref(fixtures, name)
    file, dv, subject = data
    df = pd.read_csv(fixtures / "anova" / f"{file}.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnovaWarning)  # one_by_one averages over hour
        if between:
            res = mixed_anova(df, dv, within, between, subject, ss_type=ss_type)
        else:
            res = rm_anova(df, dv, within, subject)
    assert list(res["source"]) == list(ref["source"])
    np.testing.assert_allclose(
        res[COLUMNS].to_numpy(float), ref[COLUMNS].to_numpy(float), rtol=1e-6, atol=1e-9
    )


def test_generalized_eta_squared_with_observed_factor(obk, fixtures):
    ref = _ref(fixtures, "afex_obk_ges_observed")
    res = mixed_anova(
        obk, "value", ["phase", "hour"], ["treatment", "gender"], "id", observed=["gender"]
    )
    np.testing.assert_allclose(res["ng2"], ref["ng2"], rtol=1e-6)


@pytest.mark.parametrize("ss_type", [2, 3])
def test_two_way_unbalanced_matches_car(fixtures, ss_type):
    moore = pd.read_csv(fixtures / "anova" / "moore.csv")
    ref = pd.read_csv(fixtures / "anova" / f"car_moore_type{ss_type}.csv")
    ref = ref[~ref["source"].isin(["(Intercept)", "Residuals"])]
    res = two_way(moore, "conformity", ["fcategory", "partner.status"], ss_type=ss_type)
    assert list(res["source"]) == list(ref["source"])
    np.testing.assert_allclose(
        res[["SS", "df1", "F", "p"]].to_numpy(float),
        ref[["SS", "df", "F", "p"]].to_numpy(float),
        rtol=1e-6,
    )
    np.testing.assert_allclose(res["SS_error"], 817.763961038961, rtol=1e-9)
    assert (res["df2"] == 39).all()


def _mixed_one(obk):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnovaWarning)
        return mixed_anova(obk, "value", "phase", "treatment", "id")


def test_emmeans_match_r(obk, fixtures):
    res = _mixed_one(obk)
    ref = pd.read_csv(fixtures / "anova" / "emm_phase_by_treatment.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnovaWarning)
        emm = emmeans(obk, ["treatment", "phase"], res)
    got = emm.astype({"treatment": str, "phase": str}).merge(
        ref, on=["treatment", "phase"], suffixes=("", "_r")
    )
    assert len(got) == 9
    np.testing.assert_allclose(
        got[["emmean", "SE", "lower", "upper"]].to_numpy(float),
        got[["emmean_r", "SE_r", "lower.CL", "upper.CL"]].to_numpy(float),
        rtol=1e-6,
    )


def test_emmeans_columns_against_r(obk, fixtures):
    res = _mixed_one(obk)
    ref = pd.read_csv(fixtures / "anova" / "emm_treatment.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnovaWarning)
        emm = emmeans(obk, "treatment", res)
    np.testing.assert_allclose(
        emm[["emmean", "SE", "df", "lower", "upper"]].to_numpy(float),
        ref[["emmean", "SE", "df", "lower.CL", "upper.CL"]].to_numpy(float),
        rtol=1e-6,
    )


@pytest.mark.parametrize(
    "factor, by, padjust, fixture",
    [
        ("phase", "treatment", "holm", "pairs_phase_by_treatment_holm"),
        ("treatment", None, "tukey", "pairs_treatment_tukey"),
    ],
)
def test_pairwise_match_emmeans_pairs(obk, fixtures, factor, by, padjust, fixture):
    res = _mixed_one(obk)
    ref = pd.read_csv(fixtures / "anova" / f"{fixture}.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnovaWarning)
        ph = posthoc(obk, factor, res, by=by, padjust=padjust)
    assert list(ph["contrast"]) == list(ref["contrast"])
    np.testing.assert_allclose(
        ph[["estimate", "SE", "df", "t", "p_adj"]].to_numpy(float),
        ref[["estimate", "SE", "df", "t.ratio", "p.value"]].to_numpy(float),
        rtol=1e-6,
        atol=1e-12,
    )


@pytest.mark.parametrize(
    "effect, by, fixture",
    [
        ("phase", "treatment", "joint_phase_by_treatment"),
        ("treatment", "phase", "joint_treatment_by_phase"),
    ],
)
def test_simple_effects_match_joint_tests(obk, fixtures, effect, by, fixture):
    res = _mixed_one(obk)
    ref = pd.read_csv(fixtures / "anova" / f"{fixture}.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnovaWarning)
        se = simple_effects(obk, effect, by, res)
    got = se.astype({by: str}).merge(ref, on=by)
    assert len(got) == 3
    np.testing.assert_allclose(got["p"], got["p.value"], rtol=1e-6)
    np.testing.assert_allclose(got["F"], got["F.ratio"], atol=5e-4)  # R prints F to 3 dp
    np.testing.assert_array_equal(got[["df1_x", "df2_x"]], got[["df1_y", "df2_y"]])


def test_pairwise_across_factors_match_emmeans(obk, fixtures):
    res = _mixed_one(obk)
    ref = pd.read_csv(fixtures / "anova" / "pairs_cells_holm.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnovaWarning)
        ph = posthoc(obk, ["treatment", "phase"], res).set_index("contrast")
    assert len(ph) == len(ref) == 36 and (ph["padjust"] == "holm").all()
    for _, r in ref.iterrows():
        a, b = (cell.replace(" ", ":") for cell in r["contrast"].split(" - "))
        sign = 1.0 if f"{a} - {b}" in ph.index else -1.0
        got = ph.loc[f"{a} - {b}" if sign > 0 else f"{b} - {a}"]
        np.testing.assert_allclose(
            [sign * got["estimate"], got["SE"], sign * got["t"], got["p_adj"]],
            [r["estimate"], r["SE"], r["t.ratio"], r["p.value"]],
            rtol=1e-6,
            atol=1e-12,
        )
