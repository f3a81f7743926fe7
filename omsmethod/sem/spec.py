"""Structural model specification: lavaan-style text or a table of paths → a checked model.

Syntax (a subset of lavaan's)::

    # measurement (outer) model: construct =~ items
    brand =~ b1 + b2 + b3
    # structural (inner) model: target ~ sources
    brand ~ customer + vis + pr
    # residual covariance (CB-SEM only)
    y1 ~~ y5

Lines may be split with ``;``; ``#`` starts a comment. A table with columns
``lhs, op, rhs`` (one row per path, ``op`` one of ``=~ ~ ~~``) is accepted too and is
what :func:`parse_model` returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import ModelError

__all__ = ["ModelSpec", "parse_model", "specify"]

_OPS = ("=~", "~~", "~")
_NAME = re.compile(r"^[A-Za-z_\u4e00-\u9fff][\w.\u4e00-\u9fff]*$")


def parse_model(text: str) -> pd.DataFrame:
    """Parse lavaan-style model text into a table of paths.

    Parameters
    ----------
    text : str
        Model lines ``lhs op rhs1 + rhs2 ...`` with ``op`` one of ``=~`` (is measured
        by), ``~`` (is regressed on) and ``~~`` (covaries with).

    Returns
    -------
    pandas.DataFrame
        Columns ``lhs, op, rhs``; one row per path in the order written.

    Examples
    --------
    >>> parse_model("brand =~ b1 + b2; brand ~ customer  # comment")
         lhs  op       rhs
    0  brand  =~        b1
    1  brand  =~        b2
    2  brand   ~  customer
    """
    return pd.DataFrame(_parse_rows(text), columns=["lhs", "op", "rhs"])


def _parse_rows(text: str) -> list[tuple[str, str, str]]:
    """``(lhs, op, rhs)`` per path of model text (see :func:`parse_model`)."""
    if not isinstance(text, str):
        raise ModelError(f"a model must be a string or a table, got {type(text).__name__}")
    rows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        for statement in raw.split("#", 1)[0].split(";"):
            statement = statement.strip()
            if not statement:
                continue
            op = next((o for o in _OPS if o in statement), None)
            if op is None:
                raise ModelError(
                    f"line {number}: {statement!r} has no operator",
                    value=statement,
                    hint="write 'construct =~ item1 + item2' or 'target ~ source1 + source2'",
                )
            lhs, rhs = (part.strip() for part in statement.split(op, 1))
            terms = [t.strip() for t in rhs.split("+")]
            for name in [lhs, *terms]:
                if not _NAME.match(name):
                    raise ModelError(
                        f"line {number}: {name!r} is not a variable name",
                        value=name,
                        hint="names are letters, digits, '_' or '.'; modifiers like 1*x are "
                        "not supported (the first loading is the marker)",
                    )
            rows.extend((lhs, op, t) for t in terms)
    if not rows:
        raise ModelError("the model text has no paths", hint="write at least 'construct =~ item'")
    return rows


@dataclass(frozen=True)
class ModelSpec:
    """A checked model: constructs, their items, structural paths and residual covariances.

    Attributes
    ----------
    measurement : DataFrame ``construct, item`` (outer model, in order)
    structural : DataFrame ``source, target`` (inner model)
    covariances : DataFrame ``lhs, rhs`` (``~~`` lines; used by CB-SEM only)
    constructs : tuple of construct names, in order of first appearance
    """

    measurement: pd.DataFrame
    structural: pd.DataFrame
    covariances: pd.DataFrame
    constructs: tuple

    @cached_property
    def items(self) -> tuple:
        return tuple(self.measurement["item"])

    @cached_property
    def _items_by_construct(self) -> dict:
        out: dict = {}
        for c, i in zip(self.measurement["construct"], self.measurement["item"], strict=True):
            out.setdefault(c, []).append(i)
        return out

    def items_of(self, construct: str) -> list[str]:
        return list(self._items_by_construct.get(construct, []))

    @cached_property
    def block(self) -> np.ndarray:
        """Index of the construct of each item (length p)."""
        index = {c: j for j, c in enumerate(self.constructs)}
        return np.array([index[c] for c in self.measurement["construct"]], dtype=int)

    @cached_property
    def item_mask(self) -> np.ndarray:
        """p × k 0/1 matrix: item i measures construct j."""
        mask = np.zeros((len(self.items), len(self.constructs)))
        mask[np.arange(len(self.items)), self.block] = 1.0
        return mask

    @cached_property
    def path_mask(self) -> np.ndarray:
        """k × k 0/1 matrix: ``[i, j] = 1`` when construct i → construct j."""
        index = {c: j for j, c in enumerate(self.constructs)}
        mask = np.zeros((len(self.constructs),) * 2)
        for s, t in zip(self.structural["source"], self.structural["target"], strict=False):
            mask[index[s], index[t]] = 1.0
        return mask

    @cached_property
    def endogenous(self) -> tuple:
        return tuple(c for j, c in enumerate(self.constructs) if self.path_mask[:, j].any())

    def antecedents(self, construct: str) -> list[str]:
        j = self.constructs.index(construct)
        return [c for i, c in enumerate(self.constructs) if self.path_mask[i, j]]

    def to_table(self) -> pd.DataFrame:
        """The model as a ``lhs, op, rhs`` table (the inverse of :func:`specify`)."""
        parts = [
            pd.DataFrame({"lhs": self.measurement["construct"], "op": "=~", "rhs": self.measurement["item"]}),
            pd.DataFrame({"lhs": self.structural["target"], "op": "~", "rhs": self.structural["source"]}),
            pd.DataFrame({"lhs": self.covariances["lhs"], "op": "~~", "rhs": self.covariances["rhs"]}),
        ]
        return pd.concat(parts, ignore_index=True)

    def to_text(self) -> str:
        """The model as lavaan-style text."""
        lines = [f"{c} =~ {' + '.join(self.items_of(c))}" for c in self.constructs]
        for c in self.endogenous:
            lines.append(f"{c} ~ {' + '.join(self.antecedents(c))}")
        lines += [f"{a} ~~ {b}" for a, b in zip(self.covariances["lhs"], self.covariances["rhs"], strict=False)]
        return "\n".join(lines)


def _as_table(model) -> pd.DataFrame:
    if isinstance(model, ModelSpec):
        return model.to_table()
    if isinstance(model, pd.DataFrame):
        missing = [c for c in ("lhs", "op", "rhs") if c not in model.columns]
        if missing:
            raise ModelError(
                f"a model table needs columns lhs, op, rhs; missing {', '.join(missing)}",
                column=missing[0],
                hint="one row per path, e.g. lhs='brand', op='=~', rhs='b1'",
            )
        table = model[["lhs", "op", "rhs"]].astype(str).apply(lambda s: s.str.strip())
        bad = ~table["op"].isin(_OPS)
        if bad.any():
            row = bad.idxmax()
            raise ModelError(
                "unknown operator", column="op", row=row, value=table.loc[row, "op"],
                hint="use '=~' (measured by), '~' (regressed on) or '~~' (covaries with)",
            )
        return table.reset_index(drop=True)
    return parse_model(model)


def _find_cycle(constructs, path_mask) -> list[str] | None:
    """Return one directed cycle (as a list of names) or None."""
    k = len(constructs)
    state = [0] * k  # 0 unseen, 1 on stack, 2 done
    stack: list[int] = []

    def visit(i):
        state[i] = 1
        stack.append(i)
        for j in np.flatnonzero(path_mask[i]):
            if state[j] == 1:
                return [constructs[x] for x in stack[stack.index(j):]] + [constructs[j]]
            if state[j] == 0:
                found = visit(j)
                if found:
                    return found
        stack.pop()
        state[i] = 2
        return None

    for i in range(k):
        if state[i] == 0:
            found = visit(i)
            if found:
                return found
    return None


def specify(model, columns=None, *, acyclic: bool = True) -> ModelSpec:
    """Check a model (text, table or :class:`ModelSpec`) against the data's columns.

    Parameters
    ----------
    model : str, DataFrame or ModelSpec
        lavaan-style text or a ``lhs, op, rhs`` table.
    columns : sequence of str, optional
        Column names of the responses; every item must be one of them.
    acyclic : bool
        Require the structural model to have no directed cycle (PLS path models).

    Returns
    -------
    ModelSpec

    Raises
    ------
    ModelError
        Unknown item, an item in two constructs, a structural path naming a construct
        with no items, a regression of a construct on itself, or a cycle.

    Examples
    --------
    >>> spec = specify("A =~ a1 + a2\\nB =~ b1 + b2\\nB ~ A")
    >>> spec.constructs, spec.endogenous
    (('A', 'B'), ('B',))
    """
    if isinstance(model, str):
        rows = _parse_rows(model)
    else:
        table = _as_table(model)
        rows = list(zip(table["lhs"], table["op"], table["rhs"], strict=True))
    meas = [(lhs, rhs) for lhs, op, rhs in rows if op == "=~"]
    struct = [(lhs, rhs) for lhs, op, rhs in rows if op == "~"]
    cov = [(lhs, rhs) for lhs, op, rhs in rows if op == "~~"]
    if not meas:
        raise ModelError("the model has no measurement lines", hint="add 'construct =~ item1 + item2'")
    constructs = tuple(dict.fromkeys(lhs for lhs, _ in meas))
    items = [rhs for _, rhs in meas]
    seen: set = set()
    for item in items:
        if item in seen:
            owners = [lhs for lhs, rhs in meas if rhs == item]
            raise ModelError(
                f"item {item!r} measures more than one construct ({', '.join(owners)})",
                value=item,
                hint="each item belongs to one construct",
            )
        seen.add(item)
    clash = [c for c in constructs if c in seen]
    if clash:
        raise ModelError(
            f"{clash[0]!r} is both a construct and an item",
            value=clash[0],
            hint="higher-order constructs are not supported; give items their own names",
        )
    if columns is not None:
        known = set(map(str, columns))
        unknown = [i for i in items if i not in known]
        if unknown:
            raise ModelError(
                f"item {unknown[0]!r} is not a column of the responses"
                + (f" (also: {', '.join(unknown[1:6])})" if len(unknown) > 1 else ""),
                column=unknown[0],
                hint="check the spelling in the model or the responses' header",
            )
    for name in [lhs for lhs, _ in struct] + [rhs for _, rhs in struct]:
        if name not in constructs:
            raise ModelError(
                f"structural path names {name!r}, a construct with no items",
                value=name,
                hint=f"add a line '{name} =~ item1 + item2' or fix the name "
                f"(constructs: {', '.join(constructs)})",
            )
    self_loop = [lhs for lhs, rhs in struct if lhs == rhs]
    if self_loop:
        raise ModelError(f"construct {self_loop[0]!r} is regressed on itself", value=self_loop[0])
    paths = list(dict.fromkeys((rhs, lhs) for lhs, rhs in struct))  # (source, target), first occurrence
    measured = seen | set(constructs)
    for name in [lhs for lhs, _ in cov] + [rhs for _, rhs in cov]:
        if name not in measured:
            raise ModelError(f"covariance names {name!r}, which is neither an item nor a construct",
                             value=name)
    def column(values, dtype=object):
        return pd.Series(values, dtype=str) if dtype == "str" else np.array(values, dtype=object)

    spec = ModelSpec(
        measurement=pd.DataFrame({"construct": column([c for c, _ in meas]), "item": column(items)}),
        structural=pd.DataFrame({"source": column([a for a, _ in paths]),
                                 "target": column([b for _, b in paths])}),
        covariances=pd.DataFrame({"lhs": column([a for a, _ in cov], "str"),
                                  "rhs": column([b for _, b in cov], "str")}),
        constructs=constructs,
    )
    if acyclic:
        cycle = _find_cycle(constructs, spec.path_mask)
        if cycle:
            raise ModelError(
                f"the structural model has a cycle: {' → '.join(cycle)}",
                value=cycle[0],
                hint="PLS path models must be recursive; drop or reverse one of these paths",
            )
    return spec
