"""Uncorrected within-subject F tests agree with statsmodels' AnovaRM (balanced data)."""

import numpy as np
import pandas as pd

from omsmethod.anova import rm_anova


def test_two_within_factors_match_anova_rm(fixtures):
    from statsmodels.stats.anova import AnovaRM

    df = pd.read_csv(fixtures / "anova" / "obk_long.csv")
    ref = AnovaRM(df, "value", "id", within=["phase", "hour"]).fit().anova_table
    res = rm_anova(df, "value", ["phase", "hour"], "id").set_index("source")
    np.testing.assert_allclose(
        res.loc[ref.index, ["F", "df1", "df2", "p"]].to_numpy(float),
        ref[["F Value", "Num DF", "Den DF", "Pr > F"]].to_numpy(float),
        rtol=1e-9,
    )
