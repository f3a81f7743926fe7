"""Between-subjects linear model: type II / III sums of squares and ``two_way``.

The kernel :func:`term_ssp` fits a full-factorial model with sum-to-zero contrasts to
one or several response columns at once and returns, per term, the hypothesis SSP
matrix (q x q) and the error SSP matrix. With one response column these are the
ordinary sums of squares of ``car::Anova``; the repeated-measures engine calls it with
the within-contrast-transformed responses (the multivariate linear model of
``car::Anova(mlm, idata, idesign)``).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validation import as_list, require_columns, require_dataframe, require_numeric

__all__ = ["two_way", "term_ssp", "factorial_terms", "sum_contrasts", "require_full_cells"]


def factorial_terms(n_factors: int) -> list[tuple[int, ...]]:
    """All terms of a full factorial in R's order: main effects, then 2-way, ..."""
    return [t for order in range(1, n_factors + 1) for t in combinations(range(n_factors), order)]


def sum_contrasts(k: int) -> np.ndarray:
    """``contr.sum``: k x (k-1), identity on top of a row of -1."""
    return np.vstack([np.eye(k - 1), -np.ones((1, k - 1))])


def _design_matrix(codes: np.ndarray, n_levels: list[int], terms) -> tuple[np.ndarray, list]:
    """Intercept + sum-coded columns of every term; returns X and column slices."""
    n = codes.shape[0]
    coded = [sum_contrasts(k)[codes[:, j]] for j, k in enumerate(n_levels)]
    blocks, slices, start = [np.ones((n, 1))], [slice(0, 1)], 1
    for term in terms:
        block = coded[term[0]]
        for f in term[1:]:
            block = (block[:, :, None] * coded[f][:, None, :]).reshape(n, -1)
        blocks.append(block)
        slices.append(slice(start, start + block.shape[1]))
        start += block.shape[1]
    return np.hstack(blocks), slices


def require_full_cells(codes: np.ndarray, levels: list[list], names: list[str]) -> None:
    """Raise naming the first combination of factor levels that has no data."""
    if not names:
        return
    shape = tuple(len(lv) for lv in levels)
    counts = np.bincount(np.ravel_multi_index(tuple(codes.T), shape), minlength=int(np.prod(shape)))
    if (counts == 0).any():
        empty = np.unravel_index(int(np.argmin(counts)), shape)
        combo = ", ".join(f"{n}={lv[i]!s}" for n, lv, i in zip(names, levels, empty, strict=True))
        raise InputError(
            f"the combination {combo} has no data; the full-factorial model needs every "
            "combination of the between-subjects factors",
            column=names[0],
            value=levels[0][empty[0]],
            hint="merge sparse levels or drop a factor",
        )


def term_ssp(z: np.ndarray, codes: np.ndarray, n_levels: list[int], ss_type: int = 3):
    """Hypothesis and error SSP matrices of a full-factorial between-subjects model.

    Parameters
    ----------
    z : ndarray, shape (n, q)
        Response column(s).
    codes : ndarray of int, shape (n, n_factors)
        Level codes of the between factors (may have zero columns).
    n_levels : list of int
        Number of levels per factor.
    ss_type : {2, 3}
        Type III: Wald SSP of each term's sum-to-zero coefficients in the full model
        (``car::Anova(type=3)`` with ``contr.sum``). Type II: each term after all terms
        that do not contain it; the intercept is the n-weighted mean (``car``'s type II
        for multivariate models).

    Returns
    -------
    dict
        ``terms`` (list of tuples; ``()`` is the intercept, first), ``ssh`` (list of
        q x q arrays), ``df`` (list of int), ``sse`` (q x q), ``df_error`` (int).

    Examples
    --------
    >>> import numpy as np
    >>> out = term_ssp(np.array([[1.], [2.], [4.], [5.]]), np.array([[0], [0], [1], [1]]), [2])
    >>> float(out["ssh"][1][0, 0]), float(out["sse"][0, 0]), out["df_error"]
    (9.0, 1.0, 2)
    """
    z = np.asarray(z, dtype=float)
    if z.ndim == 1:
        z = z[:, None]
    terms = factorial_terms(len(n_levels))
    x, slices = _design_matrix(codes, n_levels, terms)
    n, p = x.shape
    xtx, xtz, ztz = x.T @ x, x.T @ z, z.T @ z
    if np.linalg.matrix_rank(xtx) < p:
        raise InputError(
            "the between-subjects design matrix is singular (an empty combination of "
            "levels?); the full-factorial model cannot be estimated",
            hint="merge sparse groups or drop a between factor",
        )
    df_error = n - p
    if df_error < 1:
        raise InputError(
            "no residual degrees of freedom: every between-subjects cell "
            "needs at least one more subject than it has",
            hint="collect more subjects or merge groups",
        )
    beta = np.linalg.solve(xtx, xtz)
    sse = ztz - xtz.T @ beta
    all_terms = [(), *terms]
    if ss_type == 3:
        v = np.linalg.inv(xtx)
        ssh = [beta[s].T @ np.linalg.solve(v[s, s], beta[s]) for s in slices]
    elif ss_type == 2:

        def resid(cols):
            idx = np.concatenate([np.arange(p)[slices[i]] for i in cols])
            b = np.linalg.solve(xtx[np.ix_(idx, idx)], xtz[idx])
            return ztz - xtz[idx].T @ b

        # intercept as car's type II for mlm: all coefficients vs all but the intercept,
        # i.e. the n-weighted grand mean (for a within term: its weighted main effect)
        ssh = [xtz[:1].T @ xtz[:1] / xtx[0, 0]]
        for i, t in enumerate(terms, start=1):
            base = [0] + [
                j for j, s in enumerate(terms, start=1) if s != t and not set(t) <= set(s)
            ]
            ssh.append(resid(base) - resid(base + [i]))
    else:
        raise InputError("ss_type must be 2 or 3", value=ss_type)
    df = [s.stop - s.start for s in slices]
    return {"terms": all_terms, "ssh": ssh, "df": df, "sse": sse, "df_error": df_error}


def two_way(
    data, dv: str, factors, ss_type: int = 2, observed=None, effsize: str = "np2"
) -> pd.DataFrame:
    """Between-subjects factorial ANOVA for unbalanced data (type II or III).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation.
    dv : str
        Numeric response column; rows with a missing response are dropped.
    factors : list of str
        Two (or more) between-subjects factor columns; all interactions are fitted.
    ss_type : {2, 3}
        Type II (each term adjusted for all terms not containing it; ``car::Anova``
        ``type=2``) or type III (sum-to-zero contrasts; ``type=3`` with
        ``options(contrasts=c("contr.sum","contr.poly"))``).
    observed : list of str, optional
        Measured (not manipulated) factors, for generalized eta squared.
    effsize : {"np2", "ng2"}
        Effect size :func:`report_text` quotes (both are always returned).

    Returns
    -------
    pandas.DataFrame
        Columns ``source, df1, df2, SS, SS_error, MS, MSE, F, p, np2, ng2`` (within-only
        columns are NaN); ``attrs`` as documented in :mod:`omsmethod.anova`.

    References
    ----------
    Fox, J. & Weisberg, S. (2019). *An R Companion to Applied Regression*, 3rd ed., ch. 5
    (``car::Anova``).

    Examples
    --------
    >>> from omsmethod.anova import two_way
    >>> import omsmethod as oms
    >>> df = oms.datasets.load("promotion")
    >>> res = two_way(df, "likelihood", ["behaviour", "promotion"], ss_type=3)
    >>> list(res["source"])
    ['behaviour', 'promotion', 'behaviour:promotion']
    """
    from .within import _finish_table

    data = require_dataframe(data)
    factors = as_list(factors)
    if not factors:
        raise InputError("two_way needs at least one factor", hint="factors=['a', 'b']")
    require_columns(data, [dv, *factors])
    y = require_numeric(data, dv)
    keep = ~np.isnan(y)
    codes, levels = [], []
    from .design import _check_factor, _codes

    sub = data.loc[keep]
    for f in factors:
        _check_factor(sub, f)
        c, lv = _codes(sub[f])
        codes.append(c)
        levels.append(lv)
    y = y[keep]
    if np.ptp(y) == 0:
        raise InputError(
            "is constant; there is no variance to analyse", column=dv, value=float(y[0])
        )
    if ss_type not in (2, 3):
        raise InputError("ss_type must be 2 or 3", value=ss_type)
    codes = np.column_stack(codes)
    require_full_cells(codes, levels, factors)
    out = term_ssp(y, codes, [len(lv) for lv in levels], ss_type)
    rows = []
    for t, ssh, df in zip(out["terms"][1:], out["ssh"][1:], out["df"][1:], strict=True):
        rows.append(
            {
                "source": ":".join(factors[i] for i in t),
                "df1": float(df),
                "df2": float(out["df_error"]),
                "SS": float(ssh[0, 0]),
                "SS_error": float(out["sse"][0, 0]),
                "stratum": "",
            }
        )
    attrs = {
        "kind": "between",
        "dv": dv,
        "between": factors,
        "within": [],
        "subject": None,
        "between_levels": {f: list(lv) for f, lv in zip(factors, levels, strict=True)},
        "within_levels": {},
        "ss_type": ss_type,
        "n_subjects": int(keep.sum()),
        "n_dropped": int((~keep).sum()),
        "n_aggregated": 0,
        "correction": "none",
        "effsize": effsize,
    }
    return _finish_table(rows, attrs, observed=as_list(observed))
