from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "sem"


@pytest.fixture(scope="session")
def sem_fixtures() -> Path:
    return HERE


@pytest.fixture(scope="session")
def mobi() -> pd.DataFrame:
    return pd.read_csv(HERE / "mobi.csv")


@pytest.fixture(scope="session")
def ecsi_model() -> str:
    return (HERE / "ecsi_model.txt").read_text()


def planted(n=600, seed=0, paths=None):
    """Small generator of a planted composite model: A → B → C, A → C (documented paths)."""
    rng = np.random.default_rng(seed)
    paths = paths or {"A→B": 0.5, "B→C": 0.4, "A→C": 0.3}
    a = rng.normal(size=n)
    b = paths["A→B"] * a + np.sqrt(1 - paths["A→B"] ** 2) * rng.normal(size=n)
    cov_ab = paths["A→B"]
    var_c = paths["B→C"] ** 2 + paths["A→C"] ** 2 + 2 * paths["B→C"] * paths["A→C"] * cov_ab
    c = paths["B→C"] * b + paths["A→C"] * a + np.sqrt(1 - var_c) * rng.normal(size=n)
    cols = {}
    for name, f in (("a", a), ("b", b), ("c", c)):
        for i in range(1, 4):
            cols[f"{name}{i}"] = 0.85 * f + np.sqrt(1 - 0.85**2) * rng.normal(size=n)
    return pd.DataFrame(cols)


PLANTED_MODEL = "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nC =~ c1 + c2 + c3\nB ~ A\nC ~ A + B"
