"""Shared fixtures for the sampling tests: R survey's api data and reference values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sampling"

# The same designs as tests/fixtures/sampling/make_fixtures.R builds with svydesign().
DESIGNS = {
    "strat": ("apistrat", dict(weights="pw", strata="stype", fpc="fpc")),
    "clus1": ("apiclus1", dict(weights="pw", psu="dnum", fpc="fpc")),
    "clus1nofpc": ("apiclus1", dict(weights="pw", psu="dnum")),
    "srs": ("apisrs", dict(fpc="fpc")),
    "clus2": ("apiclus2", dict(weights="pw", psu="dnum", fpc="fpc1")),
    "lonely_certainty": ("lonely", dict(weights="pw", strata="stype", lonely_psu="certainty")),
    "lonely_adjust": ("lonely", dict(weights="pw", strata="stype", lonely_psu="adjust")),
    "lonely_average": ("lonely", dict(weights="pw", strata="stype", lonely_psu="average")),
}


def load_api(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / f"{name}.csv")


@pytest.fixture(scope="session")
def reference() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "survey_reference.csv", dtype={"level": str})


@pytest.fixture(scope="session")
def api():
    cache: dict[str, pd.DataFrame] = {}

    def get(name):
        if name not in cache:
            cache[name] = load_api(name)
        return cache[name]

    return get
