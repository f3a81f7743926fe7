"""The ``omsmethod workspace`` subcommands (parser built from this module's register())."""

from __future__ import annotations

import argparse
import io

import pandas as pd
import pytest

from omsmethod.cli import workspace as cli


def run(argv, capsys):
    parser = argparse.ArgumentParser(prog="omsmethod")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code = args.func(args)
    return code, capsys.readouterr().out


@pytest.mark.parametrize("action", ["init", "import", "waves", "log", "trend", "alerts", "export"])
def test_help(action, capsys):
    with pytest.raises(SystemExit) as info:
        run(["workspace", action, "--help"], capsys)
    assert info.value.code == 0
    assert "workspace" in capsys.readouterr().out


def test_end_to_end(tmp_path, small_files, capsys):
    path = str(tmp_path / "c.oms")
    assert run(["workspace", "init", path, "--client", "Demo"], capsys)[0] == 0
    code, out = run(
        [
            "workspace",
            "import",
            path,
            str(small_files[1]),
            "--instrument",
            "customer",
            "--wave",
            "1",
        ],
        capsys,
    )
    assert code == 0 and "imported 400 customer responses into wave 1" in out
    _, out = run(
        [
            "workspace",
            "import",
            path,
            str(small_files[1]),
            "--instrument",
            "customer",
            "--wave",
            "1",
        ],
        capsys,
    )
    assert "nothing to do" in out
    run(
        [
            "workspace",
            "import",
            path,
            str(small_files[2]),
            "--instrument",
            "customer",
            "--wave",
            "2",
        ],
        capsys,
    )
    _, out = run(["workspace", "waves", path], capsys)
    assert pd.read_csv(io.StringIO(out))["respondents"].tolist() == [400, 400]
    _, out = run(
        ["workspace", "log", path, "--add", "internal", "2026-04-01", "training", "--unit", "B02"],
        capsys,
    )
    assert "added log entry 1" in out
    _, out = run(["workspace", "log", path], capsys)
    assert pd.read_csv(io.StringIO(out))["summary"].tolist() == ["training"]
    _, out = run(["workspace", "trend", path, "--subsystem", "service", "--by", "none"], capsys)
    trend = pd.read_csv(io.StringIO(out))
    assert trend["wave"].tolist() == [1, 2] and trend["subsystem"].eq("service").all()
    target = tmp_path / "alerts.csv"
    run(["workspace", "alerts", path, "-o", str(target)], capsys)
    alerts = pd.read_csv(target)
    assert ((alerts["unit"] == "B02") & (alerts["subsystem"] == "service")).any()
    _, out = run(["workspace", "export", path, str(tmp_path / "exp")], capsys)
    assert (tmp_path / "exp" / "manifest.json").exists()
