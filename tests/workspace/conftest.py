"""Fixtures for the workspace tests: a small two-wave workspace and the demo engagement."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def small_files(tmp_path_factory):
    """Two waves of a small synthetic chain written as CSV files (customer survey)."""
    from omsmethod.datasets.enterprise import synthetic

    folder = tmp_path_factory.mktemp("small")
    shifts = pd.DataFrame({"unit": ["B02"], "subsystem": ["service"], "shift": [1.0]})
    files = {}
    for wave in (1, 2):
        e = synthetic(
            n_customers=400,
            n_staff=40,
            n_partners=10,
            n_units=5,
            seed=11,
            wave=wave,
            shifts=shifts if wave == 2 else None,
        )
        path = folder / f"customer_{wave}.csv"
        e.customer.to_csv(path, index=False)
        files[wave] = path
    files["branches"] = e.branches
    return files


@pytest.fixture(scope="session")
def small_master(tmp_path_factory, small_files):
    """A workspace with wave 1 imported (tests get copies of it)."""
    from omsmethod.workspace import Workspace

    ws = Workspace.create(tmp_path_factory.mktemp("small_ws") / "small.oms", client="test")
    ws.import_responses(small_files[1], "customer", wave=1)
    return ws.path


@pytest.fixture
def small_ws(tmp_path, small_master):
    """A fresh copy of the workspace with wave 1 imported."""
    from omsmethod.workspace import Workspace

    path = tmp_path / "small.oms"
    shutil.copy(small_master, path)
    return Workspace.open(path)


@pytest.fixture(scope="session")
def two_wave_master(tmp_path_factory, small_master, small_files):
    """The small workspace with wave 2 imported too."""
    from omsmethod.workspace import Workspace

    path = tmp_path_factory.mktemp("two_waves") / "small.oms"
    shutil.copy(small_master, path)
    Workspace.open(path).import_responses(small_files[2], "customer", wave=2)
    return path


@pytest.fixture
def two_waves(tmp_path, two_wave_master):
    """A fresh copy of the small workspace with waves 1 and 2 (B02's service planted +1 SD)."""
    from omsmethod.workspace import Workspace

    path = tmp_path / "two.oms"
    shutil.copy(two_wave_master, path)
    return Workspace.open(path)


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory):
    """The demo engagement (4 waves × 30 branches × 5,000 customers), customers only."""
    from omsmethod.datasets.engagement import build_demo_workspace

    path = tmp_path_factory.mktemp("demo") / "demo.oms"
    ws, eng = build_demo_workspace(path, surveys=("customer",), files=False)
    return ws, eng


@pytest.fixture
def demo(tmp_path, demo_master):
    """A private copy of the demo workspace (tests may change it)."""
    from omsmethod.workspace import Workspace

    ws, eng = demo_master
    path = tmp_path / "demo.oms"
    shutil.copy(ws.path, path)
    return Workspace.open(path), eng


@pytest.fixture
def snapshot():
    """``snapshot(ws)``: every table's contents."""
    return _table_snapshot


@pytest.fixture
def assert_same_tables():
    """``assert_same_tables(before, after)``: every table unchanged."""
    return _assert_same_tables


def _table_snapshot(ws) -> dict:
    """Every table's contents, for 'nothing changed' assertions."""
    from omsmethod.workspace import schema

    out = {}
    with ws._read() as con:
        for table in schema.TABLE_ORDER:
            out[table] = con.execute(f'SELECT * FROM "{table}" ORDER BY ALL').df()
    return out


def _assert_same_tables(before: dict, after: dict) -> None:
    assert before.keys() == after.keys()
    for table in before:
        pd.testing.assert_frame_equal(before[table], after[table], check_dtype=False, obj=table)
