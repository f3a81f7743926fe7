"""From responses (+ instrument, + model) to the checked numeric block the engines use.

Default model
-------------
With no ``model``, the outer model is the instrument's Likert items grouped by
subsystem and the inner model comes from the OMS model's relations
(``omsmethod.model.load().relations``) between two subsystems the instrument measures:

* a directed relation (``directed`` true: functional, supports, informs…) is a path
  ``from → to``;
* an undirected ("dynamic") pair is oriented as written in the model file
  (``from → to``: customer → brand, staff → value — the direction in which
  ``omsmethod.datasets`` plants them), unless :data:`UNDIRECTED_ORIENTATION` (empty by
  default) names another direction for the pair; a consultant who reads the pair the
  other way (e.g. brand image → customer satisfaction, as Image → Satisfaction in the
  ECSI model) swaps ``from``/``to`` in a copy of the model file or passes ``model=``;
* relations to the external environment (not a measured subsystem) are left out;
* the result must be acyclic (checked; a ModelError names the cycle otherwise).

Missing data
------------
``missing="mean"`` (default, as SmartPLS and seminr): a missing answer is replaced by
the item's mean; a respondent who answered none of a construct's items cannot be
scored and raises InputError (use ``missing="listwise"`` or drop the row).
``missing="listwise"`` drops every respondent with a missing item (or weight).
Reverse-coded items of the instrument are recoded first: x' = min + max − x.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError, ModelError
from ..validation import require_dataframe, require_numeric
from .spec import ModelSpec, specify

__all__ = ["Prepared", "prepare", "default_model", "UNDIRECTED_ORIENTATION"]

#: Direction for undirected OMS pairs, ``{frozenset((a, b)): (source, target)}``; empty:
#: pairs keep the model file's ``from → to``.
UNDIRECTED_ORIENTATION: dict = {}


@dataclass(frozen=True)
class Prepared:
    """Checked numeric input: items (recoded, missing handled), weights, model."""

    spec: ModelSpec
    x: np.ndarray  # n × p, columns in spec.items order
    weights: np.ndarray | None
    index: pd.Index  # respondent labels kept
    scale_min: np.ndarray  # per item (observed min when the scale is unknown)
    scale_max: np.ndarray
    n_dropped: int
    missing: str


def _stamp(path) -> tuple:
    """(path, mtime, size) of a file, to reuse what was built from it while it is unchanged."""
    try:
        st = os.stat(path)
    except OSError:
        return (str(path), None, None)
    return (str(path), st.st_mtime_ns, st.st_size)


_CACHE: dict = {}


def _cached(key, build):
    if key not in _CACHE:
        if len(_CACHE) > 32:
            _CACHE.clear()
        _CACHE[key] = build()
    return _CACHE[key]


def _instrument(instrument):
    """A loaded instrument; a bundled name or path is loaded once while its files are unchanged."""
    if instrument is None or not isinstance(instrument, str):
        return instrument
    from .. import instrument as instrument_module

    try:
        path = instrument_module._resolve(instrument)
    except Exception:  # let load() raise its own error
        return instrument_module.load(instrument)
    key = ("instrument", _stamp(path), _stamp(path.parent / "_scales.yaml"),
           _stamp(instrument_module.questionnaires_dir() / "_scales.yaml"))
    return _cached(key, lambda: instrument_module.load(instrument))


def _oms_model():
    """The bundled OMS model, read once: the graph module's copy (the report has loaded it
    for the subsystem graphs by the time it fits the SEM)."""
    from ..graph.structure import model_of

    return model_of(None)


def default_model(instrument, oms_model=None) -> str:
    """Model text of the default OMS structural model for an instrument.

    Parameters
    ----------
    instrument : Instrument or str
        Its Likert items grouped by subsystem form the outer model.
    oms_model : OMSModel, optional
        Defaults to ``omsmethod.model.load()``.

    Returns
    -------
    str
        lavaan-style text (measurement lines, then one regression line per target).

    Examples
    --------
    >>> print(default_model("customer").splitlines()[-1])
    brand ~ customer + service + pr + vis
    """
    inst = _instrument(instrument)
    oms = oms_model if oms_model is not None else _oms_model()
    table = inst.items
    by_subsystem: dict = {}
    for item, kind, subsystem in zip(table["item"], table["kind"], table["subsystem"], strict=True):
        if kind == "likert" and not pd.isna(subsystem):
            by_subsystem.setdefault(subsystem, []).append(str(item))
    measured = list(by_subsystem)
    if not measured:
        raise ModelError("the instrument has no Likert items grouped by subsystem",
                         hint="pass model= with 'construct =~ items' lines")
    lines = [f"{s} =~ {' + '.join(by_subsystem[s])}" for s in measured]
    edges: list[tuple[str, str]] = []
    rel = oms.relations
    directed_col = rel["directed"] if "directed" in rel.columns else pd.Series(True, index=rel.index)
    for a, b, directed in zip(rel["from"], rel["to"], directed_col, strict=False):
        if a not in measured or b not in measured:
            continue
        if not bool(directed):
            a, b = UNDIRECTED_ORIENTATION.get(frozenset((a, b)), (a, b))
        if (a, b) not in edges:
            edges.append((a, b))
    for target in measured:
        sources = [a for a, b in edges if b == target]
        if sources:
            lines.append(f"{target} ~ {' + '.join(sources)}")
    return "\n".join(lines)


def _weights(responses: pd.DataFrame, weights) -> np.ndarray | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in responses.columns:
            raise InputError(f"no weight column {weights!r}", column=weights,
                             hint="pass the name of a column of survey weights")
        w = pd.to_numeric(responses[weights], errors="coerce").to_numpy(float)
        column = weights
    else:
        w = np.asarray(weights, dtype=float)
        column = "weights"
        if w.shape != (len(responses),):
            raise InputError(f"weights has {w.size} values for {len(responses)} respondents",
                             hint="give one weight per row of responses")
    bad = ~(w > 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError("survey weights must be positive numbers", column=column,
                         row=responses.index[i], value=w[i], hint="fix or drop the row")
    return w


def _item_matrix(responses: pd.DataFrame, items: list) -> np.ndarray:
    """The item columns as a float (n, p) array; a non-number raises as ``require_numeric``."""
    out = np.empty((len(responses), len(items)))
    for j, c in enumerate(items):
        column = responses[c]
        dtype = getattr(column, "dtype", None)
        if isinstance(dtype, np.dtype) and dtype.kind in "fiu":  # plain numbers: nothing to check
            out[:, j] = column.to_numpy()
        else:
            out[:, j] = require_numeric(responses, c)
    return out


def _scale_meta(table: pd.DataFrame) -> dict:
    """Item → (scale_min, scale_max, reverse) from an instrument's items table."""

    def bounds(column):
        if column not in table:
            return np.full(len(table), np.nan)
        return pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    rev = table["reverse"].tolist() if "reverse" in table else [False] * len(table)
    return {item: (a, b, r)
            for item, a, b, r in zip(table["item"], bounds("scale_min"), bounds("scale_max"), rev, strict=True)}


def prepare(responses, instrument=None, model=None, weights=None, missing="mean",
            acyclic=True, n_params=None) -> Prepared:
    """Check and assemble the numeric input of a SEM fit (see the module notes)."""
    require_dataframe(responses, "responses")
    if missing not in ("mean", "listwise"):
        raise InputError(f"missing must be 'mean' or 'listwise', not {missing!r}", value=missing)
    inst = _instrument(instrument)
    if model is None:
        if inst is None:
            raise ModelError("give an instrument (for the default OMS model) or a model",
                             hint="sem.fit(responses, 'customer') or model='A =~ a1 + a2 ...'")
        model = default_model(inst)
    spec = specify(model, responses.columns, acyclic=acyclic)
    items = list(spec.items)
    x = _item_matrix(responses, items)
    lo = np.full(len(items), np.nan)
    hi = np.full(len(items), np.nan)
    if inst is not None:
        meta = _scale_meta(inst.items)
        for j, c in enumerate(items):
            if c in meta:
                lo[j], hi[j], reverse = meta[c]
                if bool(reverse) and np.isfinite(lo[j]) and np.isfinite(hi[j]):
                    x[:, j] = lo[j] + hi[j] - x[:, j]
    w = _weights(responses, weights)
    n0 = len(x)
    index = responses.index
    if missing == "listwise":
        keep = ~np.isnan(x).any(axis=1)
        x, index, w = x[keep], index[keep], (None if w is None else w[keep])
        if len(x) == 0:
            raise InputError("no respondent answered every item of the model",
                             hint="use missing='mean'")
    else:
        na = np.isnan(x)
        if na.any():
            for c in spec.constructs:
                cols = [items.index(i) for i in spec.items_of(c)]
                empty = na[:, cols].all(axis=1)
                if empty.any():
                    row = index[int(np.argmax(empty))]
                    raise InputError(
                        f"respondent answered none of the items of construct {c!r} "
                        f"({', '.join(spec.items_of(c))}); {int(empty.sum())} such respondent(s)",
                        row=row,
                        column=spec.items_of(c)[0],
                        hint="drop these respondents or use missing='listwise'",
                    )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing item: NaN mean
                mean = np.nanmean(x, axis=0)
            x = np.where(na, mean, x)
    sd = x.std(axis=0)
    flat = np.flatnonzero(~(sd > 0))
    if flat.size:
        c = items[flat[0]]
        raise InputError("item has zero variance (every respondent gave the same answer)",
                         column=c, value=x[0, flat[0]],
                         hint="drop the item from the model; it cannot measure a construct")
    n_par = n_params(spec) if callable(n_params) else (n_params or 0)
    if len(x) <= max(n_par, 2):
        raise InputError(
            f"{len(x)} respondents for a model with {n_par} parameters",
            value=len(x),
            hint="collect more responses or simplify the model (fewer items or paths)",
        )
    lo = np.where(np.isfinite(lo), lo, x.min(axis=0))
    hi = np.where(np.isfinite(hi), hi, x.max(axis=0))
    return Prepared(spec, x, w, index, lo, hi, n0 - len(x), missing)


def check_positive_definite(r: np.ndarray, items) -> None:
    """Raise InputError when an item correlation (or covariance) matrix is not positive definite."""
    try:
        np.linalg.cholesky(r)
        return
    except np.linalg.LinAlgError:
        pass
    d = np.sqrt(np.diag(r))
    c = r / np.outer(d, d)
    np.fill_diagonal(c, 0)
    i, j = np.unravel_index(np.argmax(np.abs(c)), c.shape)
    raise InputError(
        "the items' covariance matrix is not positive definite (linearly dependent items); "
        f"the strongest pair is {items[i]!r}–{items[j]!r} (r = {c[i, j]:.6f})",
        column=items[i],
        hint="drop one of a duplicated or derived item, or collect more respondents than items",
    )
