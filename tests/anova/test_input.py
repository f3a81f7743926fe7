"""Bad input raises OMSError naming the column/value; data repairs warn with counts."""

import numpy as np
import pandas as pd
import pytest

from omsmethod.anova import AnovaWarning, mixed_anova, rm_anova, two_way
from omsmethod.errors import OMSError


def _long(n=6, seed=0):
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n), 3)
    return pd.DataFrame(
        {
            "id": ids,
            "group": np.where(ids < n // 2, "g1", "g2"),
            "cond": np.tile(["a", "b", "c"], n),
            "y": rng.normal(size=3 * n),
        }
    )


def _one_level(df):
    df["cond"] = "a"
    return df


def _text_dv(df):
    df["y"] = df["y"].astype(object)
    df.loc[4, "y"] = "high"
    return df


def _two_groups(df):
    df.loc[1, "group"] = "g2"  # subject 0 is g1 in rows 0 and 2
    return df


def _no_complete(df):
    return df[
        ~((df["id"] % 3 == 0) & (df["cond"] == "a") | (df["id"] % 3 != 0) & (df["cond"] == "b"))
    ]


def _constant(df):
    df["y"] = 3.0
    return df


@pytest.mark.parametrize(
    "breaker, column, value, words",
    [
        (_one_level, "cond", "a", "1 level"),
        (_text_dv, "y", "high", "not a number"),
        (_two_groups, "group", "g2", "subject 0 appears in two between-subjects groups"),
        (_no_complete, "y", None, "no subject has a response in every within cell"),
        (_constant, "y", 3.0, "constant"),
    ],
)
def test_bad_input_names_column_and_value(breaker, column, value, words):
    df = breaker(_long())
    with pytest.raises(OMSError) as err:
        mixed_anova(df, "y", "cond", "group", "id")
    assert err.value.column == column
    assert err.value.value == value
    assert words in str(err.value)


def test_one_level_between_factor_in_two_way():
    df = _long().assign(group="g1")
    with pytest.raises(OMSError, match="group"):
        two_way(df, "y", ["group", "cond"])


def test_duplicate_rows_are_averaged_with_count():
    df = _long()
    extra = df.iloc[[0, 4]].assign(y=lambda d: d["y"] + 2.0)  # 2 cells get a 2nd row
    with pytest.warns(AnovaWarning, match=r"^2 subject x cell combination\(s\)"):
        res = rm_anova(pd.concat([df, extra]), "y", "cond", "id")
    # averaging by hand gives the same table
    manual = pd.concat([df, extra]).groupby(["id", "cond"], as_index=False)["y"].mean()
    ref = rm_anova(manual, "y", "cond", "id")
    np.testing.assert_allclose(res["F"], ref["F"])
    assert res.attrs["n_aggregated"] == 2


def test_incomplete_subjects_are_dropped_with_count():
    df = _long(n=8)
    df.loc[df.index[[1, 7]], "y"] = np.nan  # subjects 0 and 2 lose a cell
    df = df.drop(index=df.index[[10]])  # subject 3 loses a row
    with pytest.warns(AnovaWarning, match=r"3 of 8 subject\(s\) .* dropped \(5 remain\)"):
        res = mixed_anova(df, "y", "cond", "group", "id")
    assert res.attrs["n_subjects"] == 5 and res.attrs["n_dropped"] == 3
    kept = df[~df["id"].isin([0, 2, 3])]
    np.testing.assert_allclose(res["F"], mixed_anova(kept, "y", "cond", "group", "id")["F"])


def test_inputs_are_not_modified():
    df = _long()
    before = df.copy()
    mixed_anova(df, "y", "cond", "group", "id")
    pd.testing.assert_frame_equal(df, before)


def test_empty_between_combination_is_named():
    df = _long(n=8).assign(sex=lambda d: np.where(d["id"] % 2 == 0, "f", "m"))
    df = df[~((df["group"] == "g2") & (df["sex"] == "m"))]
    with pytest.raises(OMSError, match="group=g2, sex=m has no data"):
        mixed_anova(df, "y", "cond", ["group", "sex"], "id")


def test_bad_ss_type():
    with pytest.raises(OMSError, match="ss_type"):
        two_way(_long(), "y", ["group", "cond"], ss_type=1)


def test_too_few_subjects_for_sphericity_gives_nan():
    # 3 subjects in 2 groups: error df 1 < 2 contrasts of the 3-level factor, so the
    # error SSP matrix is singular and the epsilons are undefined (car gives NA)
    df = _long(n=6)
    df = df[df["id"].isin([0, 1, 3])]
    res = mixed_anova(df, "y", "cond", "group", "id")
    assert res["eps_gg"].isna().all() and (res["correction"] == "none").all()
    assert np.isfinite(res["F"]).all()


def test_table_does_not_depend_on_row_order_or_labels():
    df = _long(n=10, seed=3)
    shuffled = df.sample(frac=1.0, random_state=1).assign(
        cond=lambda d: d["cond"].map({"a": "z", "b": "y", "c": "x"}),
        id=lambda d: "s" + d["id"].astype(str),
    )
    a = mixed_anova(df, "y", "cond", "group", "id")
    b = mixed_anova(shuffled, "y", "cond", "group", "id")
    cols = ["SS", "F", "p", "eps_gg", "eps_hf", "W", "p_mauchly", "ng2"]
    np.testing.assert_allclose(a[cols].to_numpy(float), b[cols].to_numpy(float), rtol=1e-9)
