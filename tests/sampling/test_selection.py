"""Sample selection: inclusion probabilities, certainty units, reproducibility.

Reference: for PPS without replacement the inclusion probability of a non-certainty
unit is pi_i = n' x_i / X' (Madow 1949 systematic PPS; Cochran 1977, §9A); the
empirical selection frequency over many draws must agree with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from omsmethod.errors import DesignError
from omsmethod.sampling import allocate, select
from omsmethod.sampling.selection import pps_probabilities, pps_systematic

FRAME = pd.DataFrame(
    {
        "id": range(40),
        "region": ["n"] * 10 + ["s"] * 30,
        "size": [200.0, 5.0, 5.0, 5.0] + [float(i % 7 + 1) for i in range(36)],
    }
)


@pytest.mark.parametrize("method", ["srs", "systematic"])
def test_equal_probability_methods(method):
    s = select(FRAME, 8, method=method, seed=3)
    assert len(s) == 8 and s["id"].is_unique
    assert np.allclose(s["pi"], 0.2) and np.allclose(s["weight"], 5.0)
    pd.testing.assert_frame_equal(s, select(FRAME, 8, method=method, seed=3))


def test_pps_certainty_unit_and_probabilities():
    pi = pps_probabilities(FRAME["size"].to_numpy(), 6)
    assert pi[0] == 1.0
    rest = FRAME["size"].to_numpy()[1:]
    np.testing.assert_allclose(pi[1:], 5 * rest / rest.sum())
    assert pi.sum() == pytest.approx(6)


def test_pps_empirical_inclusion_frequencies():
    rng = np.random.default_rng(2024)
    pi = pps_probabilities(FRAME["size"].to_numpy(), 6)
    reps = 20000
    counts = np.zeros(len(FRAME))
    for _ in range(reps):
        chosen = pps_systematic(pi, rng)
        assert len(chosen) == 6 and len(set(chosen)) == 6
        counts[chosen] += 1
    se = np.sqrt(pi * (1 - pi) / reps) + 1e-12
    assert np.all(np.abs(counts / reps - pi) < 4.5 * se + 1e-9)
    s = select(FRAME, 6, method="pps", size="size", seed=5)
    assert len(s) == 6 and s["id"].is_unique and 0 in set(s["id"])
    np.testing.assert_allclose(s["pi"], pi[s["id"].to_numpy()])


def test_stratified_selection_with_allocation():
    strata = FRAME["region"].value_counts().rename_axis("region").reset_index(name="N")
    alloc = allocate(strata, 8, min_n=2)
    s = select(FRAME, alloc, strata="region", seed=1)
    got = s["region"].value_counts().to_dict()
    assert got == dict(zip(alloc["region"], alloc["n_h"], strict=True))
    assert s.loc[s["region"] == "n", "weight"].iloc[0] == pytest.approx(10 / got["n"])
    s2 = select(FRAME, {"n": 2, "s": 3}, method="pps", strata="region", size="size", seed=1)
    assert s2.loc[s2["id"] == 0, "pi"].iloc[0] == 1.0  # the big unit: 2 * 200 / 236 > 1


def test_selection_errors():
    with pytest.raises(DesignError, match="cannot select"):
        select(FRAME, 41)
    with pytest.raises(DesignError, match="size="):
        select(FRAME, 3, method="pps")
    bad = FRAME.assign(size=FRAME["size"].where(FRAME["id"] != 5, -1.0))
    with pytest.raises(DesignError, match="positive") as err:
        select(bad, 3, method="pps", size="size", seed=0)
    assert err.value.column == "size" and err.value.row == 5
    with pytest.raises(DesignError, match="not in the frame"):
        select(FRAME, {"n": 1, "x": 2}, strata="region")
