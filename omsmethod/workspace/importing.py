"""Importing responses: turn a validated frame into workspace rows and append them.

:func:`prepare` splits a response frame into the rows of ``respondents``, ``answers``,
``answer_texts`` and ``scores`` (scored with :func:`omsmethod.scoring.score`);
:func:`append` writes them inside the caller's transaction, after the version checks
(same file → no-op upstream; different file → ``replace=True`` needed; the old import is
marked ``superseded_by`` and kept).
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError, WorkspaceError
from . import schema

__all__ = ["DEFAULT_DESIGN", "ImportResult", "prepare", "append", "upsert_wave"]

#: Design used for a wave unless :meth:`Workspace.add_wave` says otherwise: design
#: weights in ``weight``, strata = branches, the branch population as fpc
#: (``"auto"``: the first of ``N_customers``, ``N_staff``, ``fpc`` present), no clusters.
DEFAULT_DESIGN = {"weights": "weight", "strata": "unit", "psu": None, "fpc": "auto"}
_FPC_AUTO = ("N_customers", "N_staff", "fpc")
_FIXED = ("unit", "region", "channel", "date")


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ``status`` is ``"imported"``, ``"replaced"`` or ``"unchanged"``."""

    status: str
    import_id: int
    rows: int
    version: int
    message: str

    def __str__(self) -> str:
        return self.message


def _now():
    return pd.Timestamp.now(tz="UTC").tz_localize(None).floor("us")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): still record something
        return "unknown"


def _frame_sha(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's contents (stands in for a file's SHA-256 for in-memory imports).

    Numeric columns contribute their bytes, others the 64-bit hashes of their text
    (``pandas.util.hash_array``), each after its name.
    """
    import hashlib

    digest = hashlib.sha256()
    for name in frame.columns:
        digest.update(f"\x1e{name}\x1f".encode())
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            digest.update(np.ascontiguousarray(column.to_numpy(dtype=float)).tobytes())
        else:
            text = (
                column.astype(object)
                .where(column.notna(), "\x00")
                .astype(str)
                .to_numpy(dtype=object)
            )
            digest.update(pd.util.hash_array(text, categorize=False).tobytes())
    return digest.hexdigest()


def upsert_wave(con, wave, start, end, label, spec, margins_json, note):
    old = con.execute("SELECT * FROM waves WHERE wave = ?", [wave]).df()
    if len(old):
        o = old.iloc[0]
        start = start if start is not None else o["start_date"]
        end = end if end is not None else o["end_date"]
        label = label if label is not None else o["label"]
        margins_json = margins_json if margins_json is not None else o["margins"]
        note = note if note is not None else o["note"]
        con.execute("DELETE FROM waves WHERE wave = ?", [wave])
    con.execute(
        "INSERT INTO waves VALUES (?, ?, ?::DATE, ?::DATE, ?, ?, ?)",
        [
            wave,
            label or f"wave {wave}",
            None if start is None else str(pd.Timestamp(start).date()),
            None if end is None else str(pd.Timestamp(end).date()),
            json.dumps(spec),
            margins_json,
            note,
        ],
    )


def prepare(frame: pd.DataFrame, instrument, wave: int, unit, source: str) -> dict:
    """Turn a validated response frame into the rows of respondents/answers/texts/scores."""
    from ..scoring import score

    frame = frame.reset_index(drop=True)
    n = len(frame)
    if n == 0:
        raise InputError("no responses to import", file=source)
    id_col = instrument.respondent_id
    if "wave" in frame.columns:
        given = pd.to_numeric(frame["wave"], errors="coerce")
        bad = given.notna() & (given != wave)
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise InputError(
                f"the file's wave column says {given.iloc[i]:g}, not wave {wave}",
                file=source,
                column="wave",
                row=i + 2,
                value=str(frame["wave"].iloc[i]),
                hint="import it as the wave it belongs to, or fix the column",
            )
    if unit is not None:
        if "unit" in frame.columns:
            other = frame["unit"].notna() & (frame["unit"].astype(str) != str(unit))
            if other.any():
                i = int(np.argmax(other.to_numpy()))
                raise InputError(
                    f"the file holds units other than {unit!r}",
                    file=source,
                    column="unit",
                    row=i + 2,
                    value=str(frame["unit"].iloc[i]),
                    hint="import it without unit= (the whole wave), or split the file",
                )
        else:
            frame = frame.assign(unit=str(unit))
    items = instrument.items.reset_index(drop=True)
    item_no = {item: i for i, item in enumerate(items["item"])}
    numeric_items = [
        i
        for i in items.loc[
            items["kind"].isin(("likert", "importance", "rating", "nps", "integer")), "item"
        ]
        if i in frame.columns
    ]
    text_items = [
        i
        for i in items.loc[items["kind"].isin(("select_one", "text")), "item"]
        if i in frame.columns
    ]
    fixed = pd.DataFrame({"respondent_id": frame[id_col].astype(str)})
    for col in _FIXED:
        if col in frame.columns:
            values = frame[col]
            fixed[col] = (
                values.astype(str).where(values.notna(), None)
                if col != "date"
                else pd.to_datetime(values, errors="coerce").dt.date
            )
        else:
            fixed[col] = None
    extra_cols = [
        c
        for c in frame.columns
        if c not in item_no and c not in _FIXED and c not in (id_col, "wave")
    ]
    if extra_cols:
        text = frame[extra_cols].to_json(
            orient="records", lines=True, force_ascii=False, date_format="iso"
        )
        fixed["extra"] = text.rstrip("\n").split("\n")
    else:
        fixed["extra"] = None
    values = frame[numeric_items].to_numpy(dtype=float) if numeric_items else np.empty((n, 0))
    rows, cols = np.nonzero(~np.isnan(values))
    answers = {
        "row": rows.astype(np.int64),
        "item_no": np.array([item_no[c] for c in numeric_items], dtype=np.int16)[cols]
        if numeric_items
        else np.empty(0, np.int16),
        "value": values[rows, cols],
    }
    text_parts = []
    for item in text_items:
        col = frame[item]
        keep = col.notna().to_numpy()
        if keep.any():
            text_parts.append(
                pd.DataFrame(
                    {
                        "row": np.flatnonzero(keep),
                        "item_no": np.int16(item_no[item]),
                        "text": col[keep].astype(str).to_numpy(),
                    }
                )
            )
    texts = (
        pd.concat(text_parts, ignore_index=True)
        if text_parts
        else pd.DataFrame(
            {
                "row": np.empty(0, np.int64),
                "item_no": np.empty(0, np.int16),
                "text": np.empty(0, object),
            }
        )
    )
    scored = score(
        frame[[id_col, *[c for c in instrument.likert_items() if c in frame.columns]]], instrument
    )
    scores = pd.DataFrame(
        {
            c: scored[c].to_numpy(dtype=float) if c in scored.columns else np.full(n, np.nan)
            for c in schema.SCORE_COLUMNS
        }
    )
    items_table = pd.DataFrame(
        {
            "checksum": instrument.checksum(),
            "item_no": np.arange(len(items), dtype=np.int16),
            "item": items["item"],
            "kind": items["kind"],
            "subsystem": items["subsystem"],
        }
    )
    return {
        "fixed": fixed,
        "frame": frame,
        "answers": answers,
        "texts": texts,
        "scores": scores,
        "items": items_table,
    }


def _design_columns(frame: pd.DataFrame, spec: dict, source: str) -> pd.DataFrame:
    """Weight, stratum, PSU and fpc per respondent from the wave's design spec."""
    n = len(frame)
    out = pd.DataFrame(index=frame.index)
    wcol = spec.get("weights")
    if wcol and wcol in frame.columns:
        w = pd.to_numeric(frame[wcol], errors="coerce").to_numpy(dtype=float)
        bad = ~(w > 0)
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(
                "weight is missing or not positive",
                file=source,
                column=wcol,
                row=i + 2,
                value=frame[wcol].iloc[i],
                hint="every respondent needs a positive design weight",
            )
        out["weight"] = w
    else:
        out["weight"] = np.ones(n)
    for key in ("strata", "psu"):
        col = spec.get(key)
        name = "stratum" if key == "strata" else "psu"
        if col and col in frame.columns:
            out[name] = frame[col].astype(str).where(frame[col].notna(), None)
        else:
            out[name] = "all" if key == "strata" else None
    fpc = spec.get("fpc")
    if fpc == "auto":
        fpc = next((c for c in _FPC_AUTO if c in frame.columns), None)
    out["fpc"] = (
        pd.to_numeric(frame[fpc], errors="coerce").to_numpy(dtype=float)
        if fpc and fpc in frame.columns
        else np.nan
    )
    return out


def append(con, instrument, wave, unit_key, replace, source, digest, tables, items) -> ImportResult:
    inst_id, checksum = instrument.id, instrument.checksum()
    if not con.execute("SELECT 1 FROM instruments WHERE checksum = ?", [checksum]).fetchall():
        lo = float(instrument.items.loc[instrument.items["kind"] == "likert", "scale_min"].min())
        hi = float(instrument.items.loc[instrument.items["kind"] == "likert", "scale_max"].max())
        con.execute(
            "INSERT INTO instruments VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                inst_id,
                instrument.version,
                checksum,
                json.dumps(instrument.to_dict(), ensure_ascii=False, default=str),
                lo,
                hi,
                _now(),
            ],
        )
        con.register("new_items", items)
        con.execute("INSERT INTO items BY NAME SELECT * FROM new_items")
    wave_row = (
        con.execute("SELECT design FROM waves WHERE wave = ?", [wave]).fetchall() or [None]
    )[0]
    fixed = tables["fixed"]
    if wave_row is None:
        dates = pd.to_datetime(fixed["date"], errors="coerce")
        upsert_wave(
            con,
            wave,
            dates.min() if dates.notna().any() else None,
            dates.max() if dates.notna().any() else None,
            None,
            DEFAULT_DESIGN,
            None,
            None,
        )
        spec = dict(DEFAULT_DESIGN)
    else:
        spec = json.loads(wave_row[0])
    design = _design_columns(tables["frame"], spec, source)

    previous = (
        con.execute(
            "SELECT import_id, version, sha256, rows FROM imports WHERE wave = ? AND instrument = ? "
            "AND unit = ? AND superseded_by IS NULL",
            [wave, inst_id, unit_key],
        ).fetchall()
        or [None]
    )[0]
    if previous is not None and digest is not None and previous[2] == digest:
        return ImportResult(
            "unchanged",
            int(previous[0]),
            int(previous[3]),
            int(previous[1]),
            f"the same responses were already imported as import {previous[0]} "
            f"(wave {wave}, {inst_id}); nothing to do",
        )
    if previous is not None and not replace:
        raise WorkspaceError(
            f"wave {wave} already has {inst_id} responses for unit {unit_key!r} (import {previous[0]}) "
            "from a different file",
            file=source,
            hint="pass replace=True to make this file the current version (the old rows are kept)",
        )
    import_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchall()[0][0]
    version = 1 if previous is None else int(previous[1]) + 1
    con.register("new_ids", fixed[["respondent_id"]])
    clash = (
        con.execute(
            """SELECT r.respondent_id, i.import_id, i.unit FROM respondents r JOIN imports i USING (import_id)
           JOIN new_ids n USING (respondent_id)
           WHERE r.wave = ? AND r.instrument = ? AND i.superseded_by IS NULL AND i.import_id <> ? LIMIT 1""",
            [wave, inst_id, -1 if previous is None else int(previous[0])],
        ).fetchall()
        or [None]
    )[0]
    if clash is not None:
        raise WorkspaceError(
            f"respondent {clash[0]!r} is already in wave {wave} from import {clash[1]} (unit {clash[2]!r})",
            file=source,
            value=clash[0],
            hint="a unit's file and a whole-wave file overlap; replace the import that holds them instead",
        )
    con.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
        [
            import_id,
            wave,
            inst_id,
            checksum,
            unit_key,
            source,
            digest,
            len(fixed),
            version,
            _now(),
            _user(),
        ],
    )
    if previous is not None:
        con.execute(
            "UPDATE imports SET superseded_by = ? WHERE import_id = ?",
            [import_id, int(previous[0])],
        )
    first = con.execute("SELECT coalesce(max(row_id), 0) + 1 FROM respondents").fetchall()[0][0]
    row_id = first + np.arange(len(fixed), dtype=np.int64)
    respondents = pd.DataFrame(
        {
            "row_id": row_id,
            "import_id": import_id,
            "wave": wave,
            "instrument": inst_id,
            "respondent_id": fixed["respondent_id"],
            "unit": fixed["unit"],
            "region": fixed["region"],
            "channel": fixed["channel"],
            "date": fixed["date"],
            "weight": design["weight"],
            "stratum": design["stratum"],
            "psu": design["psu"],
            "fpc": design["fpc"],
            "extra": fixed["extra"],
        }
    )
    _insert_respondents(con, respondents)
    _insert_answers(con, row_id, tables["answers"], tables["texts"])
    _insert_scores(con, respondents, tables["scores"])
    _add_missing_units(con, respondents)
    status = "replaced" if previous is not None else "imported"
    text = f"imported {len(fixed)} {inst_id} responses into wave {wave} (import {import_id}"
    text += f", version {version} replacing import {previous[0]})" if previous is not None else ")"
    return ImportResult(status, int(import_id), len(fixed), version, text)


def _insert_respondents(con, respondents: pd.DataFrame) -> None:
    con.register("new_respondents", respondents)
    con.execute("INSERT INTO respondents BY NAME SELECT * FROM new_respondents")


def _insert_answers(con, row_id: np.ndarray, answers: dict, texts: pd.DataFrame) -> None:
    import pyarrow as pa

    table = pa.table(
        {"row_id": row_id[answers["row"]], "item_no": answers["item_no"], "value": answers["value"]}
    )
    con.register("new_answers", table)
    con.execute("INSERT INTO answers BY NAME SELECT * FROM new_answers")
    if len(texts):
        tt = pd.DataFrame(
            {
                "row_id": row_id[texts["row"].to_numpy()],
                "item_no": texts["item_no"].astype(np.int16),
                "text": texts["text"],
            }
        )
        con.register("new_texts", tt)
        con.execute("INSERT INTO answer_texts BY NAME SELECT * FROM new_texts")


def _insert_scores(con, respondents: pd.DataFrame, scores: pd.DataFrame) -> None:
    import pyarrow as pa

    design = [
        "row_id",
        "import_id",
        "instrument",
        "wave",
        "unit",
        "region",
        "channel",
        "weight",
        "stratum",
        "psu",
        "fpc",
    ]
    table = pa.Table.from_pandas(respondents[design], preserve_index=False)
    for c in schema.SCORE_COLUMNS:
        table = table.append_column(c, pa.array(scores[c].to_numpy(), from_pandas=True))
    con.register("new_scores", table)
    con.execute("INSERT INTO scores BY NAME SELECT * FROM new_scores")


def _add_missing_units(con, respondents: pd.DataFrame) -> None:
    seen = respondents[["unit", "region"]].dropna(subset=["unit"]).drop_duplicates("unit")
    con.register("seen_units", seen)
    con.execute("""INSERT INTO units (unit, parent, level, name_en)
                   SELECT DISTINCT region, NULL, 'region', region FROM seen_units
                   WHERE region IS NOT NULL AND region NOT IN (SELECT unit FROM units)""")
    con.execute("""INSERT INTO units (unit, parent, level, name_en)
                   SELECT unit, region, 'branch', unit FROM seen_units WHERE unit NOT IN (SELECT unit FROM units)""")
