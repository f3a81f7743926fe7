"""The OMS method as data: layers, subsystems, relations and engagement phases.

The model lives in ``omsmethod/data/oms_model.yaml``; a consultant copies and edits it
(``omsmethod model copy my_model.yaml``) and passes the copy to :func:`load`.

Examples
--------
>>> from omsmethod import model
>>> m = model.load()
>>> list(m.subsystems["id"])
['customer', 'staff', 'brand', 'value', 'service', 'education', 'pr', 'vis', 'information']
>>> m.layer_of["vis"]
'control'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import yaml

from .errors import ModelError
from .files import read_yaml

__all__ = ["OMSModel", "load", "default_path", "SUBSYSTEMS", "LAYERS", "ENVIRONMENT"]

SUBSYSTEMS = (
    "customer",
    "staff",
    "brand",
    "value",
    "service",
    "education",
    "pr",
    "vis",
    "information",
)
LAYERS = ("core", "control", "external")
ENVIRONMENT = "environment"
_KINDS = ("dynamic", "functional", "supports", "tracking", "informs")
_SOURCES = ("patent", "inferred")


def default_path() -> Path:
    """Path of the bundled OMS model file."""
    return Path(__file__).resolve().parent / "data" / "oms_model.yaml"


@dataclass(frozen=True)
class OMSModel:
    """The OMS model: tables of layers, subsystems, relations, phases and categories.

    Attributes
    ----------
    layers : DataFrame
        ``id, name_zh, name_en, order, description_zh, description_en``.
    subsystems : DataFrame
        ``id, name_zh, name_en, layer, owner_zh, owner_en, description_zh, description_en,
        primary_survey`` (the survey whose answers give the headline score).
    relations : DataFrame
        ``from, to, kind, directed, source, quote, basis, reasoning``; ``source`` is the
        provenance (``"patent"`` or ``"inferred"``), ``quote`` the patent sentence for
        patent relations, ``basis`` the sentence an inferred relation rests on.
    phases : DataFrame
        One row per task: ``phase, order, name_zh, name_en, task_zh, task_en``.
    information_categories : DataFrame
        The six categories of claim 7: ``id, name_zh, name_en``.
    path : str
        The file the model was read from.
    """

    name: str
    version: str
    layers: pd.DataFrame
    subsystems: pd.DataFrame
    relations: pd.DataFrame
    phases: pd.DataFrame
    information_categories: pd.DataFrame
    path: str = field(default="")

    @cached_property
    def layer_of(self) -> dict[str, str]:
        """Subsystem id → layer id."""
        return dict(zip(self.subsystems["id"], self.subsystems["layer"], strict=True))

    @property
    def subsystem_ids(self) -> list[str]:
        return list(self.subsystems["id"])

    def subsystems_in(self, layer: str) -> list[str]:
        """Subsystem ids of one layer, in model order."""
        return [s for s, lay in self.layer_of.items() if lay == layer]

    def label(self, id_: str, lang: str = "en") -> str:
        """Display name of a subsystem, layer or information category in ``lang``."""
        column = "name_zh" if lang == "zh" else "name_en"
        for table in (self.subsystems, self.layers, self.information_categories):
            hit = table.loc[table["id"] == id_, column]
            if len(hit):
                return str(hit.iloc[0])
        if id_ == ENVIRONMENT:
            return "外部环境" if lang == "zh" else "Environment"
        return id_

    def labels(self, lang: str = "en") -> dict[str, str]:
        """Id → display name for every subsystem and layer."""
        ids = [*self.subsystems["id"], *self.layers["id"], ENVIRONMENT]
        return {i: self.label(i, lang) for i in ids}

    def _repr_html_(self) -> str:
        cols = ["id", "name_zh", "name_en", "layer", "owner_en"]
        return (
            f"<b>{self.name} model {self.version}</b> — {len(self.subsystems)} subsystems, "
            f"{len(self.relations)} relations<br>" + self.subsystems[cols].to_html(index=False)
        )


def _table(records: list[dict], columns: list[str], what: str, path: str) -> pd.DataFrame:
    if not isinstance(records, list) or not records:
        raise ModelError(f"the model has no {what}", file=path, hint=f"add a '{what}:' list")
    frame = pd.DataFrame(records)
    for column in columns:
        if column not in frame:
            frame[column] = None
    return frame[columns + [c for c in frame.columns if c not in columns]]


def _check_unique(frame: pd.DataFrame, what: str, path: str) -> None:
    duplicated = frame["id"][frame["id"].duplicated()]
    if len(duplicated):
        raise ModelError(
            f"duplicate {what} id",
            file=path,
            value=duplicated.iloc[0],
            hint=f"each {what} id must appear once",
        )


def load(path: str | Path | None = None) -> OMSModel:
    """Load and validate the OMS model.

    Parameters
    ----------
    path : str or Path, optional
        A copy of ``oms_model.yaml`` edited by a consultant. Default: the bundled model.

    Returns
    -------
    OMSModel

    Raises
    ------
    ModelError
        Unknown layer, a relation to a missing subsystem, a duplicate id, an unknown
        relation kind or provenance, or a patent relation without its quoted sentence.

    Examples
    --------
    >>> from omsmethod import model
    >>> m = model.load()
    >>> m.relations.query("source == 'patent'")[["from", "to", "kind"]].head(2)
           from     to     kind
    0  customer  brand  dynamic
    1     staff  value  dynamic
    """
    file = Path(path) if path is not None else default_path()
    where = str(file)
    try:
        raw = read_yaml(file)
    except FileNotFoundError:
        raise ModelError("model file not found", file=where, hint="check the path") from None
    except yaml.YAMLError as exc:
        raise ModelError(f"not valid YAML: {exc}", file=where) from None
    if not isinstance(raw, dict):
        raise ModelError("the model file must be a YAML mapping", file=where)

    layers = _table(
        raw.get("layers"),
        ["id", "name_zh", "name_en", "order", "description_zh", "description_en"],
        "layers",
        where,
    )
    _check_unique(layers, "layer", where)
    subsystems = _table(
        raw.get("subsystems"),
        ["id", "name_zh", "name_en", "layer", "owner_zh", "owner_en", "description_zh", "description_en",
         "primary_survey"],
        "subsystems",
        where,
    )
    _check_unique(subsystems, "subsystem", where)
    known_layers = set(layers["id"])
    for i, row in subsystems.iterrows():
        if row["layer"] not in known_layers:
            raise ModelError(
                f"subsystem {row['id']!r} has an unknown layer",
                file=where,
                row=i + 1,
                value=row["layer"],
                hint=f"use one of: {', '.join(sorted(known_layers))}",
            )
        for column in ("name_zh", "name_en"):
            if pd.isna(row[column]) or not str(row[column]).strip():
                raise ModelError(
                    f"subsystem {row['id']!r} has no {column}", file=where, column=column,
                    hint="every subsystem needs a Chinese and an English name",
                )

    relations = _table(
        raw.get("relations"),
        ["from", "to", "kind", "directed", "source", "quote", "basis", "reasoning"],
        "relations",
        where,
    )
    nodes = set(subsystems["id"]) | {ENVIRONMENT}
    for i, row in relations.iterrows():
        for end in ("from", "to"):
            if row[end] not in nodes:
                raise ModelError(
                    f"relation {i + 1} refers to a missing subsystem",
                    file=where,
                    column=end,
                    row=i + 1,
                    value=row[end],
                    hint=f"use one of: {', '.join(sorted(nodes))}",
                )
        if row["kind"] not in _KINDS:
            raise ModelError(
                f"relation {i + 1} has an unknown kind", file=where, column="kind", row=i + 1,
                value=row["kind"], hint=f"use one of: {', '.join(_KINDS)}",
            )
        if row["source"] not in _SOURCES:
            raise ModelError(
                f"relation {i + 1} must say where it comes from", file=where, column="source",
                row=i + 1, value=row["source"], hint="source: patent (with quote) or inferred",
            )
        if row["source"] == "patent" and (pd.isna(row["quote"]) or not str(row["quote"]).strip()):
            raise ModelError(
                f"patent relation {i + 1} has no quoted sentence", file=where, column="quote",
                row=i + 1, hint="add the sentence of the patent it comes from, or mark it inferred",
            )
    relations["directed"] = relations["directed"].fillna(True).astype(bool)

    phase_rows = []
    for phase in raw.get("phases") or []:
        for task in phase.get("tasks") or [{}]:
            phase_rows.append(
                {
                    "phase": phase.get("id"),
                    "order": phase.get("order"),
                    "name_zh": phase.get("name_zh"),
                    "name_en": phase.get("name_en"),
                    "task_zh": task.get("zh"),
                    "task_en": task.get("en"),
                }
            )
    phases = _table(phase_rows, ["phase", "order", "name_zh", "name_en", "task_zh", "task_en"], "phases", where)
    categories = _table(
        raw.get("information_categories"), ["id", "name_zh", "name_en"], "information_categories", where
    )
    _check_unique(categories, "information category", where)
    return OMSModel(
        name=str(raw.get("name", "OMS")),
        version=str(raw.get("version", "")),
        layers=layers.sort_values("order", kind="stable").reset_index(drop=True),
        subsystems=subsystems.reset_index(drop=True),
        relations=relations.reset_index(drop=True),
        phases=phases,
        information_categories=categories,
        path=where,
    )
