"""The sampling CLI subcommands call the library and write CSV."""

from __future__ import annotations

import argparse

import pandas as pd
import pytest

from omsmethod.cli.sampling import register
from omsmethod.errors import OMSError
from omsmethod.sampling import Design, allocate

from .conftest import FIXTURES


def _run(argv):
    parser = argparse.ArgumentParser(prog="omsmethod")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_estimate_writes_same_table_as_library(tmp_path, api):
    out = tmp_path / "est.csv"
    code = _run(
        [
            "estimate",
            str(FIXTURES / "apistrat.csv"),
            "--weights",
            "pw",
            "--strata",
            "stype",
            "--fpc",
            "fpc",
            "--mean",
            "api00",
            "--mean",
            "api99",
            "--by",
            "awards",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    got = pd.read_csv(out)
    want = Design(api("apistrat"), weights="pw", strata="stype", fpc="fpc").mean(
        ["api00", "api99"], by="awards"
    )
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-12)
    assert [p.name for p in tmp_path.iterdir()] == ["est.csv"]  # no temp file left


def test_sample_size_and_allocate_to_stdout(tmp_path, capsys):
    assert _run(["sample-size", "--moe", "0.05", "-N", "1000"]) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith(",278")
    strata = tmp_path / "strata.csv"
    pd.DataFrame({"stratum": [1, 2], "N": [16, 48], "S": [232.04, 74.71]}).to_csv(
        strata, index=False
    )
    assert _run(["allocate", str(strata), "--n", "24", "--method", "neyman", "--S", "S"]) == 0
    got = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    pd.testing.assert_frame_equal(got, allocate(pd.read_csv(strata), 24, "neyman", S="S"))


def test_cli_errors_are_oms_errors(tmp_path):
    with pytest.raises(OMSError, match="file not found"):
        _run(["estimate", str(tmp_path / "missing.csv"), "--mean", "x"])
