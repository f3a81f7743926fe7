"""Shared fixtures of the ratio tests: the sample units and their fitted log response."""

import pytest

from omsmethod.ratio import fit_response

#: value of one satisfaction point per customer, cost of one staff member (units.csv's plant)
VALUE, COST = 5.0, 60000.0


@pytest.fixture(scope="module")
def units():
    import omsmethod as oms

    return oms.datasets.load("units")


@pytest.fixture(scope="module")
def log_fit(units):
    return fit_response(units, "customers_per_staff", "satisfaction", weights="respondents")
