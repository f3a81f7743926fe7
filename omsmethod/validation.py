"""Input checks at the boundary of the public functions.

One helper per kind of input, each raising :class:`~omsmethod.errors.OMSError` with the
column, row and value at fault. Statistics below these checks trust their inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = [
    "require_dataframe",
    "require_columns",
    "require_numeric",
    "require_levels",
    "require_positive",
    "as_list",
]


def as_list(names: str | Iterable[str] | None) -> list[str]:
    """Return column name(s) as a list; ``None`` gives an empty list."""
    if names is None:
        return []
    if isinstance(names, str):
        return [names]
    return list(names)


def require_dataframe(data, what: str = "data") -> pd.DataFrame:
    """Check that ``data`` is a non-empty DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            f"{what} must be a pandas DataFrame, got {type(data).__name__}",
            hint="load the file with omsmethod.instrument.read_responses or pandas.read_csv",
        )
    if len(data) == 0:
        raise InputError(f"{what} has no rows", hint="check the filter or the file")
    return data


def require_columns(data: pd.DataFrame, columns: Sequence[str], what: str = "data") -> None:
    """Check that every column in ``columns`` is in ``data``."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        shown = ", ".join(map(str, list(data.columns)[:20]))
        raise InputError(
            f"{what} has no column {missing[0]!r}"
            + (f" (also missing: {', '.join(map(repr, missing[1:]))})" if len(missing) > 1 else ""),
            column=missing[0],
            hint=f"available columns: {shown}",
        )


def require_numeric(data: pd.DataFrame, column: str, allow_missing: bool = True) -> np.ndarray:
    """Return ``data[column]`` as float64, or raise naming the first non-numeric cell."""
    series = data[column]
    if pd.api.types.is_bool_dtype(series):
        series = series.astype(float)
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() & series.notna()
    if bad.any():
        row = bad.idxmax()
        raise InputError(
            "is not a number",
            column=column,
            row=row,
            value=series.loc[row],
            hint="recode text answers to numbers or drop the column",
        )
    if not allow_missing and values.isna().any():
        row = values.isna().idxmax()
        raise InputError("is missing", column=column, row=row, hint="fill or drop missing values")
    return values.to_numpy(dtype=float)


def require_levels(data: pd.DataFrame, column: str, min_levels: int = 2) -> list:
    """Check that a factor column has at least ``min_levels`` distinct values."""
    levels = pd.unique(data[column].dropna())
    if len(levels) < min_levels:
        raise InputError(
            f"has {len(levels)} level(s); at least {min_levels} are needed",
            column=column,
            value=levels[0] if len(levels) else None,
            hint="a factor must vary to be tested",
        )
    return list(levels)


def require_positive(data: pd.DataFrame, column: str) -> np.ndarray:
    """Return a numeric column, raising on the first value that is not > 0."""
    values = require_numeric(data, column, allow_missing=False)
    bad = ~(values > 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(
            "must be positive",
            column=column,
            row=data.index[i],
            value=values[i],
            hint="remove or correct non-positive values",
        )
    return values
