"""The operations generator and the committed sample units."""

import numpy as np
import pandas as pd
import pytest

from omsmethod.datasets.operations import (
    generate_intervals,
    generate_units,
    planted_optimum,
)
from omsmethod.errors import OMSError


def test_sample_units_are_the_seeded_generator_output(root):
    committed = pd.read_csv(root / "sample_data" / "units.csv")
    fresh = generate_units(60, seed=2006)
    pd.testing.assert_frame_equal(committed, fresh, check_dtype=False)


def test_generator_is_seeded_and_takes_unit_ids():
    a = generate_units(10, seed=5)
    pd.testing.assert_frame_equal(a, generate_units(10, seed=5))
    ids = [f"B{i:02d}" for i in range(3, 9)]
    b = generate_units(seed=5, unit_ids=ids)
    assert b["unit"].tolist() == ids
    assert np.allclose(b["customers"] / b["staff"], b["customers_per_staff"], rtol=1e-3)
    with pytest.raises(OMSError, match="unique"):
        generate_units(unit_ids=["B01", "B01"])


def test_planted_curve_and_optimum():
    # r* = -cost / (value * beta) maximises v(a + b ln r) - cost / r
    assert planted_optimum(-8, 5, 60000) == 1500
    assert planted_optimum(-4, 10, 20000) == 500
    big = generate_units(3000, seed=1, unit_sd=0.0, respondent_sd=0.0)
    shift = big["channel"].map({"branch": 0.0, "phone": -2.0, "online": 1.0})
    expected = 130 - 8 * np.log(big["customers"] / big["staff"]) + shift
    np.testing.assert_allclose(big["satisfaction"], expected, atol=0.006)


def test_intervals_week():
    week = generate_intervals(seed=3)
    assert len(week) == 7 * 48
    assert (week.loc[week.start < "07:30", "arrivals"] == 0).all()
    weekday = week[week.day == 1].arrivals.sum()
    sunday = week[week.day == 7].arrivals.sum()
    assert 0.45 < sunday / weekday < 0.75
    with pytest.raises(OMSError, match="divide"):
        generate_intervals(interval_minutes=7)
