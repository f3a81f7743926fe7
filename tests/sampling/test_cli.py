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


CLUS1 = ["--weights", "pw", "--psu", "dnum", "--fpc", "fpc"]


def _r_rows(reference, design, variable="api00", estimator="mean"):
    ref = reference[
        (reference["design"] == design)
        & (reference["estimator"] == estimator)
        & (reference["variable"] == variable)
    ]
    overall = ref[ref["by"].isna()].iloc[0]
    by = ref[ref["by"] == "stype"].set_index("domain")
    return overall, by


def _estimate(tmp_path, extra, by=False):
    out = tmp_path / "out.csv"
    argv = ["estimate", str(FIXTURES / "apiclus1.csv"), *CLUS1, "--mean", "api00", *extra]
    assert _run([*argv, *(["--by", "stype"] if by else []), "-o", str(out)]) == 0
    return pd.read_csv(out)


def _assert_r(got, row):
    for stat in ("estimate", "se", "ci_low", "ci_high"):
        assert got[stat] == pytest.approx(row[stat], rel=1e-8), stat


def _margin_files(tmp_path):
    long = tmp_path / "margins.csv"
    pd.DataFrame(
        {
            "variable": ["stype"] * 3 + ["sch.wide"] * 2,
            "level": ["E", "H", "M", "No", "Yes"],
            "N": [4421, 755, 1018, 1072, 5122],
        }
    ).to_csv(long, index=False)
    stype, schwide = tmp_path / "stype.csv", tmp_path / "schwide.csv"
    pd.DataFrame({"stype": ["E", "H", "M"], "N": [4421, 755, 1018]}).to_csv(stype, index=False)
    pd.DataFrame({"sch.wide": ["No", "Yes"], "N": [1072, 5122]}).to_csv(schwide, index=False)
    return long, stype, schwide


def test_rake_options_match_r(tmp_path, reference):
    """--rake FILE and --margin COL=FILE both give R's rake(clus1, ~stype, ~sch.wide)."""
    long, stype, schwide = _margin_files(tmp_path)
    overall, by = _r_rows(reference, "clus1_rk")
    a = _estimate(tmp_path, ["--rake", str(long)])
    b = _estimate(tmp_path, ["--margin", f"stype={stype}", "--margin", f"sch.wide={schwide}"])
    pd.testing.assert_frame_equal(a, b)
    _assert_r(a.iloc[0], overall)
    domains = _estimate(tmp_path, ["--rake", str(long)], by=True).set_index("stype")
    for level in ("E", "H", "M"):
        _assert_r(domains.loc[level], by.loc[level])


def test_calibrate_option_matches_r(tmp_path, reference):
    """--calibrate FILE (every stype level, a numeric total) = R calibrate(~stype+api99)."""
    totals = tmp_path / "totals.csv"
    pd.DataFrame(
        {
            "variable": ["stype", "stype", "stype", "api99"],
            "level": ["E", "H", "M", None],
            "N": [4421, 755, 1018, 3914069],
        }
    ).to_csv(totals, index=False)
    got = _estimate(tmp_path, ["--calibrate", str(totals)])
    _assert_r(got.iloc[0], _r_rows(reference, "clus1_cal_lin")[0])
    logit = _estimate(
        tmp_path,
        ["--calibrate", str(totals), "--calibrate-method", "logit", "--bounds", "0.7", "1.7"],
    )
    _assert_r(logit.iloc[0], _r_rows(reference, "clus1_cal_logit")[0])


def test_replicate_options_match_r(tmp_path, reference):
    """--replicates JK1 (built) and --repweights REGEX (delivered R weights) = R's JK1."""
    overall, by = _r_rows(reference, "rep_clus1_JK1")
    built = _estimate(tmp_path, ["--replicates", "JK1"], by=True).set_index("stype")
    for level in ("E", "H", "M"):
        _assert_r(built.loc[level], by.loc[level])
    data = pd.read_csv(FIXTURES / "apiclus1.csv").join(
        pd.read_csv(FIXTURES / "rep_clus1_JK1.csv").add_prefix("w_")
    )
    path = tmp_path / "delivered.csv"
    data.to_csv(path, index=False)
    scale = pd.read_csv(FIXTURES / "rep_clus1_JK1_meta.csv")["scale"].iloc[0]
    out = tmp_path / "rep.csv"
    argv = ["estimate", str(path), "--weights", "pw", "--repweights", "w_rep[0-9]+"]
    argv += ["--rep-type", "JK1", "--scale", repr(float(scale)), "--mean", "api00", "-o", str(out)]
    assert _run(argv) == 0
    _assert_r(pd.read_csv(out).iloc[0], overall)
    # re-weighting every replicate: R's rake(as.svrepdesign(clus1, "JK1"), ...)
    long, _, _ = _margin_files(tmp_path)
    raked = _estimate(tmp_path, ["--replicates", "JK1", "--rake", str(long)])
    _assert_r(raked.iloc[0], _r_rows(reference, "rep_clus1_JK1_rk")[0])


def test_cli_weighting_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"variable": ["stype"], "N": [1]}).to_csv(bad, index=False)
    with pytest.raises(OMSError, match="variable, level, N"):
        _estimate(tmp_path, ["--rake", str(bad)])
    with pytest.raises(OMSError, match="COL=FILE"):
        _estimate(tmp_path, ["--margin", "stype"])
    with pytest.raises(OMSError, match="--weights"):
        _run(["estimate", str(FIXTURES / "apiclus1.csv"), "--repweights", "x", "--mean", "api00"])
