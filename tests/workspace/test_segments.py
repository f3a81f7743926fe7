"""Segment profiles and channel consistency against R survey (svytotal + svycontrast)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from omsmethod.workspace import channel_consistency, profile

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def channel_scores():
    return pd.read_csv(FIXTURES / "channel_scores.csv")


def test_profile_matches_r_svycontrast(channel_scores):
    ref = pd.read_csv(FIXTURES / "channel_contrasts.csv")
    got = profile(
        channel_scores,
        by="channel",
        subsystem=["service", "customer"],
        strata="unit",
        fpc="N_customers",
    )
    merged = ref.merge(got, on=["subsystem", "channel"], suffixes=("_r", ""))
    assert len(merged) == 8
    for column in ("estimate", "se", "difference", "difference_se"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_r"], rtol=1e-9, err_msg=column)


def test_channel_consistency_index(channel_scores):
    result = channel_consistency(
        channel_scores,
        subsystem=["service", "customer"],
        strata="unit",
        fpc="N_customers",
        scale=(1, 5),
    )
    ref = pd.read_csv(FIXTURES / "channel_contrasts.csv")
    for subsystem, part in ref.groupby("subsystem"):
        row = result.summary.set_index("subsystem").loc[subsystem]
        spread = part["estimate"].max() - part["estimate"].min()
        assert row["spread"] == pytest.approx(spread, rel=1e-9)
        assert row["consistency"] == pytest.approx(1 - spread / 4, rel=1e-9)
        assert row["lowest"] == part.loc[part["estimate"].idxmin(), "channel"]
        assert row["n_channels"] == 4
    assert set(result.channels["channel"]) == {"app", "call_centre", "store", "web"}


def test_a_deviating_channel_is_named(channel_scores):
    data = channel_scores.copy()
    web = data["channel"] == "web"
    data.loc[web, "service"] = (data.loc[web, "service"] - 0.6).clip(lower=1)
    result = channel_consistency(data, subsystem="service", strata="unit", fpc="N_customers")
    row = result.summary.iloc[0]
    assert row["lowest"] == "web"
    # web falls below the overall mean; the others, now above it, deviate upwards
    assert sorted(row["deviating"].split(",")) == ["app+", "call_centre+", "store+", "web-"]
    # without the shift no channel deviates (see the R fixture: all |z| < 2.3)
    plain = channel_consistency(
        channel_scores, subsystem="service", strata="unit", fpc="N_customers"
    )
    assert plain.summary["deviating"].iloc[0] == ""
    assert "<table" in result._repr_html_()


def test_profile_per_wave_from_the_workspace(two_waves, small_files):
    table = two_waves.profile("city_tier", subsystem="service")
    assert sorted(table["wave"].unique()) == [1, 2]
    assert set(table["city_tier"]) == {"tier1", "tier2", "tier3"}
    one = table[table["wave"] == 1]
    scores = two_waves.scores("customer", wave=1)
    from omsmethod.sampling import Design

    ref = Design(scores, weights="weight", strata="stratum", fpc="fpc").mean(
        "service", by="city_tier"
    )
    np.testing.assert_allclose(one["estimate"], ref["estimate"], atol=1e-12)
    np.testing.assert_allclose(one["se"], ref["se"], atol=1e-12)
