"""The workspace's tables (DDL), its schema version and the migrations between versions.

A workspace is one DuckDB file. Every table is listed in :data:`TABLES` with its
columns and their meaning (``docs``-ready: :func:`tables_doc` renders it as Markdown).

Why responses are stored *long* (``answers``: one row per respondent × item)
----------------------------------------------------------------------------
A questionnaire changes during a three-year engagement (an item added, one dropped):
long storage keeps every version's answers in one table without schema changes, and
the item's meaning comes from the stored definition of the version it was asked in
(``items``, keyed by the instrument's checksum). Items are stored as a small integer
(``item_no``) referring to ``items``, so a million respondents × 40 items is 40 million
rows of three fixed-width columns, which DuckDB compresses and scans quickly.
Respondent-level facts (unit, wave, date, design variables) live once in
``respondents``; subsystem and layer scores are computed at import (with
:func:`omsmethod.scoring.score`) and kept in ``scores`` (wide: the nine subsystems and
three layers are a fixed list of the OMS model), so tracking aggregates one
million-row table in SQL instead of re-scoring items (the design columns are copied into
``scores`` so that scan needs no join: 1.8× faster on a million respondents).

Nothing is deleted: a replaced import keeps its rows; ``imports.superseded_by`` points
to the import that replaced it and queries read current imports only by default.
"""

from __future__ import annotations

from ..model import LAYERS, SUBSYSTEMS

SCHEMA_VERSION = 1

#: Subsystem and layer score columns of the ``scores`` table (the OMS model's ids).
SCORE_COLUMNS = (*SUBSYSTEMS, *LAYERS)

#: table → (description, [(column, type, meaning), ...]); the DDL is built from it.
TABLES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "schema_version": (
        "Schema version history (one row per version applied).",
        [
            ("version", "INTEGER", "schema version number"),
            ("applied_at", "TIMESTAMP", "when it was applied (UTC)"),
            ("note", "VARCHAR", "what the migration did"),
        ],
    ),
    "client": (
        "The client of the engagement (one row).",
        [
            ("name", "VARCHAR", "client name"),
            ("created_at", "TIMESTAMP", "when the workspace was created (UTC)"),
            ("created_by", "VARCHAR", "user who created it"),
        ],
    ),
    "units": (
        "Organisational units as a hierarchy (region → branch) with population sizes.",
        [
            ("unit", "VARCHAR PRIMARY KEY", "unit id (e.g. B01, north)"),
            ("parent", "VARCHAR", "id of the parent unit (a branch's region), NULL at the top"),
            ("level", "VARCHAR", "'region', 'branch' or another level name"),
            ("name_zh", "VARCHAR", "Chinese name"),
            ("name_en", "VARCHAR", "English name"),
            ("N_customers", "DOUBLE", "customers served (population for the customer survey)"),
            ("N_staff", "DOUBLE", "staff (population for the staff survey)"),
        ],
    ),
    "channels": (
        "Service channels the customer experience is delivered through.",
        [
            ("channel", "VARCHAR PRIMARY KEY", "channel id: store, web, app, call_centre, ..."),
            ("name_zh", "VARCHAR", "Chinese name"),
            ("name_en", "VARCHAR", "English name"),
        ],
    ),
    "instruments": (
        "Every questionnaire version used, with its full definition.",
        [
            ("instrument", "VARCHAR", "questionnaire id (customer, staff, partner)"),
            ("version", "VARCHAR", "version string of the questionnaire"),
            ("checksum", "VARCHAR PRIMARY KEY", "SHA-256 of the definition (Instrument.checksum)"),
            ("definition", "VARCHAR", "Instrument.to_dict() as JSON text"),
            ("scale_min", "DOUBLE", "lowest Likert point (for 0-100 rescaling)"),
            ("scale_max", "DOUBLE", "highest Likert point"),
            ("added_at", "TIMESTAMP", "when first stored (UTC)"),
        ],
    ),
    "items": (
        "Items of each stored questionnaire version (item_no is used in answers).",
        [
            ("checksum", "VARCHAR", "instrument version (instruments.checksum)"),
            ("item_no", "SMALLINT", "position of the item in the definition"),
            ("item", "VARCHAR", "item id"),
            ("kind", "VARCHAR", "likert, importance, rating, nps, text, select_one, integer"),
            ("subsystem", "VARCHAR", "subsystem measured (NULL for non-subsystem items)"),
        ],
    ),
    "waves": (
        "Survey waves: fieldwork dates, design and population margins used.",
        [
            ("wave", "INTEGER PRIMARY KEY", "wave number (1, 2, ...)"),
            ("label", "VARCHAR", "label, e.g. '2026 Q1'"),
            ("start_date", "DATE", "first day of fieldwork"),
            ("end_date", "DATE", "last day of fieldwork"),
            ("design", "VARCHAR", "JSON: weights/strata/psu/fpc columns used at import"),
            ("margins", "VARCHAR", "JSON: population margins used for weighting (tidy records)"),
            ("note", "VARCHAR", "free note"),
        ],
    ),
    "imports": (
        "One row per imported file (or frame): provenance and versioning.",
        [
            ("import_id", "INTEGER PRIMARY KEY", "import number"),
            ("wave", "INTEGER", "wave"),
            ("instrument", "VARCHAR", "questionnaire id"),
            ("checksum", "VARCHAR", "questionnaire version (instruments.checksum)"),
            ("unit", "VARCHAR", "unit the file covers, '*' for a whole wave"),
            ("file", "VARCHAR", "path of the imported file"),
            ("sha256", "VARCHAR", "SHA-256 of the file's bytes"),
            ("rows", "BIGINT", "respondents imported"),
            (
                "version",
                "INTEGER",
                "1 for the first import of (wave, instrument, unit), 2 for its replacement, ...",
            ),
            ("superseded_by", "INTEGER", "import that replaced this one; NULL while current"),
            ("imported_at", "TIMESTAMP", "when (UTC)"),
            ("imported_by", "VARCHAR", "user (getpass.getuser())"),
        ],
    ),
    "respondents": (
        "One row per respondent per import: the design and identifying columns.",
        [
            (
                "row_id",
                "BIGINT PRIMARY KEY",
                "internal respondent key (answers/scores refer to it)",
            ),
            ("import_id", "INTEGER", "imports.import_id"),
            ("wave", "INTEGER", "wave"),
            ("instrument", "VARCHAR", "questionnaire id"),
            ("respondent_id", "VARCHAR", "respondent id from the file"),
            ("unit", "VARCHAR", "branch"),
            ("region", "VARCHAR", "region"),
            ("channel", "VARCHAR", "channel of the customer's experience"),
            ("date", "DATE", "interview date"),
            ("weight", "DOUBLE", "design weight"),
            ("stratum", "VARCHAR", "stratum used by the wave's design"),
            ("psu", "VARCHAR", "primary sampling unit (NULL: each respondent is a PSU)"),
            (
                "fpc",
                "DOUBLE",
                "population size of the stratum (or sampling fraction <= 1); NULL: none",
            ),
            ("extra", "VARCHAR", "JSON of the file's other non-item columns"),
        ],
    ),
    "answers": (
        "Numeric answers, long: one row per respondent × answered item.",
        [
            ("row_id", "BIGINT", "respondents.row_id"),
            ("item_no", "SMALLINT", "items.item_no of the respondent's questionnaire version"),
            ("value", "DOUBLE", "the answer as given (reverse-coded items are not turned)"),
        ],
    ),
    "answer_texts": (
        "Text and choice answers (segments, comments), long.",
        [
            ("row_id", "BIGINT", "respondents.row_id"),
            ("item_no", "SMALLINT", "items.item_no"),
            ("text", "VARCHAR", "the answer"),
        ],
    ),
    "scores": (
        "Subsystem and layer scores per respondent (omsmethod.scoring.score at import), with "
        "copies of the respondent's design columns so tracking scans this one table.",
        [
            ("row_id", "BIGINT PRIMARY KEY", "respondents.row_id"),
            ("import_id", "INTEGER", "copy of respondents.import_id"),
            ("instrument", "VARCHAR", "copy of respondents.instrument"),
            ("wave", "INTEGER", "copy of respondents.wave"),
            ("unit", "VARCHAR", "copy of respondents.unit"),
            ("region", "VARCHAR", "copy of respondents.region"),
            ("channel", "VARCHAR", "copy of respondents.channel"),
            ("weight", "DOUBLE", "copy of respondents.weight (design weight)"),
            ("stratum", "VARCHAR", "copy of respondents.stratum"),
            ("psu", "VARCHAR", "copy of respondents.psu"),
            ("fpc", "DOUBLE", "copy of respondents.fpc"),
            *[
                (c, "DOUBLE", f"{c} score on the instrument's scale (NULL if not measured)")
                for c in SCORE_COLUMNS
            ],
        ],
    ),
    "weights": (
        "Further named weights (e.g. raked) per respondent; the design weight is in respondents.",
        [
            ("row_id", "BIGINT", "respondents.row_id"),
            ("name", "VARCHAR", "weight name"),
            ("weight", "DOUBLE", "value"),
        ],
    ),
    "unit_data": (
        "Operational unit data (long; the layout of sample_data/units.csv melted).",
        [
            ("unit", "VARCHAR", "unit"),
            ("period", "VARCHAR", "period (wave label, month, ...)"),
            ("variable", "VARCHAR", "variable name (customers, staff, aht, ...)"),
            ("value", "DOUBLE", "numeric value"),
            ("text", "VARCHAR", "text value (e.g. the channel) when not numeric"),
            ("source", "VARCHAR", "file or system it came from"),
        ],
    ),
    "info_log": (
        "Information log: the six information categories of claim 7.",
        [
            ("entry_id", "INTEGER PRIMARY KEY", "entry number"),
            (
                "category",
                "VARCHAR",
                "internal, customer_demand, mass_media, market_competition, socio_cultural, political_economic",
            ),
            ("date", "DATE", "date of the event"),
            ("unit", "VARCHAR", "unit concerned (NULL: the whole client)"),
            ("subsystems", "VARCHAR", "comma-separated subsystems it may affect"),
            ("impact", "VARCHAR", "expected impact: positive, negative, neutral or free text"),
            ("source", "VARCHAR", "where the information came from"),
            ("summary", "VARCHAR", "summary (any language)"),
            ("summary_en", "VARCHAR", "English summary when summary is Chinese (optional)"),
            ("added_at", "TIMESTAMP", "when logged (UTC)"),
            ("added_by", "VARCHAR", "user"),
        ],
    ),
    "actions": (
        "Actions taken (phase 3/4 interventions).",
        [
            ("action_id", "INTEGER PRIMARY KEY", "action number"),
            ("date", "DATE", "date the action started"),
            ("unit", "VARCHAR", "unit (NULL: all units)"),
            ("subsystem", "VARCHAR", "subsystem it targets"),
            ("description", "VARCHAR", "what was done"),
            ("owner", "VARCHAR", "who is responsible"),
            ("status", "VARCHAR", "planned, running, done"),
            ("added_at", "TIMESTAMP", "when recorded (UTC)"),
            ("added_by", "VARCHAR", "user"),
        ],
    ),
}

#: Order of creation / export (parents first).
TABLE_ORDER = tuple(TABLES)


def ddl(table: str) -> str:
    """``CREATE TABLE`` statement of one table."""
    columns = ",\n  ".join(f'"{name}" {kind}' for name, kind, _ in TABLES[table][1])
    return f'CREATE TABLE "{table}" (\n  {columns}\n)'


def columns(table: str) -> list[str]:
    """Column names of a table, in order."""
    return [name for name, _, _ in TABLES[table][1]]


def tables_doc() -> str:
    """The tables as Markdown (for the docs).

    Examples
    --------
    >>> print(tables_doc().splitlines()[0])
    ### schema_version
    """
    parts = []
    for table, (description, cols) in TABLES.items():
        rows = "\n".join(f"| `{n}` | {k.split()[0]} | {m} |" for n, k, m in cols)
        parts.append(
            f"### {table}\n\n{description}\n\n| column | type | meaning |\n|---|---|---|\n{rows}\n"
        )
    return "\n".join(parts)


def create_all(con) -> None:
    """Create every table of the current schema and record its version."""
    for table in TABLE_ORDER:
        con.execute(ddl(table))
    con.execute(
        "INSERT INTO schema_version VALUES (?, now()::TIMESTAMP, 'created')", [SCHEMA_VERSION]
    )


# -- migrations ----------------------------------------------------------------------------
def _v0_to_v1(con) -> None:
    """v0 (the 2026 draft layout) → v1: the information log is rebuilt in the v1 layout
    (new columns ``unit``, ``impact``, ``summary_en``, NULL for old entries); the
    ``actions``, ``channels`` and ``weights`` tables are added."""
    con.execute("ALTER TABLE info_log RENAME TO info_log_v0")
    con.execute(ddl("info_log"))
    con.execute("INSERT INTO info_log BY NAME SELECT * FROM info_log_v0")
    con.execute("DROP TABLE info_log_v0")
    present = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    for table in TABLE_ORDER:
        if table not in present:
            con.execute(ddl(table))


#: from-version → (function, note); applied in order up to SCHEMA_VERSION.
MIGRATIONS = {
    0: (_v0_to_v1, "v0 → v1: info_log unit/impact/summary_en; actions, channels, weights")
}
