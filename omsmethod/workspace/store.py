"""The :class:`Workspace`: one DuckDB file holding an engagement's waves, units and logs.

Every call opens the file, does one thing and closes it again, so a notebook that keeps
a :class:`Workspace` object does not block the command line. Writes run in one
transaction: an error or a killed process leaves the file as it was. A second process
that wants to write while another one does waits ``timeout`` seconds, then gets a
:class:`~omsmethod.errors.WorkspaceBusyError`.
"""

from __future__ import annotations

import json
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, WorkspaceBusyError, WorkspaceError
from . import schema
from .importing import (
    DEFAULT_DESIGN,
    ImportResult,
    _frame_sha,
    _now,
    _user,
    append,
    prepare,
    upsert_wave,
)

__all__ = ["Workspace", "ImportResult", "DEFAULT_DESIGN"]


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
        self._held = None  # the read-only connection of an open ``reading()`` block

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

    @contextmanager
    def _read(self):
        if self._held is not None:
            yield self._held
            return
        with connect(self.path, write=False, timeout=self.timeout) as con:
            yield con

    @contextmanager
    def reading(self):
        """Keep one read-only connection open for a group of reads.

        Opening the DuckDB file costs about 10 ms; an analysis such as :meth:`alerts`
        makes a dozen queries. Inside the block other processes can still read the
        workspace but not write it, and this object must not write either.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from omsmethod.workspace import Workspace
        >>> ws = Workspace.create(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
        >>> with ws.reading():
        ...     ws.schema_version == ws.schema_version
        True
        """
        if self._held is not None:
            yield self
            return
        with connect(self.path, write=False, timeout=self.timeout) as con:
            self._held = con
            try:
                yield self
            finally:
                self._held = None

    def query(self, sql: str, params=None) -> pd.DataFrame:
        """Run a read-only SQL query and return a DataFrame (for ad-hoc questions)."""
        with self._read() as con:
            return con.execute(sql, params or []).df()

    @property
    def schema_version(self) -> int:
        return int(self.query("SELECT max(version) AS v FROM schema_version")["v"].iloc[0])

    def __repr__(self) -> str:
        return f"<Workspace {self.path}>"

    def summary(self) -> pd.DataFrame:
        """One row per table: ``table, rows`` (current and superseded rows alike)."""
        with self._read() as con:
            rows = [
                (t, con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0])
                for t in schema.TABLE_ORDER
            ]
        return pd.DataFrame(rows, columns=["table", "rows"])

    def _repr_html_(self) -> str:
        import html

        waves = self.waves()[
            ["wave", "label", "start_date", "end_date", "instruments", "respondents"]
        ]
        return f"<p><b>OMS workspace</b> {html.escape(str(self.path))}</p>" + waves.to_html(
            index=False
        )

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
            upsert_wave(con, int(wave), start, end, label, spec, margins_json, note)
            con.commit()

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
        digest = _frame_sha(frame)  # an unchanged frame is detected inside the transaction
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
        tables = prepare(frame, instrument, wave, unit, source)
        items = tables.pop("items")
        with self._write() as con:
            con.begin()
            try:
                result = append(
                    con, instrument, wave, unit_key, replace, source, digest, tables, items
                )
                if result.status == "unchanged":
                    con.rollback()  # nothing to write
                else:
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
            numeric, texts = (
                con.execute(
                    f"""SELECT a.row_id, it.item, a.{column} FROM {table} a
                        JOIN respondents r USING (row_id) JOIN imports i USING (import_id)
                        JOIN items it ON it.checksum = i.checksum AND it.item_no = a.item_no
                        WHERE {where}""",
                    params,
                ).df()
                for table, column in (("answers", "value"), ("answer_texts", "text"))
            )
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
        self,
        instrument,
        wave=None,
        unit=None,
        segments: bool = True,
        all_versions: bool = False,
        weights: str | None = None,
    ) -> pd.DataFrame:
        """Subsystem and layer scores per respondent, as :func:`omsmethod.scoring.score` returns.

        Columns: ``respondent_id, wave, unit, region, channel, date, weight, stratum, psu,
        fpc`` (+ the segment answers when ``segments``), then the subsystems and layers the
        questionnaire measures and the same on 0–100 (``_100``). ``weights`` puts a named
        weight set (:meth:`add_weights`) in ``weight`` (respondents without it are left out).
        """
        inst_id = instrument if isinstance(instrument, str) else instrument.id
        where, params = self._where(inst_id, wave, unit, all_versions)
        weight, join = "r.weight", ""
        if weights is not None:
            weight, join = "wt.weight", "JOIN weights wt ON wt.row_id = r.row_id AND wt.name = ?"
            params = [weights, *params]
        with self._read() as con:
            frame = con.execute(
                f"""SELECT r.respondent_id, r.wave, r.unit, r.region, r.channel, r.date,
                           {weight} AS weight, r.stratum, r.psu, r.fpc, r.row_id, {", ".join(f's."{c}"' for c in schema.SCORE_COLUMNS)},
                           n.scale_min, n.scale_max
                    FROM respondents r JOIN imports i ON i.import_id = r.import_id
                    JOIN scores s ON s.row_id = r.row_id {join} JOIN instruments n ON n.checksum = i.checksum
                    WHERE {where} ORDER BY r.row_id""",
                params,
            ).df()
            params = params[1:] if weights is not None else params
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
        if len(lo):
            frame.attrs.update(scale_min=float(lo.min()), scale_max=float(hi.max()))
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

        with self.reading():
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
        weights: str | None = None,
    ) -> pd.DataFrame:
        """Design-based estimates per wave (and unit) with tests of change; see :func:`.tracking.trend`."""
        from . import tracking

        with self.reading():
            return tracking.trend(self, subsystem=subsystem, by=by, instrument=instrument, wave=wave,
                                  alpha=alpha, confidence=confidence, weights=weights)

    def add_weights(self, name: str, instrument, wave: int, weights: pd.DataFrame) -> int:
        """Store a named set of weights (e.g. raked to the wave's margins) for current respondents.

        Parameters
        ----------
        name : str
            Name of the set (``"design"`` is reserved for the imported design weights).
        instrument : str or Instrument
        wave : int
        weights : DataFrame
            ``respondent_id, weight`` (positive); a set of the same name for this wave
            and questionnaire is replaced.

        Returns
        -------
        int
            Respondents given a weight. Use it with ``trend(weights=name)`` and
            ``scores(weights=name)``.
        """
        from ..validation import require_columns, require_dataframe

        if not name or name == "design":
            raise InputError("choose a name other than 'design' for the weight set", value=name)
        require_dataframe(weights, "weights")
        require_columns(weights, ["respondent_id", "weight"], "weights")
        w = pd.to_numeric(weights["weight"], errors="coerce")
        bad = ~(w > 0)
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise InputError(
                "weights must be positive numbers",
                column="weight",
                row=weights.index[i],
                value=weights["weight"].iloc[i],
            )
        inst_id = instrument if isinstance(instrument, str) else instrument.id
        given = pd.DataFrame(
            {"respondent_id": weights["respondent_id"].astype(str), "weight": w.to_numpy()}
        )
        with self._write() as con:
            con.begin()
            con.register("given", given)
            rows = con.execute(
                """SELECT r.row_id, g.respondent_id, g.weight FROM given g LEFT JOIN (
                       SELECT r.row_id, r.respondent_id FROM respondents r JOIN imports i USING (import_id)
                       WHERE r.wave = ? AND r.instrument = ? AND i.superseded_by IS NULL) r USING (respondent_id)""",
                [int(wave), inst_id],
            ).df()
            unknown = rows[rows["row_id"].isna()]
            if len(unknown):
                con.rollback()
                raise InputError(
                    f"respondent is not in wave {wave} of {inst_id}",
                    column="respondent_id",
                    value=unknown["respondent_id"].iloc[0],
                    hint="give weights for imported respondents",
                )
            con.register("new_weights", rows)
            con.execute(
                "DELETE FROM weights WHERE name = ? AND row_id IN (SELECT row_id FROM new_weights)",
                [name],
            )
            con.execute(
                "INSERT INTO weights SELECT row_id::BIGINT, ?, weight FROM new_weights", [name]
            )
            con.commit()
        return len(rows)

    def alerts(
        self, threshold=None, by="unit", instrument=None, alpha: float = 0.05, project: bool = True
    ) -> pd.DataFrame:
        """Early warnings: significant changes and low levels with their log entries; see :func:`.tracking.alerts`."""
        from . import tracking

        with self.reading():
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
