"""Sample size and allocation against textbook formulas and worked examples.

References
----------
Cochran, W. G. (1977). Sampling Techniques, 3rd ed. Wiley.
  §4.4: n0 = t^2 p q / d^2 and n = n0 / (1 + (n0 - 1)/N) for a proportion.
  §4.8: n0 = t^2 S^2 / d^2 and n = n0 / (1 + n0/N) for a mean.
  §5.5-5.6: the 64 large US cities example (two strata, N1 = 16, N2 = 48,
  S1^2 = 53,843, S2^2 = 5,581, n = 24): proportional allocation n1 = 6, n2 = 18;
  optimum (Neyman) allocation n1 = n2 = 12.
(Section numbers as cited in the book; the numbers were checked by hand below.)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omsmethod.errors import DesignError, OMSError
from omsmethod.sampling import allocate, margin_of_error, sample_size


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # t = 1.96, p = q = 0.5, d = 0.05: n0 = 384.16 -> 385 (Cochran §4.4)
        (dict(kind="proportion", moe=0.05), 385),
        # d = 0.03: n0 = 1067.1 -> 1068
        (dict(kind="proportion", moe=0.03), 1068),
        # N = 1000: n = 384.16 / (1 + 383.16/1000) = 277.7 -> 278
        (dict(kind="proportion", moe=0.05, N=1000), 278),
        # p = 0.1, 99%: n0 = 2.5758^2 * 0.09 / 0.02^2 = 1492.8 -> 1493
        (dict(kind="proportion", moe=0.02, p=0.1, confidence=0.99), 1493),
        # mean, S = 10, d = 1: n0 = 384.16; N = 2000: 384.16 / 1.19208 = 322.3 -> 323
        (dict(kind="mean", moe=1, sd=10, N=2000), 323),
        # design effect 2 and response rate 0.6: 768.3 / 0.6 = 1280.5 -> 1281
        (dict(kind="proportion", moe=0.05, deff=2, response_rate=0.6), 1281),
    ],
)
def test_sample_size_textbook(kwargs, expected):
    assert sample_size(**kwargs) == expected


@pytest.mark.parametrize("kind", ["proportion", "mean"])
@pytest.mark.parametrize("N", [None, 500, 20000])
def test_margin_of_error_inverts_sample_size(kind, N):
    extra = dict(sd=3.0) if kind == "mean" else dict(p=0.3)
    n = sample_size(kind, 0.04 if kind == "proportion" else 0.4, N=N, deff=1.5, **extra)
    moe = margin_of_error(n, kind, N=N, deff=1.5, **extra)
    moe_less = margin_of_error(n - 1, kind, N=N, deff=1.5, **extra)
    target = 0.04 if kind == "proportion" else 0.4
    assert moe <= target < moe_less


def test_sample_size_errors():
    with pytest.raises(DesignError, match="sd"):
        sample_size("mean", 1.0)
    with pytest.raises(DesignError, match="kind"):
        sample_size("median", 1.0)
    with pytest.raises(DesignError, match="response_rate"):
        sample_size("proportion", 0.05, response_rate=0)


CITIES = pd.DataFrame({"stratum": [1, 2], "N": [16, 48], "S": [53843**0.5, 5581**0.5]})


def test_cochran_64_cities_allocation():
    assert allocate(CITIES, 24, "proportional")["n_h"].tolist() == [6, 18]
    assert allocate(CITIES, 24, "neyman", S="S")["n_h"].tolist() == [12, 12]


def test_optimal_allocation_with_costs():
    strata = pd.DataFrame({"N": [1000, 1000], "S": [10.0, 10.0], "c": [1.0, 4.0]})
    # n_h proportional to N S / sqrt(c): 2 : 1
    assert allocate(strata, 30, "optimal", S="S", cost="c")["n_h"].tolist() == [20, 10]
    assert allocate(strata, 31, "equal")["n_h"].sum() == 31


def test_caps_and_floors_are_reallocated():
    strata = pd.DataFrame({"N": [5, 1000, 1000, 3], "S": [100.0, 1.0, 1.0, 0.0]})
    out = allocate(strata, 60, "neyman", S="S", min_n=2)
    # stratum 1 wants far more than its 5 units -> capped; stratum 4 (S = 0) floored at 2
    assert out["n_h"].tolist() == [5, 27, 26, 2]
    assert strata.columns.tolist() == ["N", "S"]  # input untouched


def test_allocation_errors_name_the_problem():
    with pytest.raises(DesignError, match="more than the population"):
        allocate(CITIES, 100)
    with pytest.raises(DesignError, match="min_n=2"):
        allocate(pd.DataFrame({"N": [10, 10, 10]}), 5)
    with pytest.raises(OMSError, match="'S'"):
        allocate(CITIES.drop(columns="S"), 10, "neyman", S="S")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 400), min_size=1, max_size=8),
    st.lists(st.floats(0.0, 50.0), min_size=8, max_size=8),
    st.floats(0.0, 1.0),
    st.sampled_from(["proportional", "equal", "neyman"]),
)
def test_allocation_invariants(sizes, sds, frac, method):
    strata = pd.DataFrame({"N": sizes, "S": sds[: len(sizes)]})
    low = sum(min(2, s) for s in sizes)
    n = int(low + frac * (sum(sizes) - low))
    if n < 1:
        return
    out = allocate(strata, n, method, S="S")["n_h"].to_numpy()
    assert out.sum() == n
    assert (out <= np.array(sizes)).all()
    assert (out >= np.minimum(2, sizes)).all()


def test_proportional_rounding_is_largest_remainder():
    strata = pd.DataFrame({"N": [333, 333, 334]})
    assert allocate(strata, 10)["n_h"].tolist() == [3, 3, 4]
    assert math.isclose(allocate(strata, 999)["n_h"].sum(), 999)
