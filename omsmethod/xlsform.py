"""XLSForm export and import (ODK Collect, KoboToolbox, ODK Central).

The workbook has ``survey``, ``choices`` and ``settings`` sheets with
``label::Chinese (zh)`` and ``label::English (en)`` columns. Likert and importance items
are ``select_one`` questions on their scale's choice list (numeric choice names, so exports
carry the code); ratings and NPS are ``integer`` questions with a range constraint.
OMS attributes that XLSForm has no column for travel in ``instance::oms_*`` columns, which
pyxform writes as attributes of the instance node, so a form read back with
:func:`read_xlsform` keeps items, subsystems, reverse flags and scales.

References
----------
XLSForm specification, https://xlsform.org/en/ (sheets, language columns, constraints,
``instance::`` columns).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .errors import InputError
from .files import atomic_path

__all__ = ["write_xlsform", "read_xlsform", "LANGUAGES"]

LANGUAGES = {"zh": "Chinese (zh)", "en": "English (en)"}
_SURVEY_COLUMNS = [
    "type",
    "name",
    *(f"label::{v}" for v in LANGUAGES.values()),
    *(f"hint::{v}" for v in LANGUAGES.values()),
    "required",
    "appearance",
    "constraint",
    *(f"constraint_message::{v}" for v in LANGUAGES.values()),
    "instance::oms_kind",
    "instance::oms_subsystem",
    "instance::oms_reverse",
    "instance::oms_scale",
    "instance::oms_segment",
    "instance::oms_source",
]
_RANGE = re.compile(r"^\s*\.\s*>=\s*(-?\d+)\s+and\s+\.\s*<=\s*(-?\d+)\s*$")
_ANCHOR = re.compile(r"(-?\d+) = ([^;]+)")
_UNIT_LABEL = {"zh": "门店/网点编号", "en": "Branch or store code"}


def _label(texts: dict) -> dict:
    return {f"label::{LANGUAGES[k]}": texts.get(k) for k in LANGUAGES}


def write_xlsform(instrument, path: str | Path) -> Path:
    """Write ``instrument`` as an XLSForm workbook at ``path`` (atomically).

    Parameters
    ----------
    instrument : Instrument
    path : str or Path
        Output ``.xlsx`` file.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from omsmethod import instrument
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "customer.xlsx"
    >>> instrument.load("customer").to_xlsform(out).name
    'customer.xlsx'
    """
    survey, choices = [], []
    survey.append({"type": "start", "name": "start"})
    survey.append({"type": "end", "name": "end"})
    if "unit" in instrument.metadata:
        survey.append({"type": "text", "name": "unit", "required": "yes", **_label(_UNIT_LABEL)})
    for name, scale in instrument.scales.items():
        if instrument.items.loc[instrument.items["scale"] == name, "kind"].isin(["likert", "importance"]).any():
            for point in scale.points:
                labels = scale.labels.get(point, {})
                choices.append(
                    {
                        "list_name": name,
                        "name": str(point),
                        **{
                            f"label::{LANGUAGES[k]}": (f"{point} {labels[k]}" if labels.get(k) else str(point))
                            for k in LANGUAGES
                        },
                    }
                )
    for _, section in instrument.sections.iterrows():
        survey.append(
            {"type": "begin group", "name": section["id"], **_label({"zh": section["title_zh"], "en": section["title_en"]})}
        )
        for _, item in instrument.items[instrument.items["section"] == section["id"]].iterrows():
            row = {
                "name": item["item"],
                **_label({"zh": item["text_zh"], "en": item["text_en"]}),
                "instance::oms_kind": item["kind"],
                "instance::oms_subsystem": item["subsystem"],
                "instance::oms_reverse": "yes" if item["reverse"] else None,
                "instance::oms_scale": item["scale"],
                "instance::oms_segment": item["segment"],
                "instance::oms_source": item["source"],
            }
            kind = item["kind"]
            if kind in ("likert", "importance"):
                row.update(type=f"select_one {item['scale']}", required="yes", appearance="likert")
            elif kind in ("rating", "nps", "integer"):
                lo, hi = int(item["scale_min"]), int(item["scale_max"])
                anchors = instrument.scales[item["scale"]].labels
                row.update(
                    {
                        f"hint::{LANGUAGES[k]}": "; ".join(f"{p} = {t[k]}" for p, t in sorted(anchors.items()))
                        for k in LANGUAGES
                    }
                    if anchors
                    else {}
                )
                row.update(
                    type="integer",
                    required="yes",
                    constraint=f". >= {lo} and . <= {hi}",
                    **{
                        f"constraint_message::{LANGUAGES['zh']}": f"请输入{lo}到{hi}之间的整数",
                        f"constraint_message::{LANGUAGES['en']}": f"Enter a whole number from {lo} to {hi}",
                    },
                )
            elif kind == "select_one":
                list_name = f"{item['item']}_choices"
                row.update(type=f"select_one {list_name}", required="yes")
                for choice in item["choices"]:
                    choices.append(
                        {"list_name": list_name, "name": choice["value"], **_label(choice)}
                    )
            else:
                row.update(type="text", appearance="multiline")
            survey.append(row)
        survey.append({"type": "end group", "name": section["id"]})
    settings = [
        {
            "form_title": instrument.title.get("en") or instrument.id,
            "form_id": f"oms_{instrument.id}",
            "version": instrument.version,
            "default_language": LANGUAGES["zh"],
            "instance_name": None,
        }
    ]
    sheets = {
        "survey": pd.DataFrame(survey, columns=_SURVEY_COLUMNS),
        "choices": pd.DataFrame(choices, columns=["list_name", "name", *(f"label::{v}" for v in LANGUAGES.values())]),
        "settings": pd.DataFrame(settings).drop(columns="instance_name"),
    }
    return _write_workbook(sheets, Path(path))


def _write_workbook(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


def _cell(row: pd.Series, column: str):
    value = row.get(column)
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    return value


def read_xlsform(path: str | Path):
    """Read an XLSForm workbook back into an :class:`~omsmethod.instrument.Instrument`.

    Items, sections, kinds, subsystems, reverse flags, scales (with their labelled
    points) and choice lists survive the round trip. Questions without ``instance::oms_*``
    columns (a form not written by omsmethod) become ``likert`` items when they are
    ``select_one`` on a numeric list, ``integer`` when integer, ``select_one`` or ``text``
    otherwise, without a subsystem.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from omsmethod import instrument
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "staff.xlsx"
    >>> back = instrument.from_xlsform(instrument.load("staff").to_xlsform(out))
    >>> back.likert_items("education")
    ['edu1', 'edu2', 'edu3', 'edu4']
    """
    from .instrument import from_dict

    path = Path(path)
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl")
    except FileNotFoundError:
        raise InputError("XLSForm file not found", file=str(path)) from None
    except Exception as exc:  # openpyxl raises several types for non-workbooks
        raise InputError(f"not an XLSForm workbook ({exc})", file=str(path)) from None
    for sheet in ("survey", "choices"):
        if sheet not in sheets:
            raise InputError(f"the workbook has no '{sheet}' sheet", file=str(path), hint="is it an XLSForm?")
    survey, choice_rows = sheets["survey"], sheets["choices"]
    settings = sheets.get("settings", pd.DataFrame([{}]))
    lists: dict[str, list[dict]] = {}
    for _, c in choice_rows.iterrows():
        if _cell(c, "list_name") is None:
            continue
        lists.setdefault(c["list_name"], []).append(
            {"value": str(c["name"]), **{k: _cell(c, f"label::{v}") for k, v in LANGUAGES.items()}}
        )

    def label(row, k):
        return _cell(row, f"label::{LANGUAGES[k]}") or _cell(row, "label")

    scales: dict[str, dict] = {}
    sections: list[dict] = []
    current = None
    for i, row in survey.iterrows():
        kind_cell = (_cell(row, "type") or "").strip()
        name = _cell(row, "name")
        if kind_cell == "begin group" or kind_cell == "begin_group":
            current = {"id": name, "title": {k: label(row, k) for k in LANGUAGES}, "items": []}
            sections.append(current)
            continue
        if kind_cell in ("end group", "end_group"):
            current = None
            continue
        if not name or kind_cell in ("start", "end", "today", "deviceid", "calculate", "note") or name == "unit":
            continue
        if current is None:
            current = {"id": "main", "title": {"zh": "问卷", "en": "Questionnaire"}, "items": []}
            sections.append(current)
        entry = {"id": name, "text": {k: label(row, k) or name for k in LANGUAGES}}
        oms_kind = _cell(row, "instance::oms_kind")
        scale_name = _cell(row, "instance::oms_scale")
        if kind_cell.startswith("select_one"):
            list_name = kind_cell.split(maxsplit=1)[1].strip()
            options = lists.get(list_name, [])
            numeric = bool(options) and all(re.fullmatch(r"-?\d+", o["value"]) for o in options)
            if numeric and oms_kind in (None, "likert", "importance"):
                points = sorted(int(o["value"]) for o in options)
                scale_name = scale_name or list_name
                scales[scale_name] = {
                    "min": points[0],
                    "max": points[-1],
                    "labels": {
                        int(o["value"]): {
                            k: re.sub(rf"^{o['value']}\s*", "", o[k] or "") or str(o["value"]) for k in LANGUAGES
                        }
                        for o in options
                    },
                }
                entry.update(type=oms_kind or "likert", scale=scale_name)
            else:
                entry.update(type="select_one", choices=options)
        elif kind_cell == "integer":
            match = _RANGE.match(_cell(row, "constraint") or "")
            if not match:
                raise InputError(
                    "integer question has no range constraint",
                    file=str(path), column="constraint", row=i + 2, value=name,
                    hint="write the constraint as '. >= MIN and . <= MAX'",
                )
            lo, hi = int(match.group(1)), int(match.group(2))
            scale_name = scale_name or f"{name}_range"
            anchors: dict[int, dict] = {}
            for k in LANGUAGES:
                for point, text in _ANCHOR.findall(_cell(row, f"hint::{LANGUAGES[k]}") or ""):
                    anchors.setdefault(int(point), {})[k] = text.strip()
            scales.setdefault(scale_name, {"min": lo, "max": hi, "labels": anchors})
            entry.update(type=oms_kind or "integer", scale=scale_name)
        else:
            entry.update(type="text")
        for key, column in (("subsystem", "instance::oms_subsystem"), ("segment", "instance::oms_segment"),
                            ("source", "instance::oms_source")):
            if _cell(row, column):
                entry[key] = _cell(row, column)
        if _cell(row, "instance::oms_reverse") in ("yes", "true", "TRUE", "1"):
            entry["reverse"] = True
        current["items"].append(entry)
    setting = settings.iloc[0] if len(settings) else pd.Series(dtype=object)
    form_id = _cell(setting, "form_id") or path.stem
    raw = {
        "id": re.sub(r"^oms_", "", str(form_id)),
        "version": _cell(setting, "version") or "1",
        "title": {"zh": _cell(setting, "form_title") or "", "en": _cell(setting, "form_title") or ""},
        "respondent_id": "respondent_id",
        "metadata": ["unit"] if "unit" in set(survey.get("name", pd.Series(dtype=str)).dropna()) else [],
        "scales": scales,
        "sections": sections,
    }
    return from_dict(raw, str(path))
