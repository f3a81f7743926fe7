"""Sample data: loaders for the committed samples and the synthetic enterprise generator.

``load(name)`` reads ``sample_data/<name>.csv`` (the committed output of the generators in
this package, seeded); ``available()`` lists the names.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..errors import InputError

__all__ = ["load", "available", "sample_data_dir"]


def sample_data_dir() -> Path:
    """Folder holding the committed sample data (``OMS_SAMPLE_DATA`` overrides it)."""
    env = os.environ.get("OMS_SAMPLE_DATA")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parents[1]
    installed = package / "sample_data"  # inside a wheel (see pyproject's force-include)
    return installed if installed.is_dir() else package.parent / "sample_data"


def available() -> list[str]:
    """Names accepted by :func:`load`."""
    return sorted(p.stem for p in sample_data_dir().glob("*.csv"))


def load(name: str) -> pd.DataFrame:
    """Load a committed sample data set by name.

    Parameters
    ----------
    name : str
        One of :func:`available` (e.g. ``"customer"``, ``"staff"``, ``"partner"``).

    Returns
    -------
    pandas.DataFrame
        One row per respondent (or per unit / interval for operational data).
    """
    path = sample_data_dir() / f"{name}.csv"
    if not path.exists():
        raise InputError(
            f"no sample data set named {name!r}",
            value=name,
            hint=f"choose one of: {', '.join(available()) or '(none found in ' + str(sample_data_dir()) + ')'}",
        )
    return pd.read_csv(path, encoding="utf-8")


def __getattr__(name: str):
    # the generator pulls in scipy; load it only when asked for
    if name in ("synthetic", "Enterprise", "population_margins", "customer_frame"):
        from . import enterprise

        return getattr(enterprise, name)
    raise AttributeError(name)
