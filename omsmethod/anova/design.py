"""Checking long data and reshaping it into a subject x within-cell matrix.

The ANOVA functions all start here: one boundary check of the columns, then the
response is laid out as a matrix ``Y`` with one row per subject and one column per
combination of within-subject levels (first within factor varying slowest), plus one
integer code per subject for every between-subjects factor. Reshaping uses
``factorize`` and numpy indexing, not ``pivot``, so it stays fast for 10^5 subjects.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validation import as_list, require_columns, require_dataframe, require_numeric

__all__ = ["Design", "prepare", "AnovaWarning"]


class AnovaWarning(UserWarning):
    """Data were changed before the analysis (cells averaged, subjects dropped)."""


@dataclass
class Design:
    """A checked repeated-measures design.

    Attributes
    ----------
    y : ndarray, shape (n_subjects, n_cells)
        Cell means per subject; within cells in C order over ``within_levels``.
    between_codes : ndarray of int, shape (n_subjects, n_between)
        Level code of each subject for every between factor.
    subjects : ndarray
        Subject identifiers, one per row of ``y``.
    """

    dv: str
    subject: str
    within: list[str]
    between: list[str]
    within_levels: list[list]
    between_levels: list[list]
    y: np.ndarray
    between_codes: np.ndarray
    subjects: np.ndarray
    n_dropped: int = 0
    n_aggregated: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def within_shape(self) -> tuple[int, ...]:
        return tuple(len(lv) for lv in self.within_levels)


def _codes(values: pd.Series) -> tuple[np.ndarray, list]:
    """Integer codes and levels: categorical order if categorical, else first appearance."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cat = values.cat.remove_unused_categories()
        return cat.cat.codes.to_numpy().astype(np.int64), list(cat.cat.categories)
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64), list(uniques)


def _check_factor(data: pd.DataFrame, column: str) -> None:
    if data[column].isna().any():
        row = data[column].isna().idxmax()
        raise InputError(
            "is missing",
            column=column,
            row=row,
            hint="fill or drop rows with a missing factor level",
        )
    n = data[column].nunique()
    if n < 2:
        raise InputError(
            f"has {n} level(s); a factor needs at least 2",
            column=column,
            value=data[column].iloc[0],
            hint="remove the factor from the design or add data for other levels",
        )


def prepare(data, dv: str, within=None, between=None, subject: str | None = None) -> Design:
    """Check long data and build the subject x cell matrix.

    Several rows for one subject and cell are averaged (``AnovaWarning``, as afex
    does); subjects lacking a cell or with a missing response are dropped
    (``AnovaWarning`` saying how many).

    Parameters
    ----------
    data : pandas.DataFrame
        Long data: one row per subject and condition.
    dv : str
        Numeric response column.
    within, between : str or list of str, optional
        Within-subject and between-subjects factor columns.
    subject : str
        Subject identifier column.

    Returns
    -------
    Design

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": [1, 1, 2, 2], "t": ["a", "b", "a", "b"], "y": [1., 2, 3, 5]})
    >>> prepare(df, "y", within="t", subject="id").y
    array([[1., 2.],
           [3., 5.]])
    """
    data = require_dataframe(data)
    within, between = as_list(within), as_list(between)
    if subject is None:
        raise InputError("no subject column given", hint="pass subject='<id column>'")
    require_columns(data, [dv, subject, *within, *between])
    overlap = set(within) & set(between)
    if overlap:
        raise InputError("a factor cannot be both within and between", column=sorted(overlap)[0])
    y_all = require_numeric(data, dv)
    for col in within + between:
        _check_factor(data, col)
    if data[subject].isna().any():
        raise InputError(
            "is missing",
            column=subject,
            row=data[subject].isna().idxmax(),
            hint="every row needs a subject identifier",
        )

    subj_codes, subjects = pd.factorize(data[subject], sort=False)
    n_subj = len(subjects)
    # between factors must be constant within subject
    b_codes, b_levels = [], []
    for col in between:
        codes, levels = _codes(data[col])
        first = np.full(n_subj, -1, dtype=np.int64)
        first[subj_codes[::-1]] = codes[::-1]
        bad = first[subj_codes] != codes
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(
                f"subject {subjects[subj_codes[i]]} appears in two between-subjects groups "
                f"({levels[first[subj_codes[i]]]!r} and {levels[codes[i]]!r})",
                column=col,
                row=data.index[i],
                value=levels[codes[i]],
                hint=f"a between factor must be constant per subject; if {col!r} varies "
                "within subjects, pass it as within",
            )
        b_codes.append(first)
        b_levels.append(levels)
    between_codes = np.column_stack(b_codes) if b_codes else np.zeros((n_subj, 0), dtype=np.int64)

    w_codes, w_levels = [], []
    for col in within:
        codes, levels = _codes(data[col])
        w_codes.append(codes)
        w_levels.append(levels)
    shape = tuple(len(lv) for lv in w_levels)
    n_cells = int(np.prod(shape)) if shape else 1
    cell = (
        np.ravel_multi_index(tuple(w_codes), shape)
        if w_codes
        else np.zeros(len(data), dtype=np.int64)
    )

    ok = ~np.isnan(y_all)
    flat = subj_codes * n_cells + cell
    counts = np.bincount(flat[ok], minlength=n_subj * n_cells)
    sums = np.bincount(flat[ok], weights=y_all[ok], minlength=n_subj * n_cells)
    n_aggregated = int((counts > 1).sum())
    if n_aggregated:
        warnings.warn(
            f"{n_aggregated} subject x cell combination(s) have more than one row in "
            f"{dv!r}; they were averaged (mean) before the analysis",
            AnovaWarning,
            stacklevel=3,
        )
    counts = counts.reshape(n_subj, n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = sums.reshape(n_subj, n_cells) / counts
    complete = (counts > 0).all(axis=1)
    n_dropped = int((~complete).sum())
    if not complete.any():
        raise InputError(
            f"no subject has a response in every within cell ({n_cells} cells of "
            f"{' x '.join(within) or 'the design'})",
            column=dv,
            hint="check the within factor coding or the missing responses",
        )
    if n_dropped:
        warnings.warn(
            f"{n_dropped} of {n_subj} subject(s) lack a response in at least one within "
            f"cell and were dropped ({int(complete.sum())} remain)",
            AnovaWarning,
            stacklevel=3,
        )
        y = y[complete]
        between_codes = between_codes[complete]
        subjects = np.asarray(subjects)[complete]
    else:
        subjects = np.asarray(subjects)
    if np.ptp(y) == 0:
        raise InputError(
            "is constant; there is no variance to analyse",
            column=dv,
            value=float(y.flat[0]),
            hint="check that the right column was chosen",
        )
    for j, col in enumerate(between):
        present = np.unique(between_codes[:, j])
        if len(present) < 2:
            raise InputError(
                "has fewer than 2 levels among complete subjects",
                column=col,
                value=b_levels[j][present[0]],
                hint="a between factor needs complete subjects in 2+ groups",
            )
    return Design(
        dv=dv,
        subject=subject,
        within=within,
        between=between,
        within_levels=w_levels,
        between_levels=b_levels,
        y=y,
        between_codes=between_codes,
        subjects=subjects,
        n_dropped=n_dropped,
        n_aggregated=n_aggregated,
    )
