"""Parquet export with a manifest, and rebuilding a workspace from it."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from omsmethod.errors import WorkspaceError
from omsmethod.workspace import SCHEMA_VERSION, Workspace, schema


@pytest.fixture
def exported(two_waves, small_files, tmp_path):
    two_waves.log("market_competition", "2026-04-01", "对手开业", unit="B01", subsystems="customer")
    two_waves.action("2026-04-02", "B01", "service", "training")
    manifest = two_waves.export(tmp_path / "export")
    return two_waves, manifest


def test_manifest_lists_every_table(exported):
    from omsmethod.files import sha256

    ws, manifest = exported
    data = json.loads(manifest.read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION
    assert [t["table"] for t in data["tables"]] == list(schema.TABLE_ORDER)
    for entry in data["tables"]:
        file = manifest.parent / entry["file"]
        assert sha256(file) == entry["sha256"]
        assert pq.read_metadata(file).num_rows == entry["rows"]
        assert pq.read_schema(file).names == entry["columns"] == schema.columns(entry["table"])
    rows = {t["table"]: t["rows"] for t in data["tables"]}
    assert rows["respondents"] == 800 and rows["info_log"] == 1 and rows["actions"] == 1


def test_parquet_types_are_plain(exported):
    _, manifest = exported
    for file in manifest.parent.glob("*.parquet"):
        for field in pq.read_schema(file):
            t = field.type
            assert not pa.types.is_decimal(t), (file.name, field.name)
            if pa.types.is_timestamp(t):
                assert t.unit == "us" and t.tz is None, (file.name, field.name)
            assert (
                pa.types.is_string(t)
                or pa.types.is_integer(t)
                or pa.types.is_floating(t)
                or pa.types.is_boolean(t)
                or pa.types.is_timestamp(t)
                or pa.types.is_date32(t)
            ), (file.name, field.name, t)
    # readable by DuckDB without the workspace
    import duckdb

    con = duckdb.connect()
    n = con.execute(
        f"SELECT count(*) FROM read_parquet('{manifest.parent / 'answers.parquet'}')"
    ).fetchall()[0][0]
    assert n > 0
    con.close()


def test_rebuild_gives_the_same_workspace(exported, tmp_path, snapshot, assert_same_tables):
    ws, manifest = exported
    rebuilt = Workspace.from_export(manifest.parent, tmp_path / "rebuilt.oms")
    assert_same_tables(snapshot(ws), snapshot(rebuilt))
    assert rebuilt.trend().equals(ws.trend())


def test_tampered_export_is_refused(exported, tmp_path):
    _, manifest = exported
    target = manifest.parent / "info_log.parquet"
    table = pq.read_table(target)
    pq.write_table(table.slice(0, 0), target)
    with pytest.raises(WorkspaceError, match="SHA-256"):
        Workspace.from_export(manifest.parent, tmp_path / "x.oms")
    assert not (tmp_path / "x.oms").exists()
