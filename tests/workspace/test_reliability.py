"""Nothing lost: an import killed mid-way, two writers at once, a busy workspace."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from omsmethod.errors import WorkspaceBusyError
from omsmethod.workspace import Workspace


def _python(code: str, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"child ended early: {proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("child did not reach the marker")
        time.sleep(0.05)


def test_import_killed_mid_way_leaves_the_workspace_as_before(
    small_ws, small_files, tmp_path, snapshot, assert_same_tables
):
    before = snapshot(small_ws)
    marker = tmp_path / "inside-transaction"
    # the child imports a large wave; after the respondents and answers are written (inside the
    # transaction, before COMMIT) it signals and waits to be killed
    child = _python(
        """
        import sys, time, pathlib
        import numpy as np, pandas as pd
        from omsmethod import instrument
        from omsmethod.workspace import Workspace, importing
        path, source, marker = sys.argv[1:4]
        original = importing._insert_scores
        def slow(con, row_id, scores):
            original(con, row_id, scores)
            pathlib.Path(marker).write_text("x")
            time.sleep(120)
        importing._insert_scores = slow
        frame = instrument.read_responses(source, "customer")
        big = pd.concat([frame] * 100, ignore_index=True)
        big["respondent_id"] = [f"R{i}" for i in range(len(big))]
        big["wave"] = 2
        Workspace.open(path).import_frame(big, "customer", wave=2)
        """,
        small_ws.path,
        small_files[2],
        marker,
    )
    _wait_for(marker, child)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    reopened = Workspace.open(small_ws.path)
    assert_same_tables(before, snapshot(reopened))
    # and the workspace still works
    assert reopened.import_responses(small_files[2], "customer", wave=2).status == "imported"


def test_two_writers_in_turn(small_ws, small_files, tmp_path):
    """Two processes import at the same time: both succeed, one after the other."""
    code = """
        import sys
        from omsmethod.workspace import Workspace
        path, source, wave = sys.argv[1:4]
        ws = Workspace.open(path, timeout=120)
        print(ws.import_responses(source, "customer", wave=int(wave)).status)
        """
    copy2 = tmp_path / "second.csv"
    import pandas as pd

    pd.read_csv(small_files[2]).assign(wave=3).to_csv(copy2, index=False)
    a = _python(code, small_ws.path, small_files[2], 2)
    b = _python(code, small_ws.path, copy2, 3)
    out_a, err_a = a.communicate(timeout=180)
    out_b, err_b = b.communicate(timeout=180)
    assert (a.returncode, b.returncode) == (0, 0), err_a + err_b
    assert out_a.strip() == out_b.strip() == "imported"
    assert sorted(small_ws.waves()["wave"]) == [1, 2, 3]
    assert small_ws.imports()["rows"].tolist() == [400, 400, 400]


def test_a_held_workspace_is_busy(small_ws, tmp_path):
    marker = tmp_path / "holding"
    holder = _python(
        """
        import sys, time, pathlib, duckdb
        con = duckdb.connect(sys.argv[1])
        pathlib.Path(sys.argv[2]).write_text("x")
        time.sleep(60)
        """,
        small_ws.path,
        marker,
    )
    try:
        _wait_for(marker, holder)
        ws = small_ws
        ws.timeout = 0.3
        started = time.monotonic()
        with pytest.raises(WorkspaceBusyError, match="busy") as info:
            ws.log("internal", "2026-05-01", "blocked")
        assert time.monotonic() - started >= 0.3
        assert info.value.file == str(small_ws.path)
        with pytest.raises(WorkspaceBusyError):
            Workspace.open(small_ws.path, timeout=0.2)
    finally:
        holder.kill()
        holder.wait()
    small_ws.timeout = 5.0
    assert small_ws.log("internal", "2026-05-01", "after release") == 1
