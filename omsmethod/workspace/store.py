"""The :class:`Workspace`: one DuckDB file holding an engagement's waves, units and logs.

Every call opens the file, does one thing and closes it again, so a notebook that keeps
a :class:`Workspace` object does not block the command line. Writes run in one
transaction: an error or a killed process leaves the file as it was. A second process
that wants to write while another one does waits ``timeout`` seconds, then gets a
:class:`~omsmethod.errors.WorkspaceBusyError`.
"""

from __future__ import annotations

import getpass
import json
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, WorkspaceBusyError, WorkspaceError
from . import schema

__all__ = ["Workspace", "ImportResult", "DEFAULT_DESIGN"]

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


@contextmanager
def connect(path: Path, write: bool, timeout: float = 5.0):
    """Open the DuckDB file, retrying while another process holds its lock."""
    import duckdb

    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(path), read_only=not write)
            break
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                if time.monotonic() >= deadline:
                    raise WorkspaceBusyError(
                        "the workspace is busy: another process is using it",
                        file=str(path),
                        hint=f"wait for the other import or analysis to finish and try again ({text.splitlines()[0]})",
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
                continue
            raise WorkspaceError(
                f"cannot open the workspace: {text}",
                file=str(path),
                hint="give the path of a workspace made by Workspace.create",
            ) from None
        except duckdb.Error as exc:
            raise WorkspaceError(f"cannot open the workspace: {exc}", file=str(path)) from None
    try:
        yield con
    finally:
        con.close()


def _values(value) -> list:
    """A scalar or a list of filter values as a list."""
    if value is None:
        return []
    if isinstance(value, (str, int, np.integer)):
        return [value]
    return list(value)


def _instrument(instrument):
    from ..instrument import Instrument, load

    return instrument if isinstance(instrument, Instrument) else load(instrument)


def _frame_sha(frame: pd.DataFrame) -> str:
    import hashlib

    digest = hashlib.sha256(",".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy().tobytes())
    return digest.hexdigest()


class Workspace:
    """An engagement's information database (one DuckDB file).

    Use :meth:`create` or :meth:`open`, not the constructor.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from omsmethod.workspace import Workspace
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "client.oms"
    >>> ws = Workspace.create(path, client="Demo chain")
    >>> ws.log("market_competition", "2026-04-02", "A rival opened next to B01", subsystems="customer", unit="B01")
    1
    >>> ws.log_entries()[["category", "unit", "summary"]].to_dict("records")
    [{'category': 'market_competition', 'unit': 'B01', 'summary': 'A rival opened next to B01'}]
    """

    def __init__(self, path, timeout: float = 5.0, _checked: bool = False):
        if not _checked:
            raise WorkspaceError("use Workspace.create(path) or Workspace.open(path)")
        self.path = Path(path)
        self.timeout = timeout

    # -- opening --------------------------------------------------------------------------
    @classmethod
    def create(
        cls, path, client: str | None = None, overwrite: bool = False, timeout: float = 5.0
    ) -> Workspace:
        """Create a new, empty workspace file.

        Parameters
        ----------
        path : str or Path
            The DuckDB file to create (by convention ``.oms`` or ``.duckdb``).
        client : str, optional
            Client name.
        overwrite : bool
            Replace an existing file (it is written to a temporary file first).
        """
        path = Path(path)
        if path.exists() and not overwrite:
            raise WorkspaceError(
                "the file already exists",
                file=str(path),
                hint="open it with Workspace.open, or pass overwrite=True",
            )
        from ..files import atomic_path

        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.unlink()
            with connect(tmp, write=True, timeout=timeout) as con:
                con.begin()
                schema.create_all(con)
                con.execute("INSERT INTO client VALUES (?, ?, ?)", [client or "", _now(), _user()])
                con.executemany(
                    "INSERT INTO channels VALUES (?, ?, ?)",
                    [
                        ["store", "门店", "Store"],
                        ["web", "网站", "Web"],
                        ["app", "应用", "App"],
                        ["call_centre", "呼叫中心", "Call centre"],
                    ],
                )
                con.commit()
                con.execute("CHECKPOINT")
        return cls(path, timeout, _checked=True)

    @classmethod
    def open(cls, path, timeout: float = 5.0, migrate: bool = True) -> Workspace:
        """Open an existing workspace; an older schema is migrated after a backup.

        Raises
        ------
        WorkspaceError
            The file is missing, empty, not a DuckDB file, or a DuckDB file that is not
            an omsmethod workspace; the file is not modified.
        WorkspaceBusyError
            Another process holds the file for longer than ``timeout`` seconds.
        """
        import duckdb

        path = Path(path)
        if not path.is_file():
            raise WorkspaceError(
                "no workspace at this path",
                file=str(path),
                hint="create one with Workspace.create (CLI: omsmethod workspace init)",
            )
        if path.stat().st_size == 0:
            raise WorkspaceError("the file is empty, not a workspace", file=str(path))
        with connect(path, write=False, timeout=timeout) as con:
            try:
                version = con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]
            except duckdb.Error:
                version = None
        if version is None:
            raise WorkspaceError(
                "a DuckDB database but not an omsmethod workspace (no schema_version table)",
                file=str(path),
                hint="give the path of a workspace made by Workspace.create",
            )
        if version > schema.SCHEMA_VERSION:
            raise WorkspaceError(
                f"the workspace has schema version {version}, newer than this omsmethod "
                f"({schema.SCHEMA_VERSION})",
                file=str(path),
                hint="upgrade omsmethod",
            )
        ws = cls(path, timeout, _checked=True)
        if version < schema.SCHEMA_VERSION:
            if not migrate:
                raise WorkspaceError(
                    f"the workspace has the older schema version {version}",
                    file=str(path),
                    hint="open it with migrate=True",
                )
            ws._migrate(int(version))
        return ws

    def _migrate(self, version: int) -> Path:
        backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
        shutil.copy2(self.path, backup)
        with self._write() as con:
            con.begin()
            for start in range(version, schema.SCHEMA_VERSION):
                step, note = schema.MIGRATIONS[start]
                step(con)
                con.execute(
                    "INSERT INTO schema_version VALUES (?, now()::TIMESTAMP, ?)", [start + 1, note]
                )
            con.commit()
        self.backup = backup
        return backup

    def _write(self):
        return connect(self.path, write=True, timeout=self.timeout)

    def _read(self):
        return connect(self.path, write=False, timeout=self.timeout)

    def query(self, sql: str, params=None) -> pd.DataFrame:
        """Run a read-only SQL query and return a DataFrame (for ad-hoc questions)."""
        with self._read() as con:
            return con.execute(sql, params or []).df()

    @property
    def schema_version(self) -> int:
        return int(self.query("SELECT max(version) AS v FROM schema_version")["v"].iloc[0])

    def __repr__(self) -> str:
        return f"<Workspace {self.path}>"

    # -- units, channels, waves -----------------------------------------------------------
    def add_units(self, units: pd.DataFrame, level: str = "branch") -> int:
        """Add or update units (a branches table: ``unit, region[, region_zh], N_customers, N_staff``).

        Regions named in ``region`` become parent units of level ``region``. Returns the
        number of units written.
        """
        from ..validation import require_columns, require_dataframe

        require_dataframe(units, "units")
        require_columns(units, ["unit"], "units")
        rows = []
        if "region" in units.columns:
            for region, group in units.groupby("region", sort=True):
                zh = group["region_zh"].iloc[0] if "region_zh" in group else None
                rows.append(
                    {
                        "unit": str(region),
                        "parent": None,
                        "level": "region",
                        "name_zh": zh,
                        "name_en": str(region).title(),
                    }
                )
        for _, r in units.iterrows():
            rows.append(
                {
                    "unit": str(r["unit"]),
                    "parent": str(r["region"]) if "region" in units else r.get("parent"),
                    "level": r.get("level", level),
                    "name_zh": r.get("name_zh"),
                    "name_en": r.get("name_en", str(r["unit"])),
                    "N_customers": r.get("N_customers"),
                    "N_staff": r.get("N_staff"),
                }
            )
        frame = pd.DataFrame(rows).reindex(columns=schema.columns("units"))
        frame["N_customers"] = pd.to_numeric(frame["N_customers"], errors="coerce")
        frame["N_staff"] = pd.to_numeric(frame["N_staff"], errors="coerce")
        with self._write() as con:
            con.begin()
            con.register("new_units", frame)
            con.execute("DELETE FROM units WHERE unit IN (SELECT unit FROM new_units)")
            con.execute("INSERT INTO units BY NAME SELECT * FROM new_units")
            con.commit()
        return len(frame)

    def units(self) -> pd.DataFrame:
        """Units: ``unit, parent, level, name_zh, name_en, N_customers, N_staff``."""
        return self.query("SELECT * FROM units ORDER BY level DESC, unit")

    def channels(self) -> pd.DataFrame:
        """Channels: ``channel, name_zh, name_en``."""
        return self.query("SELECT * FROM channels ORDER BY channel")

    def add_wave(
        self,
        wave: int,
        start=None,
        end=None,
        label: str | None = None,
        design: dict | None = None,
        margins: pd.DataFrame | None = None,
        note: str | None = None,
    ) -> None:
        """Declare (or update) a wave: fieldwork dates, design and population margins.

        ``design`` maps ``weights, strata, psu, fpc`` to response columns (see
        :data:`DEFAULT_DESIGN`); it is applied to the files imported for the wave.
        """
        spec = {**DEFAULT_DESIGN, **(design or {})}
        unknown = set(spec) - set(DEFAULT_DESIGN)
        if unknown:
            raise InputError(
                "unknown design key",
                value=sorted(unknown)[0],
                hint=f"use {', '.join(DEFAULT_DESIGN)}",
            )
        margins_json = (
            None if margins is None else margins.to_json(orient="records", force_ascii=False)
        )
        with self._write() as con:
            con.begin()
            self._upsert_wave(con, int(wave), start, end, label, spec, margins_json, note)
            con.commit()

    @staticmethod
    def _upsert_wave(con, wave, start, end, label, spec, margins_json, note):
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

    def waves(self) -> pd.DataFrame:
        """Waves with their dates, design, and current respondents per instrument.

        Columns ``wave, label, start_date, end_date, design, margins, note, instruments,
        respondents``.
        """
        return self.query(
            """SELECT w.*, string_agg(DISTINCT i.instrument, ',' ORDER BY i.instrument) AS instruments,
                      coalesce(sum(i.rows), 0)::BIGINT AS respondents
               FROM waves w LEFT JOIN imports i ON i.wave = w.wave AND i.superseded_by IS NULL
               GROUP BY ALL ORDER BY w.wave"""
        )

    def imports(self) -> pd.DataFrame:
        """The import history (all versions): ``import_id, wave, instrument, ..., superseded_by``."""
        return self.query("SELECT * FROM imports ORDER BY import_id")

    # -- importing responses ----------------------------------------------------------------
    def import_responses(
        self,
        path,
        instrument,
        wave: int,
        unit: str | None = None,
        replace: bool = False,
        **read_options,
    ) -> ImportResult:
        """Validate a response file and append it to the workspace in one transaction.

        Parameters
        ----------
        path : str or Path
            A response file (CSV, XLSX, SAV, Parquet) read with
            :func:`omsmethod.instrument.read_responses` (``errors="raise"``).
        instrument : Instrument or str
        wave : int
        unit : str, optional
            The file holds one unit's responses (its ``unit`` column, if any, must agree).
        replace : bool
            Needed when a different file was already imported for this wave, instrument and
            unit: the old rows stay in the workspace as an earlier version.

        Returns
        -------
        ImportResult
            ``status="unchanged"`` (and nothing written) when the same file was imported
            before for this wave, instrument and unit.

        Raises
        ------
        InputError
            The file does not pass validation (nothing is written).
        WorkspaceError
            A different file exists for this wave/instrument/unit and ``replace`` is False,
            or its respondent ids are already in the wave from another import.
        """
        from ..files import sha256
        from ..instrument import read_responses

        instrument = _instrument(instrument)
        path = Path(path)
        digest = sha256(path) if path.is_file() else None
        if digest is not None:
            same = self._current_import(wave, instrument.id, unit)
            if same is not None and same["sha256"] == digest:
                return ImportResult(
                    "unchanged",
                    int(same["import_id"]),
                    int(same["rows"]),
                    int(same["version"]),
                    f"{path.name} was already imported as import {same['import_id']} "
                    f"(wave {wave}, {instrument.id}); nothing to do",
                )
        frame = read_responses(path, instrument, errors="raise", **read_options)
        return self._import(frame, instrument, wave, unit, replace, str(path), digest)

    def import_frame(
        self,
        frame: pd.DataFrame,
        instrument,
        wave: int,
        unit: str | None = None,
        replace: bool = False,
        source: str = "<DataFrame>",
    ) -> ImportResult:
        """Import responses already in memory (the layout ``read_responses`` returns).

        Checks only what the database needs (a unique, non-empty respondent id; numeric
        item columns); use :meth:`import_responses` for fielded files. The SHA-256
        recorded is that of the frame's contents.
        """
        from ..validation import require_columns, require_dataframe

        instrument = _instrument(instrument)
        require_dataframe(frame, "responses")
        id_col = instrument.respondent_id
        require_columns(frame, [id_col], "responses")
        ids = frame[id_col]
        if ids.isna().any() or ids.duplicated().any():
            bad = int(np.argmax(ids.isna().to_numpy() | ids.duplicated().to_numpy()))
            raise InputError(
                "respondent id is empty or repeated",
                column=id_col,
                row=frame.index[bad],
                value=ids.iloc[bad],
                hint="each respondent needs one unique id",
            )
        digest = _frame_sha(frame)
        same = self._current_import(wave, instrument.id, unit)
        if same is not None and same["sha256"] == digest:
            return ImportResult(
                "unchanged",
                int(same["import_id"]),
                int(same["rows"]),
                int(same["version"]),
                f"the same responses were already imported as import {same['import_id']}",
            )
        return self._import(frame, instrument, wave, unit, replace, source, digest)

    def _current_import(self, wave, instrument_id, unit):
        found = self.query(
            "SELECT * FROM imports WHERE wave = ? AND instrument = ? AND unit = ? AND superseded_by IS NULL",
            [int(wave), instrument_id, unit or "*"],
        )
        return None if found.empty else found.iloc[0]

    def _import(self, frame, instrument, wave, unit, replace, source, digest) -> ImportResult:
        wave = int(wave)
        unit_key = unit or "*"
        tables = _prepare(frame, instrument, wave, unit, source)
        items = tables.pop("items")
        with self._write() as con:
            con.begin()
            try:
                result = _append(
                    con, instrument, wave, unit_key, replace, source, digest, tables, items
                )
                con.commit()
            except BaseException:
                con.rollback()
                raise
        return result

    # -- reading responses back -----------------------------------------------------------
    def _current_filter(self, all_versions: bool) -> str:
        return "" if all_versions else "AND i.superseded_by IS NULL"

    def wave_data(self, wave: int, instrument) -> pd.DataFrame:
        """Responses of one wave in the layout :func:`read_responses` returns.

        The one-call helper for reports: ``oms.scoring.score(ws.wave_data(2, "customer"), "customer")``.
        """
        return self.responses(instrument, wave=wave)

    def responses(
        self, instrument, wave=None, unit=None, all_versions: bool = False
    ) -> pd.DataFrame:
        """Responses (one row per respondent, one column per item) of one questionnaire.

        Parameters
        ----------
        instrument : Instrument or str
            Questionnaire id (answers of all its stored versions are returned; an item
            missing from a version is NaN there).
        wave, unit : int/str or list, optional
            Restrict to these waves / units.
        all_versions : bool
            Include rows of superseded imports (with their ``import_id``).
        """
        inst_id = instrument if isinstance(instrument, str) else instrument.id
        where, params = self._where(inst_id, wave, unit, all_versions)
        with self._read() as con:
            base = con.execute(
                f"""SELECT r.* EXCLUDE (extra, instrument), r.extra FROM respondents r
                                   JOIN imports i USING (import_id) WHERE {where} ORDER BY r.row_id""",
                params,
            ).df()
            numeric = con.execute(
                f"""SELECT a.row_id, it.item, a.value FROM answers a
                                      JOIN respondents r USING (row_id) JOIN imports i USING (import_id)
                                      JOIN items it ON it.checksum = i.checksum AND it.item_no = a.item_no
                                      WHERE {where}""",
                params,
            ).df()
            texts = con.execute(
                f"""SELECT a.row_id, it.item, a.text FROM answer_texts a
                                    JOIN respondents r USING (row_id) JOIN imports i USING (import_id)
                                    JOIN items it ON it.checksum = i.checksum AND it.item_no = a.item_no
                                    WHERE {where}""",
                params,
            ).df()
            order = con.execute(
                """SELECT DISTINCT it.item, it.item_no, it.kind FROM items it
                                   JOIN instruments s USING (checksum) WHERE s.instrument = ?
                                   ORDER BY it.item_no""",
                [inst_id],
            ).df()
        return _assemble(base, numeric, texts, order, all_versions)

    def _where(self, inst_id, wave, unit, all_versions):
        clauses, params = ["r.instrument = ?"], [inst_id]
        if wave is not None:
            waves = [int(w) for w in _values(wave)]
            clauses.append(f"r.wave IN ({','.join('?' * len(waves))})")
            params += waves
        if unit is not None:
            units = [str(u) for u in _values(unit)]
            clauses.append(f"r.unit IN ({','.join('?' * len(units))})")
            params += units
        if not all_versions:
            clauses.append("i.superseded_by IS NULL")
        return " AND ".join(clauses), params

    def scores(
        self, instrument, wave=None, unit=None, segments: bool = True, all_versions: bool = False
    ) -> pd.DataFrame:
        """Subsystem and layer scores per respondent, as :func:`omsmethod.scoring.score` returns.

        Columns: ``respondent_id, wave, unit, region, channel, date, weight, stratum, psu,
        fpc`` (+ the segment answers when ``segments``), then the subsystems and layers the
        questionnaire measures and the same on 0–100 (``_100``).
        """
        inst_id = instrument if isinstance(instrument, str) else instrument.id
        where, params = self._where(inst_id, wave, unit, all_versions)
        with self._read() as con:
            frame = con.execute(
                f"""SELECT r.respondent_id, r.wave, r.unit, r.region, r.channel, r.date,
                                           r.weight, r.stratum, r.psu, r.fpc, r.row_id, s.* EXCLUDE (row_id),
                                           n.scale_min, n.scale_max
                                    FROM respondents r JOIN imports i USING (import_id)
                                    JOIN scores s USING (row_id) JOIN instruments n ON n.checksum = i.checksum
                                    WHERE {where} ORDER BY r.row_id""",
                params,
            ).df()
            seg = None
            if segments:
                seg = con.execute(
                    f"""SELECT a.row_id, it.item, a.text FROM answer_texts a
                                      JOIN respondents r USING (row_id) JOIN imports i USING (import_id)
                                      JOIN items it ON it.checksum = i.checksum AND it.item_no = a.item_no
                                      WHERE {where} AND it.kind = 'select_one'""",
                    params,
                ).df()
        lo, hi = frame.pop("scale_min"), frame.pop("scale_max")
        measured = [c for c in schema.SCORE_COLUMNS if frame[c].notna().any()]
        frame = frame.drop(columns=[c for c in schema.SCORE_COLUMNS if c not in measured])
        if seg is not None and len(seg):
            wide = seg.pivot(index="row_id", columns="item", values="text")
            frame = frame.join(wide, on="row_id")
            frame = frame[[c for c in frame.columns if c not in measured] + measured]
        for c in measured:
            frame[f"{c}_100"] = 100 * (frame[c] - lo) / (hi - lo)
        frame = frame.drop(columns="row_id")
        frame.attrs.update(instrument=inst_id)
        return frame.reset_index(drop=True)

    # -- other tables: information log, actions, operational data --------------------------
    def log(
        self,
        category,
        date,
        summary,
        subsystems=None,
        impact=None,
        source=None,
        unit=None,
        summary_en=None,
    ) -> int:
        """Add an information-log entry (see :func:`omsmethod.workspace.infolog.add`)."""
        from . import infolog

        return infolog.add(
            self, category, date, summary, subsystems, impact, source, unit, summary_en
        )

    def import_log(self, path) -> int:
        """Append log entries from a CSV/XLSX file or a DataFrame in one transaction
        (see :func:`omsmethod.workspace.infolog.import_file`)."""
        from . import infolog

        return infolog.import_file(self, path)

    def log_entries(
        self, category=None, start=None, end=None, subsystem=None, unit=None
    ) -> pd.DataFrame:
        """Query the information log (see :func:`omsmethod.workspace.infolog.entries`)."""
        from . import infolog

        return infolog.entries(self, category, start, end, subsystem, unit)

    def plot_log(self, lang: str = "en", **query):
        """Timeline of the information log (plotly; see :func:`omsmethod.workspace.infolog.plot_timeline`)."""
        from . import infolog

        return infolog.plot_timeline(self.log_entries(**query), lang=lang)

    def action(self, date, unit, subsystem, description, owner=None, status="done") -> int:
        """Record an action taken (see :func:`omsmethod.workspace.infolog.add_action`)."""
        from . import infolog

        return infolog.add_action(self, date, unit, subsystem, description, owner, status)

    def actions(self, start=None, end=None, unit=None, subsystem=None) -> pd.DataFrame:
        """Query actions (see :func:`omsmethod.workspace.infolog.action_entries`)."""
        from . import infolog

        return infolog.action_entries(self, start, end, unit, subsystem)

    def import_unit_data(self, data, period: str | None = None, source: str | None = None) -> int:
        """Append operational unit data (a ``unit, ...`` table such as ``sample_data/units.csv``).

        Each non-``unit`` column becomes a variable (numeric in ``value``, else ``text``).
        Returns the number of rows written.
        """
        from ..validation import require_columns

        where = None
        if not isinstance(data, pd.DataFrame):
            where = str(data)
            path = Path(data)
            if not path.is_file():
                raise InputError("file not found", file=where)
            data = (
                pd.read_excel(path)
                if path.suffix.lower() in (".xlsx", ".xls")
                else pd.read_csv(path)
            )
        require_columns(data, ["unit"], where or "unit data")
        ids = ["unit"] + (["period"] if "period" in data.columns else [])
        long = data.astype({c: object for c in data.columns if c not in ids}).melt(
            id_vars=ids, var_name="variable", value_name="raw"
        )
        if "period" not in long:
            long["period"] = period
        numbers = pd.to_numeric(long["raw"], errors="coerce")
        long["value"] = numbers
        long["text"] = long["raw"].where(numbers.isna() & long["raw"].notna()).astype(object)
        long["text"] = long["text"].map(
            lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        )
        long["source"] = source or where
        long["unit"] = long["unit"].astype(str)
        long["period"] = long["period"].astype(object).where(long["period"].notna(), None)
        out = long.reindex(columns=schema.columns("unit_data"))
        with self._write() as con:
            con.begin()
            con.register("new_rows", out)
            con.execute("INSERT INTO unit_data BY NAME SELECT * FROM new_rows")
            con.commit()
        return len(out)

    def unit_data(self, wide: bool = True) -> pd.DataFrame:
        """Operational unit data; ``wide`` pivots it back to one row per unit and period."""
        long = self.query("SELECT * FROM unit_data")
        if not wide or long.empty:
            return long
        long["cell"] = long["value"].astype(object).where(long["value"].notna(), long["text"])
        key = long["period"].fillna("")
        long = long.assign(period=key)
        out = long.pivot_table(
            index=["unit", "period"], columns="variable", values="cell", aggfunc="last"
        )
        out.columns.name = None
        return out.reset_index()

    # -- analysis (thin wrappers) -----------------------------------------------------------
    def trend(
        self,
        subsystem=None,
        by="unit",
        instrument=None,
        wave=None,
        alpha: float = 0.05,
        confidence: float = 0.95,
    ) -> pd.DataFrame:
        """Design-based estimates per wave (and unit) with tests of change; see :func:`.tracking.trend`."""
        from . import tracking

        return tracking.trend(
            self,
            subsystem=subsystem,
            by=by,
            instrument=instrument,
            wave=wave,
            alpha=alpha,
            confidence=confidence,
        )

    def alerts(
        self, threshold=None, by="unit", instrument=None, alpha: float = 0.05, project: bool = True
    ) -> pd.DataFrame:
        """Early warnings: significant changes and low levels with their log entries; see :func:`.tracking.alerts`."""
        from . import tracking

        return tracking.alerts(
            self, threshold=threshold, by=by, instrument=instrument, alpha=alpha, project=project
        )

    def projection(
        self, by="unit", instrument=None, subsystem=None, confidence: float = 0.95
    ) -> pd.DataFrame:
        """Next-wave projection per unit × subsystem; see :func:`.tracking.project`."""
        from . import tracking

        return tracking.project(
            self.trend(subsystem=subsystem, by=by, instrument=instrument), confidence=confidence
        )

    def profile(
        self, by, instrument="customer", wave=None, subsystem=None, alpha: float = 0.05
    ) -> pd.DataFrame:
        """Subsystem scores across segments with design-based tests; see :func:`.segments.profile`."""
        from .segments import profile

        return profile(self.scores(instrument, wave=wave), by=by, subsystem=subsystem, alpha=alpha)

    def export(self, directory) -> Path:
        """Write every table as Parquet plus ``manifest.json``; see :func:`.export.export`."""
        from . import export

        return export.export(self, directory)

    @classmethod
    def from_export(cls, directory, path, overwrite: bool = False) -> Workspace:
        """Rebuild a workspace from :meth:`export` output; see :func:`.export.rebuild`."""
        from . import export

        return export.rebuild(directory, path, overwrite=overwrite)


# -- import helpers (module-level so each step is small and testable) -----------------------
def _prepare(frame: pd.DataFrame, instrument, wave: int, unit, source: str) -> dict:
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


def _append(
    con, instrument, wave, unit_key, replace, source, digest, tables, items
) -> ImportResult:
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
        Workspace._upsert_wave(
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
            "SELECT import_id, version, sha256 FROM imports WHERE wave = ? AND instrument = ? "
            "AND unit = ? AND superseded_by IS NULL",
            [wave, inst_id, unit_key],
        ).fetchall()
        or [None]
    )[0]
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
    _insert_scores(con, row_id, tables["scores"])
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


def _insert_scores(con, row_id: np.ndarray, scores: pd.DataFrame) -> None:
    import pyarrow as pa

    table = pa.table(
        {
            "row_id": row_id,
            **{c: pa.array(scores[c].to_numpy(), from_pandas=True) for c in schema.SCORE_COLUMNS},
        }
    )
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


def _assemble(base, numeric, texts, order, all_versions) -> pd.DataFrame:
    """Pivot long answers back to one row per respondent, items in questionnaire order."""
    index = pd.Index(base["row_id"])
    item_order = list(dict.fromkeys(order["item"]))
    cols = {}
    if len(numeric):
        wide = numeric.pivot(index="row_id", columns="item", values="value").reindex(index)
        cols.update({c: wide[c].to_numpy() for c in wide.columns})
    if len(texts):
        wide = texts.pivot(index="row_id", columns="item", values="text").reindex(index)
        cols.update(
            {
                c: wide[c].astype(object).where(wide[c].notna(), pd.NA).to_numpy()
                for c in wide.columns
            }
        )
    kinds = dict(zip(order["item"], order["kind"], strict=False))
    for item in item_order:
        if item not in cols:
            cols[item] = (
                np.full(len(base), np.nan)
                if kinds[item] not in ("select_one", "text")
                else np.full(len(base), pd.NA, dtype=object)
            )
    extras = base["extra"].map(lambda s: json.loads(s) if isinstance(s, str) else {})
    extra = (
        pd.DataFrame(list(extras), index=base.index)
        if len(base)
        else pd.DataFrame(index=base.index)
    )
    keep = ["respondent_id", "unit", "region", "wave", "date", "channel"]
    out = base[keep].copy()
    out["date"] = out["date"].astype(str).where(out["date"].notna(), None)
    if out["channel"].isna().all():
        out = out.drop(columns="channel")
    answers = pd.DataFrame(
        {i: pd.Series(cols[i], index=base.index, dtype=cols[i].dtype) for i in item_order},
        index=base.index,
    )
    out = pd.concat([out, answers, extra], axis=1)
    if all_versions:
        out["import_id"] = base["import_id"].to_numpy()
    return out.reset_index(drop=True)
