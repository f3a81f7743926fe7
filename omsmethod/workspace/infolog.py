"""The information log (claim 7's six categories of information) and the actions taken.

The categories are those of the OMS model file (``model.load().information_categories``):
``internal, customer_demand, mass_media, market_competition, socio_cultural, political_economic``
(ids as in the model file, zh/en names beside them). An entry names the date, the unit
(or none: the whole client), the subsystems it may affect and its expected impact, so
:func:`omsmethod.workspace.tracking.alerts` can set it beside the changes it may explain.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import InputError, OMSError

__all__ = [
    "categories",
    "add",
    "import_file",
    "entries",
    "add_action",
    "action_entries",
    "plot_timeline",
]

_LOG_COLUMNS = [
    "category",
    "date",
    "summary",
    "subsystems",
    "impact",
    "source",
    "unit",
    "summary_en",
]


def categories() -> pd.DataFrame:
    """The six information categories: ``id, name_zh, name_en``."""
    return _categories().copy()


@lru_cache(maxsize=1)
def _categories() -> pd.DataFrame:
    from ..model import load

    return load().information_categories


def _check_category(category: str, row=None, file=None) -> str:
    table = categories()
    valid = list(table["id"])
    key = str(category).strip()
    if key in valid:
        return key
    by_name = {
        str(n).strip().lower(): i for i, n in zip(table["id"], table["name_en"], strict=True)
    }
    by_name.update({str(n).strip(): i for i, n in zip(table["id"], table["name_zh"], strict=True)})
    if key.lower() in by_name:
        return by_name[key.lower()]
    if key in by_name:
        return by_name[key]
    raise OMSError(
        "unknown information category",
        column="category",
        value=category,
        row=row,
        file=file,
        hint="use one of "
        + ", ".join(f"{i} ({zh}/{en})" for i, zh, en in table.itertuples(index=False)),
    )


def _subsystems(value, row=None, file=None) -> str | None:
    from ..model import LAYERS, SUBSYSTEMS
    from ..validation import as_list

    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    names = [
        s.strip()
        for s in (value.replace(";", ",").split(",") if isinstance(value, str) else as_list(value))
    ]
    for name in names:
        if name not in SUBSYSTEMS and name not in LAYERS:
            raise OMSError(
                "unknown subsystem",
                column="subsystems",
                value=name,
                row=row,
                file=file,
                hint=f"use one of {', '.join(SUBSYSTEMS)}",
            )
    return ",".join(names)


def _date(value, column="date", row=None, file=None):
    stamp = pd.to_datetime(value, errors="coerce")
    if pd.isna(stamp):
        raise InputError(
            "not a date",
            column=column,
            value=value,
            row=row,
            file=file,
            hint="write it as YYYY-MM-DD",
        )
    return stamp.date()


def _rows(frame: pd.DataFrame, file=None, first_row: int = 2) -> pd.DataFrame:
    from .importing import _now, _user

    out = []
    for k, r in enumerate(frame.to_dict("records")):
        row = first_row + k if file else None
        summary = r.get("summary")
        if (
            summary is None
            or (isinstance(summary, float) and pd.isna(summary))
            or not str(summary).strip()
        ):
            raise InputError("the entry has no summary", column="summary", row=row, file=file)

        def text(key, r=r):
            v = r.get(key)
            return None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)

        out.append(
            {
                "category": _check_category(r.get("category"), row, file),
                "date": _date(r.get("date"), row=row, file=file),
                "unit": text("unit"),
                "subsystems": _subsystems(r.get("subsystems"), row, file),
                "impact": text("impact"),
                "source": text("source"),
                "summary": str(summary),
                "summary_en": text("summary_en"),
                "added_at": _now(),
                "added_by": _user(),
            }
        )
    return pd.DataFrame(out)


def _append(ws, table: str, key: str, rows: pd.DataFrame) -> int:
    from . import schema

    with ws._write() as con:
        con.begin()
        first = con.execute(f"SELECT coalesce(max({key}), 0) + 1 FROM {table}").fetchall()[0][0]
        rows = rows.copy()
        rows.insert(0, key, range(first, first + len(rows)))
        rows = rows.reindex(columns=schema.columns(table))
        con.register("new_rows", rows)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM new_rows")
        con.commit()
    return int(first + len(rows) - 1)


def add(
    ws,
    category,
    date,
    summary,
    subsystems=None,
    impact=None,
    source=None,
    unit=None,
    summary_en=None,
) -> int:
    """Add one entry to the information log; returns its ``entry_id``.

    Parameters
    ----------
    category : str
        One of the six ids (an English or Chinese category name is accepted too);
        anything else raises :class:`~omsmethod.errors.OMSError` listing the valid ids.
    date : str or date
    summary : str
        What happened (any language; ``summary_en`` for an English version).
    subsystems : str or list, optional
        Subsystems it may affect (``"customer,brand"`` or a list).
    impact : str, optional
        ``positive``, ``negative``, ``neutral`` or free text.
    source, unit : str, optional
    """
    rows = _rows(
        pd.DataFrame(
            [
                {
                    "category": category,
                    "date": date,
                    "summary": summary,
                    "subsystems": subsystems,
                    "impact": impact,
                    "source": source,
                    "unit": unit,
                    "summary_en": summary_en,
                }
            ]
        )
    )
    return _append(ws, "info_log", "entry_id", rows)


def import_file(ws, path) -> int:
    """Append the entries of a CSV (UTF-8) or XLSX file (or a DataFrame) with columns ``category, date, summary``
    (and optionally ``subsystems, impact, source, unit, summary_en``) in one transaction.

    Every row is checked first; a bad row raises with its row number and nothing is written.
    Returns the number of entries added.
    """
    if isinstance(path, pd.DataFrame):
        return _append_frame(ws, path, None)
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    try:
        frame = (
            pd.read_excel(path, dtype=str)
            if path.suffix.lower() in (".xlsx", ".xls")
            else pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        )
    except Exception as exc:  # pandas raises many kinds for a bad file
        raise InputError(f"cannot read the log file ({exc})", file=str(path)) from None
    return _append_frame(ws, frame, str(path))


def _append_frame(ws, frame: pd.DataFrame, file) -> int:
    missing = [c for c in ("category", "date", "summary") if c not in frame.columns]
    if missing:
        raise InputError(
            "the log lacks a column",
            file=file,
            column=missing[0],
            hint="columns: " + ", ".join(_LOG_COLUMNS),
        )
    rows = _rows(frame, file=file)
    if rows.empty:
        return 0
    _append(ws, "info_log", "entry_id", rows)
    return len(rows)


def _filters(start, end, unit, subsystem, unit_null_matches=True):
    clauses, params = [], []
    if start is not None:
        clauses.append("date >= ?::DATE")
        params.append(str(_date(start, "start")))
    if end is not None:
        clauses.append("date <= ?::DATE")
        params.append(str(_date(end, "end")))
    if unit is not None:
        clauses.append("(unit = ? OR unit IS NULL)" if unit_null_matches else "unit = ?")
        params.append(str(unit))
    return clauses, params


def entries(ws, category=None, start=None, end=None, subsystem=None, unit=None) -> pd.DataFrame:
    """Log entries, oldest first, with the category's zh/en names.

    ``unit`` also returns the client-wide entries (unit NULL); ``subsystem`` the entries
    that name it (or name no subsystem).
    """
    clauses, params = _filters(start, end, unit, subsystem)
    if category is not None:
        clauses.append("category = ?")
        params.append(_check_category(category))
    if subsystem is not None:
        clauses.append("(subsystems IS NULL OR list_contains(string_split(subsystems, ','), ?))")
        params.append(subsystem)
    where = " AND ".join(clauses) or "TRUE"
    frame = ws.query(f"SELECT * FROM info_log WHERE {where} ORDER BY date, entry_id", params)
    names = categories().rename(
        columns={"id": "category", "name_zh": "category_zh", "name_en": "category_en"}
    )
    return frame.merge(names, on="category", how="left")


def add_action(ws, date, unit, subsystem, description, owner=None, status="done") -> int:
    """Record an action (training, a campaign, a new process); returns its ``action_id``."""
    from .importing import _now, _user

    if not description:
        raise InputError("an action needs a description", column="description")
    rows = pd.DataFrame(
        [
            {
                "date": _date(date),
                "unit": None if unit is None else str(unit),
                "subsystem": _subsystems(subsystem),
                "description": str(description),
                "owner": owner,
                "status": status,
                "added_at": _now(),
                "added_by": _user(),
            }
        ]
    )
    return _append(ws, "actions", "action_id", rows)


def action_entries(ws, start=None, end=None, unit=None, subsystem=None) -> pd.DataFrame:
    """Actions, oldest first (``unit`` also returns client-wide actions)."""
    clauses, params = _filters(start, end, unit, subsystem)
    if subsystem is not None:
        clauses.append("(subsystem IS NULL OR list_contains(string_split(subsystem, ','), ?))")
        params.append(subsystem)
    where = " AND ".join(clauses) or "TRUE"
    return ws.query(f"SELECT * FROM actions WHERE {where} ORDER BY date, action_id", params)


def plot_timeline(log: pd.DataFrame, lang: str = "en"):
    """A timeline of log entries: one row per category, one marker per entry (plotly).

    Parameters
    ----------
    log : DataFrame
        :func:`entries` output.
    lang : {"en", "zh"}
        Language of the category labels.
    """
    import plotly.graph_objects as go

    names = categories()
    label = dict(zip(names["id"], names[f"name_{lang}"], strict=True))
    fig = go.Figure()
    for cat in names["id"]:
        part = log[log["category"] == cat]
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(part["date"]),
                y=[label[cat]] * len(part),
                mode="markers",
                name=label[cat],
                text=[
                    f"{u or '—'}: {s}" for u, s in zip(part["unit"], part["summary"], strict=True)
                ],
                hovertemplate="%{x|%Y-%m-%d}<br>%{text}<extra></extra>",
                marker={"size": 11},
            )
        )
    fig.update_layout(
        title="信息日志 / Information log" if lang == "zh" else "Information log",
        yaxis={"categoryorder": "array", "categoryarray": [label[c] for c in names["id"]]},
        showlegend=False,
        height=360,
    )
    return fig
