"""Questionnaires: the bilingual instrument model, its YAML files and XLSForm.

An instrument is a YAML file in ``questionnaires/`` (or a path): sections of items, each
item with an id, a kind (``likert``, ``importance``, ``rating``, ``nps``, ``text``,
``select_one``), the subsystem it measures, an answer scale, a reverse-coded flag and its
text in Chinese and English. Reading fielded responses lives in
:mod:`omsmethod.responses` (re-exported here as :func:`read_responses`), XLSForm in
:mod:`omsmethod.xlsform` (:meth:`Instrument.to_xlsform`, :func:`from_xlsform`).

Examples
--------
>>> from omsmethod import instrument
>>> customer = instrument.load("customer")
>>> customer.likert_items("service")
['ser1', 'ser2', 'ser3', 'ser4', 'ser5']
>>> cus4 = customer.items.set_index("item").loc["cus4"]
>>> cus4["subsystem"], bool(cus4["reverse"]), int(cus4["scale_max"])
('customer', True, 5)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import yaml

from .errors import ModelError  # noqa: F401  (re-exported for callers)
from .files import read_yaml

__all__ = [
    "Instrument",
    "Scale",
    "load",
    "available",
    "questionnaires_dir",
    "from_xlsform",
    "read_responses",
    "SCORED_KINDS",
]

KINDS = ("likert", "importance", "rating", "nps", "text", "select_one", "integer")
#: Kinds answered on a numeric scale (validated against scale_min..scale_max).
SCORED_KINDS = ("likert", "importance", "rating", "nps", "integer")
ITEM_COLUMNS = [
    "item",
    "section",
    "kind",
    "subsystem",
    "scale",
    "scale_min",
    "scale_max",
    "reverse",
    "text_zh",
    "text_en",
    "segment",
    "source",
    "choices",
]


def questionnaires_dir() -> Path:
    """Folder of the bundled questionnaires (inside the package when installed)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "questionnaires", here.parent / "questionnaires"):
        if candidate.is_dir():
            return candidate
    return here.parent / "questionnaires"


def available() -> list[str]:
    """Names of the bundled instruments."""
    return sorted(p.stem for p in questionnaires_dir().glob("[!_]*.yaml"))


@dataclass(frozen=True)
class Scale:
    """An answer scale: integer points ``min..max`` with optional zh/en labels."""

    name: str
    min: int
    max: int
    labels: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def points(self) -> list[int]:
        return list(range(self.min, self.max + 1))

    def label(self, point: int, lang: str = "en") -> str:
        return self.labels.get(point, {}).get(lang, str(point))


@dataclass(frozen=True)
class Instrument:
    """A questionnaire.

    Attributes
    ----------
    id, version : str
    title, intro : dict
        ``{"zh": ..., "en": ...}``.
    respondent_id : str
        Column that identifies a respondent in response files.
    metadata : list of str
        Non-question columns a response file may carry (unit, wave, date, ...).
    sections : DataFrame
        ``id, title_zh, title_en``.
    items : DataFrame
        One row per item; columns ``item, section, kind, subsystem, scale, scale_min,
        scale_max, reverse, text_zh, text_en, segment, source, choices``.
    scales : dict of Scale
    sources : dict
        Source key → citation of the scale the items are based on.
    """

    id: str
    version: str
    title: dict
    intro: dict
    respondent_id: str
    metadata: list[str]
    sections: pd.DataFrame
    items: pd.DataFrame
    scales: dict[str, Scale]
    sources: dict[str, str]
    path: str = ""

    # -- queries -------------------------------------------------------------------
    @cached_property
    def by_id(self) -> pd.DataFrame:
        """``items`` indexed by item id (built once; treat it as read-only)."""
        return self.items.set_index("item")

    @cached_property
    def _likert_by_subsystem(self) -> dict[str | None, tuple[str, ...]]:
        rows = self.items[self.items["kind"] == "likert"]
        found: dict[str | None, tuple[str, ...]] = {None: tuple(rows["item"])}
        for subsystem, group in rows.groupby("subsystem", sort=False):
            found[subsystem] = tuple(group["item"])
        return found

    def likert_items(self, subsystem: str | None = None) -> list[str]:
        """Ids of the Likert items (optionally of one subsystem), in file order."""
        return list(self._likert_by_subsystem.get(subsystem, ()))

    def importance_items(self) -> dict[str, str]:
        """Subsystem → id of the item asking its importance (for IPA)."""
        rows = self.items[self.items["kind"] == "importance"]
        return dict(zip(rows["subsystem"], rows["item"], strict=True))

    @property
    def subsystems(self) -> list[str]:
        """Subsystems measured by Likert items, in the order of the OMS model."""
        from .model import SUBSYSTEMS

        measured = set(self.items.loc[self.items["kind"] == "likert", "subsystem"])
        return [s for s in SUBSYSTEMS if s in measured] + sorted(measured - set(SUBSYSTEMS))

    @property
    def segments(self) -> list[str]:
        """Ids of the segmentation questions (geographic, value, psychological, demographic)."""
        return list(self.items.loc[self.items["segment"].notna(), "item"])

    @property
    def scored_items(self) -> list[str]:
        return list(self.items.loc[self.items["kind"].isin(SCORED_KINDS), "item"])

    def scale_of(self, item: str) -> Scale:
        return self.scales[self.by_id.at[item, "scale"]]

    def choice_label(self, item: str, value, lang: str = "en") -> str:
        """Display label of a ``select_one`` answer (the value itself when unknown)."""
        choices = self.by_id.at[item, "choices"]
        for choice in choices if isinstance(choices, list) else []:
            if choice["value"] == str(value):
                return str(choice.get(lang) or value)
        return str(value)

    def item_text(self, item: str, lang: str = "en") -> str:
        return str(self.by_id.at[item, f"text_{lang}"])

    # -- persistence ---------------------------------------------------------------
    def to_dict(self) -> dict:
        """The full definition as plain data (YAML/JSON serialisable)."""
        sections = []
        for _, sec in self.sections.iterrows():
            rows = self.items[self.items["section"] == sec["id"]]
            items = []
            for _, r in rows.iterrows():
                entry = {"id": r["item"], "type": r["kind"]}
                for key in ("subsystem", "scale", "segment", "source"):
                    if isinstance(r[key], str) and r[key]:
                        entry[key] = r[key]
                if r["reverse"]:
                    entry["reverse"] = True
                entry["text"] = {"zh": r["text_zh"], "en": r["text_en"]}
                if isinstance(r["choices"], list):
                    entry["choices"] = r["choices"]
                items.append(entry)
            sections.append(
                {"id": sec["id"], "title": {"zh": sec["title_zh"], "en": sec["title_en"]}, "items": items}
            )
        return {
            "id": self.id,
            "version": self.version,
            "title": dict(self.title),
            "intro": dict(self.intro),
            "respondent_id": self.respondent_id,
            "metadata": list(self.metadata),
            "sources": dict(self.sources),
            "scales": {
                name: {"min": s.min, "max": s.max, "labels": {k: dict(v) for k, v in s.labels.items()}}
                for name, s in self.scales.items()
            },
            "sections": sections,
        }

    def checksum(self) -> str:
        """SHA-256 of the definition: equal checksums mean the same questionnaire."""
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_xlsform(self, path: str | Path) -> Path:
        """Write the instrument as an XLSForm workbook (ODK / KoboToolbox).

        See :func:`omsmethod.xlsform.write_xlsform`.
        """
        from .xlsform import write_xlsform

        return write_xlsform(self, path)

    def _repr_html_(self) -> str:
        counts = self.items.groupby("kind").size().to_dict()
        head = (
            f"<b>{self.title.get('en', self.id)} / {self.title.get('zh', '')}</b> "
            f"(version {self.version}): {len(self.items)} items {counts}"
        )
        cols = ["item", "kind", "subsystem", "scale", "reverse", "text_zh", "text_en"]
        return head + self.items[cols].to_html(index=False)


# -- loading ----------------------------------------------------------------------------
def _scales_from(raw: dict, where: str) -> dict[str, Scale]:
    scales = {}
    for name, spec in (raw or {}).items():
        try:
            lo, hi = int(spec["min"]), int(spec["max"])
        except (KeyError, TypeError, ValueError):
            raise ModelError(
                "a scale needs integer 'min' and 'max'", file=where, value=name
            ) from None
        if hi <= lo:
            raise ModelError("scale max must exceed min", file=where, value=name)
        labels = {int(k): dict(v) for k, v in (spec.get("labels") or {}).items()}
        scales[name] = Scale(name, lo, hi, labels)
    return scales


def _resolve(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    bundled = questionnaires_dir() / f"{name_or_path}.yaml"
    if bundled.exists():
        return bundled
    raise ModelError(
        f"no questionnaire named {str(name_or_path)!r}",
        value=str(name_or_path),
        hint=f"use one of {', '.join(available())} or a path to a .yaml file",
    )


def load(name_or_path: str | Path) -> Instrument:
    """Load and validate a questionnaire.

    Parameters
    ----------
    name_or_path : str or Path
        A bundled name (``"customer"``, ``"staff"``, ``"partner"``) or a YAML path.

    Returns
    -------
    Instrument

    Raises
    ------
    ModelError
        Duplicate item id, unknown subsystem / scale / kind, a Likert item without a
        subsystem, missing Chinese or English text.

    Examples
    --------
    >>> from omsmethod import instrument
    >>> staff = instrument.load("staff")
    >>> staff.subsystems
    ['staff', 'brand', 'value', 'service', 'education', 'information']
    """
    path = _resolve(name_or_path)
    where = str(path)
    try:
        raw = read_yaml(path)
    except FileNotFoundError:
        raise ModelError("questionnaire file not found", file=where) from None
    except yaml.YAMLError as exc:
        raise ModelError(f"not valid YAML: {exc}", file=where) from None
    if not isinstance(raw, dict) or "sections" not in raw:
        raise ModelError("a questionnaire needs 'id' and 'sections'", file=where)
    shared = path.parent / "_scales.yaml"
    if not shared.exists():
        shared = questionnaires_dir() / "_scales.yaml"
    scales = _scales_from(read_yaml(shared) if shared.exists() else {}, str(shared))
    scales.update(_scales_from(raw.get("scales"), where))
    return _build(raw, scales, where)


def from_dict(raw: dict, path: str = "") -> Instrument:
    """Rebuild an instrument from :meth:`Instrument.to_dict` output (e.g. stored in a workspace)."""
    return _build(raw, _scales_from(raw.get("scales"), path), path)


def _build(raw: dict, scales: dict[str, Scale], where: str) -> Instrument:
    from .model import SUBSYSTEMS

    rows, sections, seen = [], [], set()
    for section in raw["sections"]:
        title = section.get("title") or {}
        sections.append({"id": section.get("id"), "title_zh": title.get("zh"), "title_en": title.get("en")})
        for entry in section.get("items") or []:
            item = entry.get("id")
            if not item or not str(item).isidentifier():
                raise ModelError(
                    "item id must be a name (letters, digits, underscore)", file=where, value=item
                )
            if item in seen:
                raise ModelError("duplicate item id", file=where, value=item, hint="item ids must be unique")
            seen.add(item)
            kind = entry.get("type", "likert")
            if kind not in KINDS:
                raise ModelError(
                    f"item {item!r} has an unknown type", file=where, value=kind,
                    hint=f"use one of {', '.join(KINDS)}",
                )
            subsystem = entry.get("subsystem")
            if kind in ("likert", "importance"):
                if subsystem not in SUBSYSTEMS:
                    raise ModelError(
                        f"item {item!r} has an unknown subsystem", file=where, value=subsystem,
                        hint=f"use one of {', '.join(SUBSYSTEMS)}",
                    )
            scale_name = entry.get("scale")
            scale = None
            if kind in SCORED_KINDS:
                if scale_name not in scales:
                    raise ModelError(
                        f"item {item!r} has an unknown scale", file=where, value=scale_name,
                        hint=f"define it under 'scales:' or use one of {', '.join(scales)}",
                    )
                scale = scales[scale_name]
            text = entry.get("text") or {}
            if not text.get("zh") or not text.get("en"):
                raise ModelError(
                    f"item {item!r} needs text in Chinese (zh) and English (en)", file=where, value=item
                )
            choices = entry.get("choices")
            if kind == "select_one" and not choices:
                raise ModelError(f"select_one item {item!r} has no choices", file=where, value=item)
            rows.append(
                {
                    "item": item,
                    "section": section.get("id"),
                    "kind": kind,
                    "subsystem": subsystem,
                    "scale": scale_name if scale else None,
                    "scale_min": scale.min if scale else None,
                    "scale_max": scale.max if scale else None,
                    "reverse": bool(entry.get("reverse", False)),
                    "text_zh": text["zh"],
                    "text_en": text["en"],
                    "segment": entry.get("segment"),
                    "source": entry.get("source"),
                    "choices": [
                        {"value": str(c["value"]), "zh": c.get("zh"), "en": c.get("en")} for c in choices
                    ]
                    if choices
                    else None,
                }
            )
    if not rows:
        raise ModelError("the questionnaire has no items", file=where)
    items = pd.DataFrame(rows, columns=ITEM_COLUMNS)
    items["scale_min"] = items["scale_min"].astype("Int64")
    items["scale_max"] = items["scale_max"].astype("Int64")
    used = set(items["scale"].dropna())
    title = raw.get("title") or {}
    return Instrument(
        id=str(raw.get("id", Path(where).stem)),
        version=str(raw.get("version", "1")),
        title={"zh": title.get("zh", ""), "en": title.get("en", "")},
        intro=dict(raw.get("intro") or {}),
        respondent_id=str(raw.get("respondent_id", "respondent_id")),
        metadata=list(raw.get("metadata") or []),
        sections=pd.DataFrame(sections, columns=["id", "title_zh", "title_en"]),
        items=items,
        scales={k: v for k, v in scales.items() if k in used},
        sources=dict(raw.get("sources") or {}),
        path=where,
    )


def from_xlsform(path: str | Path) -> Instrument:
    """Read an XLSForm written by :meth:`Instrument.to_xlsform` (or edited from one).

    See :func:`omsmethod.xlsform.read_xlsform`.
    """
    from .xlsform import read_xlsform

    return read_xlsform(path)


def read_responses(path, instrument, **kwargs):
    """Read and validate a response file; see :func:`omsmethod.responses.read_responses`."""
    from .responses import read_responses as _read

    return _read(path, instrument, **kwargs)

