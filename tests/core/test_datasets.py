"""The committed sample data is exactly what the seeded generator writes."""

import pandas as pd
import pytest

from omsmethod import datasets
from omsmethod.datasets import synthetic
from omsmethod.datasets.enterprise import write_sample_data


def test_committed_samples_match_the_generator(tmp_path):
    for path in write_sample_data(tmp_path):
        committed = datasets.sample_data_dir() / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} drifted from the generator"


def test_sizes_and_units():
    assert len(datasets.load("customer")) == 5000
    assert len(datasets.load("staff")) == 500
    assert len(datasets.load("partner")) == 150
    assert datasets.load("customer")["unit"].nunique() == 30


def test_same_seed_same_data_and_waves_share_branches():
    a = synthetic(n_customers=200, n_staff=40, n_partners=20, seed=7)
    b = synthetic(n_customers=200, n_staff=40, n_partners=20, seed=7)
    pd.testing.assert_frame_equal(a.customer, b.customer)
    c = synthetic(n_customers=200, n_staff=40, n_partners=20, seed=7, wave=2)
    pd.testing.assert_frame_equal(a.branches, c.branches)
    assert not a.customer["cus1"].equals(c.customer["cus1"])


def test_planted_shift_moves_the_branch():
    shifts = pd.DataFrame({"unit": ["B03"], "subsystem": ["service"], "shift": [1.0]})
    base = synthetic(seed=11, wave=2)
    moved = synthetic(seed=11, wave=2, shifts=shifts)
    lat = base.truth["unit_latent"].set_index("unit")
    lat2 = moved.truth["unit_latent"].set_index("unit")
    assert lat2.loc["B03", "service"] - lat.loc["B03", "service"] == pytest.approx(1.0)
    assert lat2.drop(index="B03").equals(lat.drop(index="B03"))
