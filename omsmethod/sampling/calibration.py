"""Calibration of a design: weights and calibration-aware influence values.

A calibrated design (post-stratified, raked or GREG-calibrated) keeps a list of
*residualisers*. Before the variance kernel, each one replaces the influence matrix
``Z`` (rows x columns, already multiplied by the calibrated weights ``w``) by its
residual from the calibration variables, as R survey's ``svyrecvar`` does:

* post-stratification (``postStratify``): ``Z - w * mean_g(Z / w)``, the mean taken
  with the *original* weights within post-stratum ``g``;
* GREG / ``calibrate`` (linear, raking or logit distance): ``Z - w * X b`` with ``b``
  the weighted least-squares fit of ``Z / w`` on the calibration model matrix ``X``
  with the original weights;
* raking (``rake``): ten back-fitting sweeps of ``Z - w * mean_m(Z / w)`` over the
  margins ``m`` with *unweighted* means, exactly as R survey 4.1.1.

Domain estimates keep all rows (the influence is zero outside the domain before
residualising), as R does for calibrated designs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ConvergenceError, DesignError
from ..validation import require_columns, require_numeric

__all__ = [
    "calibration_weights",
    "model_matrix",
    "PostStratResidual",
    "GregResidual",
    "RakeResidual",
]


def _group_sum(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Column sums of a (n, k) matrix by integer group."""
    out = np.empty((n_groups, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(group, weights=values[:, j], minlength=n_groups)
    return out


def _by_cell(values: np.ndarray, group: np.ndarray, k: int, cells) -> np.ndarray:
    """(k, n_dom) sums of ``values`` by group and domain (one bincount)."""
    n_dom = cells.n_dom
    code = cells.group_code(group, k)
    return np.bincount(code, weights=values, minlength=k * n_dom).reshape(k, n_dom)


def _psu_group_apply(cache, psu, n_psu, w, group, k, C):
    """(P, D) PSU totals of ``w_i C[group_i]`` without a (rows x D) matrix.

    The weighted PSU x group table is kept in ``cache`` when it is small.
    """
    if n_psu * k <= max(len(psu), 1 << 22):
        key = ("group", id(group))
        if key not in cache:
            cache[key] = np.bincount(psu * k + group, weights=w, minlength=n_psu * k).reshape(
                n_psu, k
            )
        return cache[key] @ C
    out = np.empty((n_psu, C.shape[1]))
    for j in range(C.shape[1]):
        out[:, j] = np.bincount(psu, weights=w * C[group, j], minlength=n_psu)
    return out


@dataclass
class PostStratResidual:
    group: np.ndarray
    w_old: np.ndarray
    w_new: np.ndarray

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        k = int(self.group.max()) + 1
        means = _group_sum(Z * (self.w_old / self.w_new)[:, None], self.group, k)
        means /= np.bincount(self.group, weights=self.w_old, minlength=k)[:, None]
        return Z - means[self.group] * self.w_new[:, None]

    def psu_totals(self, influence, cells):
        """PSU x domain totals of the residualised influence (reduced form of ``__call__``)."""
        k = int(self.group.max()) + 1
        psu, n_psu = cells.design._psu, cells.n_psu
        means = _by_cell(influence * (self.w_old / self.w_new), self.group, k, cells)
        means /= np.bincount(self.group, weights=self.w_old, minlength=k)[:, None]
        cache = self.__dict__.setdefault("_cache", {})
        correction = _psu_group_apply(cache, psu, n_psu, self.w_new, self.group, k, means)
        return cells.sums(influence) - correction


@dataclass
class GregResidual:
    X: np.ndarray
    w_old: np.ndarray
    w_new: np.ndarray

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        U = Z / self.w_new[:, None]
        Xw = self.X * self.w_old[:, None]
        b, *_ = np.linalg.lstsq(Xw.T @ self.X, Xw.T @ U, rcond=None)
        return Z - (self.X @ b) * self.w_new[:, None]

    def psu_totals(self, influence, cells):
        """PSU x domain totals of the residualised influence (reduced form of ``__call__``)."""
        cache = self.__dict__.setdefault("_cache", {})
        dom, n_dom, psu, n_psu = cells.dom, cells.n_dom, cells.design._psu, cells.n_psu
        if "xwx" not in cache:
            cache["xwx"] = (self.X * self.w_old[:, None]).T @ self.X
        v = influence * (self.w_old / self.w_new)
        p = self.X.shape[1]
        xwu = np.empty((p, n_dom))
        for k in range(p):
            xwu[k] = np.bincount(dom, weights=self.X[:, k] * v, minlength=n_dom)
        b, *_ = np.linalg.lstsq(cache["xwx"], xwu, rcond=None)
        if n_psu * p <= max(len(psu), 1 << 22):
            if "wx" not in cache:
                cache["wx"] = np.column_stack(
                    [
                        np.bincount(psu, weights=self.w_new * self.X[:, k], minlength=n_psu)
                        for k in range(p)
                    ]
                )
            correction = cache["wx"] @ b
        else:
            correction = np.column_stack(
                [
                    np.bincount(psu, weights=self.w_new * (self.X @ b[:, j]), minlength=n_psu)
                    for j in range(n_dom)
                ]
            )
        return cells.sums(influence) - correction


@dataclass
class RakeResidual:
    groups: list
    w_new: np.ndarray
    sweeps: int = 10

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        w = self.w_new[:, None]
        Z = Z.copy()
        for _ in range(self.sweeps):
            for g in self.groups:
                k = int(g.max()) + 1
                means = _group_sum(Z / w, g, k) / np.bincount(g, minlength=k)[:, None]
                Z -= w * means[g]
        return Z

    def psu_totals(self, influence, cells):
        """PSU x domain totals after the back-fitting sweeps, in margin space.

        The sweeps only move group means, so the residual is
        :math:`u - \\sum_m G_m c_m` with :math:`G_m` the indicators of margin ``m``;
        the sweeps update the small coefficient tables :math:`c_m` from the group
        sums of ``u = Z / w`` and the margins' cross-tabulated counts. Same
        arithmetic as :meth:`__call__` without any (rows x domains) matrix.
        """
        cache = self.__dict__.setdefault("_cache", {})
        psu, n_psu = cells.design._psu, cells.n_psu
        ks = [int(g.max()) + 1 for g in self.groups]
        if "cross" not in cache:
            cache["cross"] = [
                [
                    np.bincount(g * kb + h, minlength=ka * kb).reshape(ka, kb).astype(float)
                    for h, kb in zip(self.groups, ks, strict=True)
                ]
                for g, ka in zip(self.groups, ks, strict=True)
            ]
        cross = cache["cross"]
        u = influence / self.w_new
        joint_k = int(np.prod(ks))
        if joint_k * cells.n_dom <= max(len(u), 1 << 22):
            # one pass: the full margins x domain table, then its marginal sums
            if "joint" not in cache:
                cache["joint"] = np.ravel_multi_index(tuple(self.groups), ks)
            table = _by_cell(u, cache["joint"], joint_k, cells).reshape(*ks, cells.n_dom)
            axes = range(len(ks))
            sums = [table.sum(axis=tuple(a for a in axes if a != m)) for m in axes]
        else:
            sums = [_by_cell(u, g, k, cells) for g, k in zip(self.groups, ks, strict=True)]
        coef = [np.zeros((k, cells.n_dom)) for k in ks]
        for _ in range(self.sweeps):
            for m in range(len(ks)):
                current = sums[m] - sum(cross[m][o] @ coef[o] for o in range(len(ks)))
                coef[m] += current / np.diag(cross[m][m])[:, None]
        total = cells.sums(influence)
        for g, k, c in zip(self.groups, ks, coef, strict=True):
            total -= _psu_group_apply(cache, psu, n_psu, self.w_new, g, k, c)
        return total


def model_matrix(data: pd.DataFrame, population: Mapping) -> tuple[np.ndarray, np.ndarray, list]:
    """Calibration model matrix and population totals.

    ``population`` maps a column to a total (numeric variable) or to a mapping
    {level: count} (categorical variable: one indicator per level).
    """
    columns, totals, names = [], [], []
    for col, target in population.items():
        if col == "(Intercept)":
            columns.append(np.ones(len(data)))
            totals.append(float(target))
            names.append(col)
            continue
        require_columns(data, [col])
        if isinstance(target, Mapping | pd.Series):
            values = data[col]
            if values.isna().any():
                raise DesignError(
                    "calibration variable is missing",
                    column=col,
                    row=data.index[int(np.argmax(values.isna().to_numpy()))],
                )
            unknown = set(pd.unique(values)) - set(dict(target))
            if unknown:
                raise DesignError(
                    "sample level has no population count",
                    column=col,
                    value=sorted(unknown, key=str)[0],
                )
            for level, count in dict(target).items():
                indicator = (values == level).to_numpy(dtype=float)
                if indicator.sum() == 0 and count > 0:
                    raise DesignError(
                        "population level has no respondents",
                        column=col,
                        value=level,
                        hint="collapse it with a neighbouring level",
                    )
                if indicator.sum() == 0:
                    continue
                columns.append(indicator)
                totals.append(float(count))
                names.append(f"{col}={level}")
        else:
            x = require_numeric(data, col, allow_missing=False)
            columns.append(x)
            totals.append(float(target))
            names.append(col)
    return np.column_stack(columns), np.asarray(totals), names


def _g_function(method: str, bounds):
    lo, hi = (-np.inf, np.inf) if bounds is None else (float(bounds[0]), float(bounds[1]))
    if method == "linear":
        return (
            lambda u: np.clip(1 + u, lo, hi),
            lambda u: ((u < hi - 1) & (u > lo - 1)).astype(float),
        )
    if method == "raking":
        return (
            lambda u: np.clip(np.exp(u), lo, hi),
            lambda u: np.where((u < hi - 1) & (u > lo - 1), np.exp(u), 0.0),
        )
    if method == "logit":
        if not (np.isfinite(lo) and np.isfinite(hi)) or not lo < 1 < hi:
            raise DesignError(
                "logit calibration needs finite bounds with lower < 1 < upper",
                value=bounds,
                hint="e.g. bounds=(0.5, 2.0)",
            )
        a = (hi - lo) / ((hi - 1) * (1 - lo))

        def g(u):
            e = np.exp(a * u)
            return (lo * (hi - 1) + hi * (1 - lo) * e) / (hi - 1 + (1 - lo) * e)

        def dg(u):
            e = np.exp(a * u)
            den = hi - 1 + (1 - lo) * e
            return (hi * (1 - lo) * e * a) / den - (lo * (hi - 1) + hi * (1 - lo) * e) * (
                (1 - lo) * e * a
            ) / den**2

        return g, dg
    raise DesignError(
        f"unknown calibration method {method!r}",
        value=method,
        hint="use 'linear', 'raking' or 'logit'",
    )


def calibration_weights(X, w, totals, method="linear", bounds=None, max_iter=100, tol=1e-10):
    """g-weights solving :math:`\\sum_i w_i g(x_i'\\lambda) x_i = T` by Newton steps.

    Distance functions as R survey's ``calibrate(calfun=)`` (Deville and Särndal
    1992): linear ``g = 1 + u`` (clipped to bounds), raking ``g = exp(u)``, logit
    (bounded). Returns the calibrated weights ``w * g``.
    """
    g_fun, dg_fun = _g_function(method, bounds)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _newton(X, w, totals, g_fun, dg_fun, method, max_iter, tol)


def _newton(X, w, totals, g_fun, dg_fun, method, max_iter, tol):
    lam = np.zeros(X.shape[1])
    worst = np.inf
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        u = X @ lam
        g = g_fun(u)
        misfit = totals - X.T @ (w * g)
        rel = np.abs(misfit) / (1 + np.abs(totals))
        worst = float(np.max(rel)) if np.all(np.isfinite(rel)) else np.inf
        if worst < tol:
            return w * g
        J = (X * (w * dg_fun(u))[:, None]).T @ X
        if not (np.all(np.isfinite(J)) and np.all(np.isfinite(misfit))):
            break
        try:
            step = np.linalg.pinv(J) @ misfit
        except np.linalg.LinAlgError:
            break
        lam = lam + step
        for _ in range(50):
            g = g_fun(X @ lam)
            if np.all(np.isfinite(g)):
                break
            step /= 2
            lam = lam - step
    raise ConvergenceError(
        f"calibration ({method}) did not converge after {iterations} iterations: "
        f"largest relative miss of a population total {worst:.3g} (tolerance {tol:g})",
        value=worst,
        hint="check the population totals (are they reachable within the bounds?), "
        "widen the bounds or raise max_iter",
    )
