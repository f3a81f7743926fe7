from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graph"
SUBS = ["customer", "brand", "service", "pr", "vis", "information"]


@pytest.fixture(scope="session")
def scores400() -> pd.DataFrame:
    """synthetic(n_customers=400, seed=7) customer scores, the input of the R fixtures."""
    return pd.read_csv(FIXTURES / "customer_scores_400.csv")


@pytest.fixture(scope="session")
def big_enterprise():
    """5,000 customers and 5,000 staff (seed 11): the recovery data."""
    from omsmethod.datasets import synthetic

    return synthetic(n_customers=5000, n_staff=5000, n_partners=30, seed=11)


@pytest.fixture(scope="session")
def big_scores(big_enterprise):
    from omsmethod import scoring

    return {
        "customer": scoring.score(big_enterprise.customer, "customer"),
        "staff": scoring.score(big_enterprise.staff, "staff"),
    }


@pytest.fixture(scope="session")
def sample_scores():
    from omsmethod import datasets, scoring

    return {
        "customer": scoring.score(datasets.load("customer"), "customer"),
        "staff": scoring.score(datasets.load("staff"), "staff"),
    }
