"""Export a workspace as plain Parquet files (one per table) and rebuild it from them.

The files are ordinary Parquet that DuckDB, Polars, pandas/pyarrow and Spark read
without conversion: strings UTF-8, numbers INT16/32/64 or DOUBLE (no decimals),
timestamps ``TIMESTAMP(us)`` without time zone, dates ``DATE``. ``manifest.json`` lists
each table with its rows, columns, the schema version and the file's SHA-256;
:func:`rebuild` checks them before it writes anything.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import WorkspaceError
from . import schema

__all__ = ["export", "rebuild"]


def export(ws, directory) -> Path:
    """Write every table of ``ws`` to ``directory/<table>.parquet`` plus ``manifest.json``.

    Returns the manifest's path. Files are written to temporary names and renamed.
    """
    from ..files import atomic_path, sha256

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tables = []
    with ws._read() as con:
        version = con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]
        for table in schema.TABLE_ORDER:
            target = directory / f"{table}.parquet"
            with atomic_path(target) as tmp:
                cols = ", ".join(f'"{c}"' for c in schema.columns(table))
                con.execute(
                    f"COPY (SELECT {cols} FROM \"{table}\") TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)"
                )
            rows = con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
            tables.append(
                {
                    "table": table,
                    "file": target.name,
                    "rows": int(rows),
                    "columns": schema.columns(table),
                    "sha256": sha256(target),
                }
            )
    manifest = {
        "format": "omsmethod-workspace-export",
        "schema_version": int(version),
        "tables": tables,
    }
    target = directory / "manifest.json"
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return target


def rebuild(directory, path, overwrite: bool = False):
    """Create a workspace at ``path`` from an :func:`export` directory.

    Raises
    ------
    WorkspaceError
        No manifest, a file missing or with a different SHA-256, or an export of a newer
        schema than this omsmethod knows.
    """
    from ..files import atomic_path, sha256
    from .store import Workspace, connect

    directory = Path(directory)
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file():
        raise WorkspaceError(
            "no manifest.json in the export folder",
            file=str(directory),
            hint="give the folder written by ws.export()",
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("schema_version") != schema.SCHEMA_VERSION:
        raise WorkspaceError(
            f"the export has schema version {manifest.get('schema_version')}, this omsmethod "
            f"writes {schema.SCHEMA_VERSION}",
            file=str(manifest_path),
        )
    for entry in manifest["tables"]:
        file = directory / entry["file"]
        if not file.is_file() or sha256(file) != entry["sha256"]:
            raise WorkspaceError(
                "an exported table is missing or was changed (SHA-256 differs)",
                file=str(file),
                hint="export the workspace again",
            )
    path = Path(path)
    if path.exists() and not overwrite:
        raise WorkspaceError("the file already exists", file=str(path), hint="pass overwrite=True")
    with atomic_path(path) as tmp:
        tmp.unlink()
        with connect(tmp, write=True) as con:
            con.begin()
            for table in schema.TABLE_ORDER:
                con.execute(schema.ddl(table))
            for entry in manifest["tables"]:
                cols = ", ".join(f'"{c}"' for c in entry["columns"])
                file = str(directory / entry["file"]).replace("'", "''")
                con.execute(
                    f"INSERT INTO \"{entry['table']}\" ({cols}) SELECT {cols} FROM read_parquet('{file}')"
                )
                got = con.execute(f'SELECT count(*) FROM "{entry["table"]}"').fetchall()[0][0]
                if got != entry["rows"]:
                    raise WorkspaceError(
                        f"table {entry['table']} has {got} rows, the manifest says {entry['rows']}",
                        file=file,
                    )
            con.commit()
            con.execute("CHECKPOINT")
    return Workspace.open(path)
