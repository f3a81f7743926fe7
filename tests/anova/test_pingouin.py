"""Agreement with pingouin: its documented examples (docstrings of pingouin 0.7
``rm_anova`` and ``mixed_anova``, published outputs) and a live comparison on the
design pingouin supports (one within x one between)."""

import warnings

import numpy as np
import pytest

from omsmethod.anova import AnovaWarning, mixed_anova, rm_anova

pg = pytest.importorskip("pingouin")


def test_rm_anova_wide_doc_example():
    # pingouin docs, rm_anova example 1: F=5.200652, p=0.006557, ng2=0.346392, eps=0.694329
    wide = pg.read_dataset("rm_anova_wide")
    long = wide.reset_index(names="subject").melt("subject", var_name="cond", value_name="y")
    with pytest.warns(AnovaWarning, match="3 of 12 subject"):  # pingouin drops them too
        res = rm_anova(long, "y", "cond", "subject").iloc[0]
    assert (res["df1"], res["df2"]) == (3, 24)
    np.testing.assert_allclose(
        [res["F"], res["p"], res["ng2"], res["eps_gg"]],
        [5.200652, 0.006557, 0.346392, 0.694329],
        atol=5e-7,
    )


def test_rm_anova_long_doc_example_with_aggregation():
    # pingouin docs, example 2/4: SS=27.485, MS error=2.282, F=12.043878, p=0.000793,
    # np2=0.116, ng2=0.025784; rows are averaged over Frighteningness first
    df = pg.read_dataset("rm_anova")
    with pytest.warns(AnovaWarning, match="averaged"):
        res = rm_anova(df, "DesireToKill", "Disgustingness", "Subject").iloc[0]
    assert (res["df1"], res["df2"]) == (1, 92)
    np.testing.assert_allclose(
        [res["SS"], res["SS_error"], res["MSE"], res["np2"]],
        [27.485, 209.952, 2.282, 0.116],
        atol=5e-4,
    )
    np.testing.assert_allclose(
        [res["F"], res["p"], res["ng2"]], [12.043878, 0.000793, 0.025784], atol=5e-7
    )
    assert res["eps_gg"] == 1.0 and np.isnan(res["W"])


def test_mixed_anova_doc_example():
    # pingouin docs: Group SS 5.460 F 5.052 p .028 np2 .080; Time 7.628 / 4.027 / .020 /
    # .065 eps .998; Interaction 5.167 / 2.728 / .070 / .045
    df = pg.read_dataset("mixed_anova")
    res = mixed_anova(df, "Scores", "Time", "Group", "Subject")
    np.testing.assert_allclose(
        res[["SS", "F", "p", "np2"]].to_numpy(),
        [[5.460, 5.052, 0.028, 0.080], [7.628, 4.027, 0.020, 0.065], [5.167, 2.728, 0.070, 0.045]],
        atol=5e-4,
    )
    np.testing.assert_allclose(res["eps_gg"].iloc[1:], 0.998, atol=5e-4)
    np.testing.assert_array_equal(res[["df1", "df2"]], [[1, 58], [2, 116], [2, 116]])


@pytest.mark.parametrize(
    "dataset, ss_type, rows",
    [
        ("mixed_anova", 3, [0, 1, 2]),
        # unbalanced groups: pingouin tests the within main effect on group-size-weighted
        # means, which is type II; type III (afex's default, unweighted means) shares
        # only the between and interaction rows
        ("mixed_anova_unbalanced", 2, [0, 1, 2]),
        ("mixed_anova_unbalanced", 3, [0, 2]),
    ],
)
def test_mixed_anova_live_against_pingouin(dataset, ss_type, rows):
    df = pg.read_dataset(dataset)
    ref = pg.mixed_anova(df, dv="Scores", within="Time", between="Group", subject="Subject")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnovaWarning)
        res = mixed_anova(df, "Scores", "Time", "Group", "Subject", ss_type=ss_type)
    np.testing.assert_allclose(
        res[["SS", "df1", "df2", "F", "p", "np2"]].iloc[rows].to_numpy(float),
        ref[["SS", "DF1", "DF2", "F", "p_unc", "np2"]].iloc[rows].to_numpy(float),
        rtol=1e-6,
    )
