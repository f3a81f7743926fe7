"""Workspace files: create/open, versioned imports, reading back, migrations, bad files."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from omsmethod import instrument, scoring
from omsmethod.errors import InputError, OMSError, WorkspaceError
from omsmethod.workspace import SCHEMA_VERSION, Workspace, schema


def test_create_refuses_existing_file(tmp_path):
    path = tmp_path / "w.oms"
    Workspace.create(path)
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(path)
    assert Workspace.open(path).schema_version == SCHEMA_VERSION


def test_constructor_is_not_public(tmp_path):
    with pytest.raises(WorkspaceError, match="Workspace.create"):
        Workspace(tmp_path / "x.oms")


def test_import_records_provenance(small_ws, small_files):
    from omsmethod.files import sha256

    imports = small_ws.imports()
    assert imports[["wave", "instrument", "unit", "rows", "version"]].iloc[0].tolist() == [
        1,
        "customer",
        "*",
        400,
        1,
    ]
    assert imports["sha256"].iloc[0] == sha256(small_files[1])
    assert imports["imported_by"].iloc[0]
    assert pd.isna(imports["superseded_by"].iloc[0])
    waves = small_ws.waves()
    assert waves["respondents"].tolist() == [400]
    # the wave's dates come from the data when not declared
    data = pd.read_csv(small_files[1])
    assert str(waves["start_date"].iloc[0].date()) == data["date"].min()
    assert str(waves["end_date"].iloc[0].date()) == data["date"].max()


def test_same_file_twice_is_a_no_op(small_ws, small_files, snapshot, assert_same_tables):
    before = snapshot(small_ws)
    result = small_ws.import_responses(small_files[1], "customer", wave=1)
    assert result.status == "unchanged"
    assert "already imported" in result.message
    assert_same_tables(before, snapshot(small_ws))


def test_replacing_keeps_the_old_version(small_ws, small_files, tmp_path):
    changed = pd.read_csv(small_files[1])
    changed.loc[0, "cus1"] = 1 if changed.loc[0, "cus1"] != 1 else 2
    path = tmp_path / "fixed.csv"
    changed.to_csv(path, index=False)
    with pytest.raises(WorkspaceError, match="replace=True"):
        small_ws.import_responses(path, "customer", wave=1)
    result = small_ws.import_responses(path, "customer", wave=1, replace=True)
    assert (result.status, result.version, result.import_id) == ("replaced", 2, 2)
    imports = small_ws.imports()
    assert imports["superseded_by"].tolist()[0] == 2
    assert small_ws.query("SELECT count(*) AS n FROM respondents")["n"].iloc[0] == 800
    current = small_ws.responses("customer")
    assert len(current) == 400
    assert current.loc[0, "cus1"] == changed.loc[0, "cus1"]
    every = small_ws.responses("customer", all_versions=True)
    assert len(every) == 800
    assert sorted(every["import_id"].unique()) == [1, 2]


def test_unit_files_and_clashes(tmp_path, small_files):
    ws = Workspace.create(tmp_path / "u.oms")
    data = pd.read_csv(small_files[1])
    for unit, part in data.groupby("unit"):
        path = tmp_path / f"{unit}.csv"
        part.to_csv(path, index=False)
        assert ws.import_responses(path, "customer", wave=1, unit=unit).status == "imported"
    assert len(ws.responses("customer", wave=1)) == len(data)
    # the whole-wave file overlaps the units' files
    with pytest.raises(WorkspaceError, match="already in wave 1"):
        ws.import_responses(small_files[1], "customer", wave=1)
    # a unit file holding another unit
    with pytest.raises(InputError, match="units other than"):
        ws.import_responses(tmp_path / "B01.csv", "customer", wave=1, unit="B02", replace=True)


def test_wave_column_must_agree(small_ws, small_files):
    with pytest.raises(InputError, match="not wave 3"):
        small_ws.import_responses(small_files[2], "customer", wave=3)


def test_wave_data_round_trips_read_responses(small_ws, small_files):
    expected = instrument.read_responses(small_files[1], "customer")
    got = small_ws.wave_data(1, "customer")
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_scores_match_scoring_score(small_ws, small_files):
    responses = instrument.read_responses(small_files[1], "customer")
    expected = scoring.score(responses, "customer")
    got = small_ws.scores("customer", wave=1)
    cols = scoring.score_columns(expected)
    assert scoring.score_columns(got) == cols
    np.testing.assert_allclose(got[cols].to_numpy(), expected[cols].to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["service_100"], expected["service_100"], atol=1e-12)
    assert got["stratum"].equals(expected["unit"].astype(str))
    np.testing.assert_array_equal(got["fpc"], expected["N_customers"])
    assert got["city_tier"].tolist() == expected["city_tier"].tolist()


def test_questionnaire_versions_are_kept(small_ws, small_files, tmp_path):
    # a later questionnaire version drops an item: both definitions are stored
    raw = instrument.load("customer").to_dict()
    raw["version"] = "2"
    section = next(s for s in raw["sections"] if any(i["id"] == "cus4" for i in s["items"]))
    section["items"] = [i for i in section["items"] if i["id"] != "cus4"]
    v2 = instrument.from_dict(raw)
    data = pd.read_csv(small_files[2]).drop(columns="cus4")
    path = tmp_path / "v2.csv"
    data.to_csv(path, index=False)
    small_ws.import_responses(path, v2, wave=2)
    stored = small_ws.query("SELECT version, definition FROM instruments ORDER BY version")
    assert stored["version"].tolist() == [instrument.load("customer").version, "2"]
    rebuilt = instrument.from_dict(json.loads(stored["definition"].iloc[1]))
    assert rebuilt.checksum() == v2.checksum()
    both = small_ws.responses("customer")
    assert both.loc[both["wave"] == 2, "cus4"].isna().all()
    assert both.loc[both["wave"] == 1, "cus4"].notna().any()


def _bad_files(tmp_path, good):
    data = pd.read_csv(good)
    out = {}
    a = data.copy()
    a.loc[3, "ser1"] = 9
    out["outside the scale"] = a
    b = data.copy()
    b.loc[5, "respondent_id"] = b.loc[4, "respondent_id"]
    out["duplicate respondent id"] = b
    out["item column is missing"] = data.drop(columns="ser2")
    c = data.copy().astype({"cus2": object})
    c.loc[7, "cus2"] = "good"
    out["not a number"] = c
    paths = {}
    for name, frame in out.items():
        paths[name] = tmp_path / f"{name.replace(' ', '_')}.csv"
        frame.to_csv(paths[name], index=False)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    paths["empty"] = empty
    return paths


@pytest.mark.parametrize(
    "problem",
    [
        "outside the scale",
        "duplicate respondent id",
        "item column is missing",
        "not a number",
        "empty",
    ],
)
def test_rejected_files_leave_the_workspace_unchanged(
    small_ws, small_files, tmp_path, problem, snapshot, assert_same_tables
):
    path = _bad_files(tmp_path, small_files[2])[problem]
    before = snapshot(small_ws)
    with pytest.raises(InputError, match=problem):
        small_ws.import_responses(path, "customer", wave=2)
    assert_same_tables(before, snapshot(small_ws))


@pytest.mark.parametrize(
    "content", [b"", b"hello, this is not a database\n" * 100, "duckdb-foreign"]
)
def test_open_rejects_foreign_files_without_touching_them(tmp_path, content):
    import duckdb

    path = tmp_path / "client.oms"
    if content == "duckdb-foreign":
        con = duckdb.connect(str(path))
        con.execute("CREATE TABLE t AS SELECT 42 AS answer")
        con.close()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    with pytest.raises(WorkspaceError):
        Workspace.open(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["client.oms"]


def test_open_missing_file(tmp_path):
    with pytest.raises(WorkspaceError, match="no workspace"):
        Workspace.open(tmp_path / "nothing.oms")


def test_corrupted_workspace_gives_workspace_error(tmp_path):
    path = tmp_path / "w.oms"
    Workspace.create(path)
    raw = bytearray(path.read_bytes())
    raw[0:4096] = b"\x00" * 4096  # destroy the main header
    path.write_bytes(bytes(raw))
    before = path.read_bytes()
    with pytest.raises(WorkspaceError):
        Workspace.open(path)
    assert path.read_bytes() == before


def _make_v0(path):
    """The v0 draft layout by hand: info_log without unit/impact/summary_en, no actions/channels/weights."""
    import duckdb

    con = duckdb.connect(str(path))
    for table in schema.TABLE_ORDER:
        if table in ("actions", "channels", "weights", "info_log"):
            continue
        con.execute(schema.ddl(table))
    con.execute("""CREATE TABLE info_log (entry_id INTEGER PRIMARY KEY, category VARCHAR, date DATE,
                   subsystems VARCHAR, source VARCHAR, summary VARCHAR, added_at TIMESTAMP, added_by VARCHAR)""")
    con.execute("INSERT INTO schema_version VALUES (0, TIMESTAMP '2026-01-01 00:00:00', 'draft')")
    con.execute("""INSERT INTO info_log VALUES (1, 'mass_media', DATE '2026-01-05', 'brand', 'press',
                   'old entry', TIMESTAMP '2026-01-05 10:00:00', 'alice')""")
    con.close()


def test_old_schema_is_migrated_after_a_backup(tmp_path):
    path = tmp_path / "old.oms"
    _make_v0(path)
    original = path.read_bytes()
    ws = Workspace.open(path)
    assert ws.schema_version == SCHEMA_VERSION
    assert ws.backup.read_bytes() == original
    assert ws.backup.name == "old.oms.v0.bak"
    old = ws.log_entries()
    assert old[["entry_id", "summary", "unit"]].iloc[0].tolist() == [1, "old entry", None]
    ws.log("internal", "2026-02-01", "new entry", unit="B01", impact="positive")
    ws.action("2026-02-02", "B01", "service", "training")
    assert ws.log_entries(unit="B01")["summary"].tolist() == ["old entry", "new entry"]
    versions = ws.query("SELECT version FROM schema_version ORDER BY version")["version"].tolist()
    assert versions == [0, 1]


def test_newer_schema_is_refused(tmp_path):
    import duckdb

    path = tmp_path / "new.oms"
    Workspace.create(path)
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version VALUES (99, now()::TIMESTAMP, 'future')")
    con.close()
    with pytest.raises(WorkspaceError, match="newer"):
        Workspace.open(path)


def test_import_frame_and_units(tmp_path, small_files):
    ws = Workspace.create(tmp_path / "f.oms")
    ws.add_units(small_files["branches"])
    units = ws.units()
    branches = small_files["branches"]
    assert set(units.loc[units["level"] == "branch", "unit"]) == set(branches["unit"])
    assert set(units.loc[units["level"] == "region", "unit"]) == set(branches["region"])
    b01 = units.set_index("unit").loc["B01"]
    assert b01["parent"] == branches.set_index("unit").at["B01", "region"]
    assert b01["N_customers"] == branches.set_index("unit").at["B01", "N_customers"]
    frame = instrument.read_responses(small_files[1], "customer")
    assert ws.import_frame(frame, "customer", wave=1).status == "imported"
    assert ws.import_frame(frame, "customer", wave=1).status == "unchanged"
    bad = frame.copy()
    bad.loc[2, "respondent_id"] = None
    with pytest.raises(InputError, match="empty or repeated"):
        ws.import_frame(bad, "customer", wave=2)
    assert len(ws.channels()) == 4


def test_unit_data_accepts_the_operations_layout(tmp_path):
    from omsmethod import datasets

    ws = Workspace.create(tmp_path / "o.oms")
    path = datasets.sample_data_dir() / "units.csv"
    original = pd.read_csv(path)
    ws.import_unit_data(path, period="2026 Q1")
    back = ws.unit_data().set_index("unit").loc[original["unit"]]
    np.testing.assert_allclose(back["aht"].astype(float), original["aht"])
    assert back["channel"].tolist() == original["channel"].tolist()


def test_unknown_design_key(small_ws):
    with pytest.raises(OMSError, match="unknown design key"):
        small_ws.add_wave(3, design={"stratum": "unit"})


def test_copy_of_a_workspace_opens(tmp_path, small_ws):
    copy = tmp_path / "copy.oms"
    shutil.copy(small_ws.path, copy)
    assert len(Workspace.open(copy).responses("customer")) == 400


def test_summary_and_html(small_ws):
    counts = small_ws.summary().set_index("table")["rows"]
    assert counts["respondents"] == 400 and counts["imports"] == 1 and counts["channels"] == 4
    assert counts["answers"] == small_ws.query("SELECT count(*) AS n FROM answers")["n"].iloc[0]
    assert "<table" in small_ws._repr_html_() and "wave 1" in small_ws._repr_html_()
