"""The multi-wave engagement generator."""

from __future__ import annotations

import numpy as np
import pytest

from omsmethod.datasets.engagement import PLANTED, engagement
from omsmethod.errors import InputError


@pytest.fixture(scope="module")
def small():
    return engagement(n_waves=4, n_units=10, n_customers=400, n_staff=40, n_partners=10, seed=7)


def test_waves_share_branches_and_plant_changes(small):
    assert list(small.waves) == [1, 2, 3, 4]
    for e in small.waves.values():
        assert e.branches.equals(small.branches)
    # the latent level of a planted branch moves by the planted shift from its wave on, and stays
    for change in small.truth.itertuples(index=False):
        levels = [
            e.truth["unit_latent"].set_index("unit").at[change.unit, change.subsystem]
            for e in small.waves.values()
        ]
        steps = np.diff(levels)
        assert steps[change.wave - 2] == pytest.approx(change.shift)
        others = np.delete(steps, change.wave - 2)
        assert np.allclose(others, 0)
    assert small.truth["unit"].tolist() == [f"B{p % 10 + 1:02d}" for _, p, _, _ in PLANTED]


def test_fieldwork_log_and_actions(small):
    assert small.fieldwork["label"].tolist() == ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    assert sorted(small.log["category"].unique()) == sorted(
        [
            "internal",
            "customer_demand",
            "mass_media",
            "market_competition",
            "socio_cultural",
            "political_economic",
        ]
    )
    assert small.log["summary"].str.contains(r"[\u4e00-\u9fff]").all()
    assert small.log["summary_en"].str.contains("[A-Za-z]").all()
    # every planted change follows one log entry for its branch (an action or an outside event)
    for change in small.truth.itertuples(index=False):
        end_prev = small.fieldwork.set_index("wave").at[change.wave - 1, "end"]
        end = small.fieldwork.set_index("wave").at[change.wave, "end"]
        hits = small.log[
            (small.log["unit"] == change.unit)
            & (small.log["date"] > end_prev)
            & (small.log["date"] <= end)
        ]
        assert len(hits) == 1
    assert set(small.actions["unit"].dropna()) <= set(small.truth["unit"])
    assert len(small.responses("customer")) == 4 * 400


def test_same_seed_same_engagement(small):
    again = engagement(n_waves=4, n_units=10, n_customers=400, n_staff=40, n_partners=10, seed=7)
    assert again.responses("customer").equals(small.responses("customer"))


def test_needs_two_waves():
    with pytest.raises(InputError):
        engagement(n_waves=1)
