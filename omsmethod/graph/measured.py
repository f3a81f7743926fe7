"""Measured relations between subsystem scores: the empirical graph.

``empirical(scores)`` estimates a relation for every pair of subsystems (partial
correlation, correlation, or standardised regression along the model's directions),
with a bootstrap percentile interval, an analytic p-value and its Benjamini–Hochberg
correction. With ``unit=`` respondents are first averaged per branch, which is how
subsystems measured in *different* surveys (customer survey vs staff survey) can be
related: pass ``{"customer": customer_scores, "staff": staff_scores}``.

Examples
--------
>>> from omsmethod import datasets, graph, scoring
>>> scores = scoring.score(datasets.load("customer"), "customer")
>>> G = graph.empirical(scores, n_boot=200, seed=1)
>>> round(G.edges["customer", "brand"]["weight"], 3), G.edges["customer", "brand"]["significant"]
(0.321, True)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from ..model import SUBSYSTEMS
from ..validation import as_list, require_columns, require_dataframe, require_numeric
from . import kernels
from .structure import base_subsystem, model_of, names

__all__ = ["empirical", "unit_means", "edges_table", "METHODS"]

METHODS = ("partial_correlation", "correlation", "regression")
_EDGE_COLUMNS = [
    "source", "target", "weight", "ci_low", "ci_high", "se_boot", "p", "p_fdr",
    "significant", "n", "method", "level",
]


# -- the data behind a graph --------------------------------------------------------------
def _tables(scores) -> dict[str, pd.DataFrame]:
    if isinstance(scores, pd.DataFrame):
        return {"": scores}
    if isinstance(scores, Mapping):
        tables = {str(k): v for k, v in scores.items()}
    elif isinstance(scores, (list, tuple)):
        tables = {}
        for i, table in enumerate(scores):
            name = str(getattr(table, "attrs", {}).get("instrument") or f"survey{i + 1}")
            tables[name if name not in tables else f"{name}{i + 1}"] = table
    else:
        raise InputError(
            f"scores must be a DataFrame or a dict/list of DataFrames, got {type(scores).__name__}",
            hint="pass scoring.score(...) output, or {'customer': c, 'staff': s} with unit=",
        )
    if not tables:
        raise InputError("no score tables given", hint="pass at least one scoring.score(...) table")
    for name, table in tables.items():
        require_dataframe(table, f"scores[{name!r}]")
    return tables


def _subsystems(table: pd.DataFrame, wanted: list[str], what: str) -> list[str]:
    if wanted:
        present = [s for s in wanted if s in table.columns]
        return present
    return [s for s in SUBSYSTEMS if s in table.columns]


def _check_wanted(tables: dict, wanted: list[str]) -> None:
    columns = set().union(*(t.columns for t in tables.values()))
    unknown = [s for s in wanted if s not in columns]
    if unknown:
        raise InputError(
            "no score column for the subsystem", column=unknown[0], value=unknown[0],
            hint=f"subsystems measured here: {', '.join(s for s in SUBSYSTEMS if s in columns)}",
        )


def _weights(table: pd.DataFrame, weights, what: str) -> np.ndarray | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        require_columns(table, [weights], what)
        w = require_numeric(table, weights, allow_missing=False)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(table),):
            raise InputError(
                f"{what}: weights must have one value per row ({len(table)}), got shape {w.shape}",
                hint="pass the name of the weight column instead",
            )
    bad = ~(w > 0) | ~np.isfinite(w)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(
            f"{what}: weights must be positive", column=weights if isinstance(weights, str) else None,
            row=table.index[i], value=float(w[i]), hint="drop the row or fix its weight",
        )
    return w


def unit_means(scores, unit: str, weights=None, subsystems=None, min_size: int = 1) -> pd.DataFrame:
    """Subsystem means per unit (branch), one column per graph node.

    Parameters
    ----------
    scores : DataFrame, or dict / list of DataFrames
        :func:`omsmethod.scoring.score` output(s); a dict's keys name the surveys
        (a list uses each table's ``attrs["instrument"]``).
    unit : str
        Unit column, present in every table.
    weights : str, optional
        Weight column: weighted means ``sum(w x) / sum(w)`` over the respondents who
        have a score (missing scores are left out per subsystem).
    subsystems : list of str, optional
        Subsystem ids to keep (default: every subsystem column present).
    min_size : int
        Units with fewer respondents than this in any table are left out, with a
        warning (reports suppress cells below 5 respondents).

    Returns
    -------
    DataFrame
        Indexed by unit (the units present in **every** table), one column per node.
        A subsystem measured by more than one survey is prefixed with the survey name
        (``customer:brand`` and ``staff:brand``); one measured once keeps its id.
        ``n_<survey>`` columns count the respondents per unit (``n`` for one table).
        ``attrs["survey"]`` maps each node column to the survey it comes from.

    Examples
    --------
    >>> from omsmethod import datasets, graph, scoring
    >>> c = scoring.score(datasets.load("customer"), "customer")
    >>> s = scoring.score(datasets.load("staff"), "staff")
    >>> u = graph.unit_means({"customer": c, "staff": s}, unit="unit")
    >>> u.shape, "customer:brand" in u, "staff" in u
    ((30, 14), True, True)
    """
    tables = _tables(scores)
    wanted = as_list(subsystems)
    _check_wanted(tables, wanted)
    per_table = {}
    for name, table in tables.items():
        what = f"scores[{name!r}]" if name else "scores"
        require_columns(table, [unit], what)
        cols = _subsystems(table, wanted, what)
        w = _weights(table, weights, what)
        values = np.column_stack([require_numeric(table, c) for c in cols]) if cols else np.empty((len(table), 0))
        w = np.ones(len(table)) if w is None else w
        present = ~np.isnan(values)
        frame = pd.DataFrame(np.where(present, values * w[:, None], 0.0), columns=cols)
        denom = pd.DataFrame(present * w[:, None], columns=cols)
        keys = table[unit].to_numpy()
        if pd.isna(keys).any():
            row = table.index[int(np.argmax(pd.isna(keys)))]
            raise InputError(f"{what}: the unit is missing", column=unit, row=row,
                             hint="give every respondent a unit or drop the row")
        sums = frame.groupby(keys, sort=True).sum()
        dens = denom.groupby(keys, sort=True).sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / dens.where(dens > 0)
        means["n"] = pd.Series(keys).value_counts().reindex(means.index).to_numpy()
        per_table[name] = means
    counts = pd.Series([c for m in per_table.values() for c in m.columns if c != "n"]).value_counts()
    renamed, survey_of = [], {}
    for name, means in per_table.items():
        mapping = {c: (f"{name}:{c}" if counts.get(c, 0) > 1 else c) for c in means.columns if c != "n"}
        survey_of.update(dict.fromkeys(mapping.values(), name))
        mapping["n"] = f"n_{name}" if name else "n"
        renamed.append(means.rename(columns=mapping))
    merged = renamed[0]
    for other in renamed[1:]:
        merged = merged.join(other, how="inner")
    merged.index.name = unit
    counts_cols = [c for c in merged.columns if c == "n" or str(c).startswith("n_")]
    small = (merged[counts_cols] < min_size).any(axis=1)
    if small.any():
        import warnings

        from .waves import GraphWarning

        warnings.warn(
            f"{int(small.sum())} unit(s) with fewer than {min_size} respondents left out: "
            f"{', '.join(map(str, merged.index[small][:10]))}",
            GraphWarning, stacklevel=3,
        )
        merged = merged.loc[~small]
    nodes = [c for c in merged.columns if not str(c).startswith("n_") and c != "n"]
    out = merged[nodes + [c for c in merged.columns if c not in nodes]]
    out.attrs["survey"] = {c: survey_of[c] for c in nodes}
    return out


def _node_data(scores, unit, weights, subsystems, min_unit_size=5):
    """Complete rows of node scores, their weights and the level ('respondent'/'unit')."""
    tables = _tables(scores)
    if unit is not None:
        means = unit_means(tables, unit, weights, subsystems, min_size=min_unit_size)
        survey = dict(means.attrs["survey"])
        return means[list(survey)], None, "unit", survey
    if len(tables) > 1:
        raise InputError(
            "several score tables can only be related at the unit level",
            hint="pass unit='unit' (respondents of different surveys are different people)",
        )
    (name, table), = tables.items()
    _check_wanted(tables, as_list(subsystems))
    what = f"scores[{name!r}]" if name else "scores"
    cols = _subsystems(table, as_list(subsystems), what)
    w = _weights(table, weights, what)
    data = pd.DataFrame({c: require_numeric(table, c) for c in cols}, index=table.index)
    return data, w, "respondent", dict.fromkeys(cols, name)


def _check(data: pd.DataFrame, method: str, level: str) -> None:
    what = "units" if level == "unit" else "respondents"
    if data.shape[1] < 2:
        raise InputError(
            f"at least two subsystems are needed for a graph, found {list(data.columns)}",
            hint="score the responses with scoring.score and pass subsystem columns",
        )
    n = len(data)
    if n < 3:
        raise InputError(
            f"only {n} {what} have a score on every subsystem; at least 3 are needed",
            hint="check missing scores, or relate fewer subsystems (subsystems=[...])",
        )
    sd = data.std(ddof=1).to_numpy()
    if (~(sd > 0)).any():
        col = data.columns[int(np.argmax(~(sd > 0)))]
        raise InputError(
            f"the subsystem has zero variance over the {n} complete {what}",
            column=col, value=float(data[col].iloc[0]),
            hint="leave it out (subsystems=[...]); a constant score cannot be related",
        )
    if method != "correlation" and n < data.shape[1] + 2:
        raise InputError(
            f"{method} of {data.shape[1]} subsystems needs at least {data.shape[1] + 2} complete "
            f"{what}, found {n}",
            hint="use method='correlation' or fewer subsystems",
        )


def _directions(nodes: list[str], model) -> np.ndarray:
    """``targets[t, j]``: j predicts t (regression).

    Every node whose subsystem has a parent in the structural model (undirected
    relations read in the direction of the model file) is regressed on every other node
    that is not its structural descendant nor the same subsystem.
    """
    import networkx as nx

    from .structure import structural

    S = structural(model)
    bases = [base_subsystem(v) for v in nodes]
    present = set(bases)
    sub = S.subgraph(present).copy()
    targets = np.zeros((len(nodes), len(nodes)), dtype=bool)
    for t, bt in enumerate(bases):
        if bt not in sub or sub.in_degree(bt) == 0:
            continue
        below = nx.descendants(sub, bt)
        for j, bj in enumerate(bases):
            if bj != bt and bj not in below:
                targets[t, j] = True
    return targets


def _p_values(est: np.ndarray, method: str, n_eff: float, pairs, targets, s) -> np.ndarray:
    p_count = est.shape[0]
    if not pairs:
        return np.empty(0)
    if method in ("correlation", "partial_correlation"):
        i, j = np.array(pairs).T
        return kernels.t_test_p(est[i, j], n_eff - (2 if method == "correlation" else p_count))
    r, df = [], []
    for j, t in pairs:  # regression of t on its predictors: t-test of j's coefficient
        pred = np.flatnonzero(targets[t])
        keep = np.r_[t, pred]
        pc = kernels.partial_correlation(s[np.ix_(keep, keep)])
        r.append(pc[0, 1 + int(np.flatnonzero(pred == j)[0])])
        df.append(n_eff - len(pred) - 1)
    return kernels.t_test_p(np.array(r), np.array(df, dtype=float))


def empirical(
    scores,
    method: str = "partial_correlation",
    unit: str | None = None,
    weights=None,
    alpha: float = 0.05,
    n_boot: int = 1000,
    seed=None,
    subsystems=None,
    model=None,
    min_unit_size: int = 5,
):
    """Measured relations between subsystem scores as a graph.

    Parameters
    ----------
    scores : DataFrame, or dict / list of DataFrames
        :func:`omsmethod.scoring.score` output. Several tables (one per survey) need
        ``unit=``; see :func:`unit_means` for how their columns are named.
    method : {"partial_correlation", "correlation", "regression"}
        ``partial_correlation`` (default): each pair given all other subsystems;
        ``correlation``: Pearson; ``regression``: standardised coefficients of each
        subsystem the model says is influenced, along the model's directions.
    unit : str, optional
        Average respondents per unit (branch) first; units are then the observations
        (each unit counts once) and the bootstrap resamples units.
    weights : str or array, optional
        Survey weights: weighted covariance (respondent level) or weighted unit means.
    alpha : float
        Level of the intervals (``1 - alpha``) and of ``significant`` (``p_fdr < alpha``).
    n_boot : int
        Bootstrap resamples (0: no intervals).
    seed : int or Generator, optional
        Same seed, same intervals.
    subsystems : list of str, optional
        Subsystems to relate (default: all subsystem columns present).
    model : OMSModel or path, optional
        Gives names, layers and, for ``regression``, the directions.
    min_unit_size : int
        With ``unit=``: units with fewer respondents (in any table) are left out with a
        :class:`~omsmethod.graph.waves.GraphWarning` (default 5, the reports' minimum
        cell size).

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        ``Graph`` for correlations, ``DiGraph`` (predictor → subsystem) for regression.
        Every estimated pair is an edge with ``weight``, ``ci_low``, ``ci_high``,
        ``se_boot``, ``p``, ``p_fdr``, ``significant``, ``n``; nodes carry ``layer``,
        ``name_zh``, ``name_en``, ``subsystem``, ``survey`` (the dict key of the table it
        comes from; ``""`` for a single DataFrame), ``mean``, ``sd``.
        ``G.graph`` holds ``kind="empirical"``, ``method``, ``level``, ``n``, ``alpha``,
        ``n_boot``, ``n_failed`` and ``edges`` (the tidy edge table, also from
        :func:`edges_table`).

    Notes
    -----
    Rows with a missing score on any related subsystem are left out (listwise).
    p-values are analytic t-tests: correlation ``t = r sqrt((n-2)/(1-r^2))``; partial
    correlation the same on ``n - p`` degrees of freedom (``p`` subsystems, as
    ``pingouin.partial_corr``); regression coefficient ``j`` of target ``t`` with ``k``
    predictors on ``n - k - 1`` (via the partial correlation of ``t`` and ``j`` given
    the other predictors, which has the same ``t``). With weights, ``n`` in these
    formulas is Kish's effective sample size ``(sum w)^2 / sum w^2``. ``p_fdr`` is the
    Benjamini–Hochberg correction over the graph's edges. Intervals are bootstrap
    percentiles (rows resampled with replacement, weights carried along); resamples
    with a singular covariance are dropped and counted in ``n_failed``.

    Regression directions: a node whose subsystem has a parent in the structural model
    (undirected relations read as written in the model file, customer → brand, staff →
    value) is regressed on every other node that is neither its structural descendant
    nor the same subsystem; exogenous subsystems (education, pr, vis, ...) are not
    regressed. Two endogenous subsystems neither of which precedes the other (e.g.
    customer and staff) then predict each other: the graph has both arrows.

    References
    ----------
    Benjamini & Hochberg (1995) JRSS B 57, 289–300. Efron & Tibshirani (1993) *An
    Introduction to the Bootstrap*, ch. 13 (percentile intervals).

    Examples
    --------
    >>> from omsmethod import datasets, graph, scoring
    >>> scores = scoring.score(datasets.load("customer"), "customer")
    >>> G = graph.empirical(scores, method="correlation", n_boot=0)
    >>> graph.edges_table(G)[["source", "target", "weight"]].round(3).head(2)
         source   target  weight
    0  customer    brand   0.401
    1  customer  service   0.436
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}", value=method, hint=f"use one of: {', '.join(METHODS)}")
    if not 0 < alpha < 1:
        raise InputError("alpha must be between 0 and 1", value=alpha)
    if int(n_boot) < 0:
        raise InputError("n_boot must be 0 or more", value=n_boot)
    import networkx as nx

    m = model_of(model)
    data, w, level, survey_of = _node_data(scores, unit, weights, subsystems, min_unit_size)
    complete = data.notna().all(axis=1).to_numpy()
    data = data.loc[complete]
    w = None if w is None else w[complete]
    _check(data, method, level)
    nodes = list(data.columns)
    x = data.to_numpy(dtype=float)
    n = len(x)
    n_eff = n if w is None else float(w.sum() ** 2 / (w**2).sum())
    targets = _directions(nodes, m) if method == "regression" else None
    if targets is not None and not targets.any():
        raise InputError(
            f"regression: the model has no relation among {', '.join(nodes)} to give a direction",
            hint="use method='partial_correlation', or include a subsystem the model says they act on",
        )
    s = kernels.weighted_covariance(x, w)
    if np.linalg.matrix_rank(s) < len(nodes) and method != "correlation":
        raise InputError(
            "the subsystem scores are collinear (their covariance matrix is singular)",
            hint="leave out a subsystem that is a combination of others, or use method='correlation'",
        )
    est = kernels.relation_matrices(s, method, targets)
    if method == "regression":
        pairs = [(j, t) for t in range(len(nodes)) for j in range(len(nodes)) if targets[t, j]]
        value = lambda a, i, j: a[..., j, i]  # noqa: E731  beta[t, j] for edge j -> t
    else:
        pairs = [(i, j) for i in range(len(nodes)) for j in range(i + 1, len(nodes))]
        value = lambda a, i, j: a[..., i, j]  # noqa: E731
    weight = np.array([value(est, i, j) for i, j in pairs])
    p = _p_values(est, method, n_eff, pairs, targets, s)
    p_fdr = kernels.benjamini_hochberg(p)

    n_failed = 0
    low = high = se = np.full(len(pairs), np.nan)
    if n_boot > 0 and pairs:
        rng = np.random.default_rng(seed)
        boots = kernels.resample_covariances(x, int(n_boot), rng, w)
        with kernels.one_blas_thread(len(boots)), np.errstate(all="ignore"):
            ok = np.linalg.cond(boots) < 1e12 if method != "correlation" else np.ones(len(boots), bool)
            reps = kernels.relation_matrices(boots[ok], method, targets)
        n_failed = int((~ok).sum())
        draws = np.stack([value(reps, i, j) for i, j in pairs], axis=1)
        # nanpercentile works column by column; without NaN, percentile gives the same numbers at once
        percentile = np.nanpercentile if np.isnan(draws).any() else np.percentile
        low, high = percentile(draws, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
        se = np.nanstd(draws, axis=0, ddof=1)

    table = pd.DataFrame(
        {
            "source": [nodes[i] for i, _ in pairs],
            "target": [nodes[j] for _, j in pairs],
            "weight": weight, "ci_low": low, "ci_high": high, "se_boot": se,
            "p": p, "p_fdr": p_fdr, "significant": p_fdr < alpha, "n": n,
            "method": method, "level": level,
        },
        columns=_EDGE_COLUMNS,
    )
    G = (nx.DiGraph if method == "regression" else nx.Graph)()
    G.graph.update(
        kind="empirical", method=method, level=level, unit=unit or "", n=n, n_eff=n_eff,
        alpha=alpha, n_boot=int(n_boot), n_failed=n_failed, edges=table,
    )
    name_zh, name_en = names(m, "zh"), names(m, "en")
    for k, node in enumerate(nodes):
        base = base_subsystem(node)
        G.add_node(
            node, subsystem=base, survey=survey_of.get(node, ""),
            layer=m.layer_of.get(base, ""), name_zh=name_zh.get(base, base), name_en=name_en.get(base, base),
            mean=float(np.average(x[:, k], weights=w)), sd=float(np.sqrt(s[k, k])),
        )
    for row in table.to_dict("records"):
        attrs = {k: v for k, v in row.items() if k not in ("source", "target")}
        attrs["significant"] = bool(attrs["significant"])
        G.add_edge(row["source"], row["target"], **attrs)
    return G


def edges_table(G) -> pd.DataFrame:
    """The tidy edge table of a graph (one row per edge, its attributes as columns).

    For an empirical graph this is ``G.graph["edges"]`` (``source, target, weight,
    ci_low, ci_high, se_boot, p, p_fdr, significant, n, method, level``); for any other
    graph it is built from the edge attributes (the structural graph's ``source``
    attribute, the provenance, becomes the column ``provenance``).

    Examples
    --------
    >>> from omsmethod import graph
    >>> graph.edges_table(graph.structural())[["source", "target", "kind"]].head(2)
         source target     kind
    0  customer  brand  dynamic
    1     staff  value  dynamic
    """
    stored = G.graph.get("edges")
    if isinstance(stored, pd.DataFrame):
        return stored.copy()
    rename = {"source": "provenance", "target": "target_attribute"}
    rows = [
        {"source": a, "target": b, **{rename.get(k, k): v for k, v in d.items()}}
        for a, b, d in G.edges(data=True)
    ]
    return pd.DataFrame(rows, columns=None if rows else ["source", "target"])
