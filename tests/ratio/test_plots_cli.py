"""Figures (bilingual) and the thin ``staffing`` CLI."""

import argparse

import pandas as pd
import pytest

from omsmethod.cli import staffing
from omsmethod.errors import OMSError
from omsmethod.ratio import (
    allocate_staff,
    fit_response,
    optimise_ratio,
    plot_allocation,
    plot_curve,
)


@pytest.fixture(scope="module")
def optimum():
    import omsmethod as oms

    fit = fit_response(oms.datasets.load("units"), "customers_per_staff", "satisfaction")
    return optimise_ratio(fit, 5.0, 60000.0, customers=1e5, n_boot=50, seed=2)


@pytest.mark.parametrize(
    "lang, title", [("en", "Customers per staff member"), ("zh", "每名员工服务客户数")]
)
def test_plot_curve(optimum, lang, title):
    fig = plot_curve(optimum, lang=lang)
    assert fig.layout.xaxis.title.text == title
    names = [t.name for t in fig.data]
    assert len(names) == 4  # band, fit, observed, net value
    net = fig.data[3]
    assert max(net.y) == pytest.approx(optimum["net_value"])
    with pytest.raises(OMSError, match="language"):
        plot_curve(optimum, lang="fr")


def test_plot_curve_with_min_outcome_and_response_only(optimum):
    fit = optimum.response
    capped = optimise_ratio(fit, 5.0, 60000.0, customers=1e5, n_boot=0, min_outcome=75)
    fig = plot_curve(capped)
    net = pd.Series(fig.data[3].y, dtype=float)
    assert net.isna().any() and net.notna().any()  # infeasible ratios are gaps
    fig.to_json()  # serialisable (no infinities)
    only = plot_curve(fit, show_data=False)
    assert len(only.data) == 2


def test_plot_allocation(optimum):
    import omsmethod as oms

    units = oms.datasets.load("units").head(6)
    plan = allocate_staff(
        units, 120, optimum.response, value_per_customer_point=5.0, staff_cost=60000.0
    )
    fig = plot_allocation(plan, lang="zh")
    assert list(fig.data[0].y) == plan["min_staff"].tolist()
    assert list(fig.data[1].y) == plan["added"].tolist()
    assert fig.layout.title.text == "各单位员工分配"


def _parser():
    parser = argparse.ArgumentParser(prog="omsmethod")
    staffing.register(parser.add_subparsers(dest="command"))
    return parser


def test_cli_single_interval(capsys):
    args = _parser().parse_args(
        [
            "staffing",
            "--arrivals",
            "100",
            "--aht",
            "180",
            "--target-sl",
            "0.8",
            "--target-time",
            "20",
            "--interval",
            "1800",
            "--shrinkage",
            "0.3",
        ]
    )
    assert args.func(args) == 0
    out = capsys.readouterr().out
    header, row = out.strip().splitlines()
    values = dict(zip(header.split(), row.split(), strict=True))
    assert values["agents"] == "14" and values["scheduled_staff"] == "20"
    assert values["service_level"] == "0.888"


def test_cli_intervals_file(tmp_path, capsys):
    src = tmp_path / "week.csv"
    pd.DataFrame({"arrivals": [0, 100, 250], "aht": [180, 180, 180]}).to_csv(src, index=False)
    out = tmp_path / "plan.csv"
    args = _parser().parse_args(
        ["staffing", "--intervals", str(src), "--aht", "aht", "-o", str(out), "--patience", "120"]
    )
    assert args.func(args) == 0
    plan = pd.read_csv(out)
    assert plan["agents"].iloc[0] == 0 and plan["agents"].iloc[1] >= 10
    assert "wrote 3 rows" in capsys.readouterr().out


def test_cli_errors_are_oms_errors(tmp_path):
    args = _parser().parse_args(["staffing", "--arrivals", "-5"])
    with pytest.raises(OMSError, match="arrival_rate"):
        args.func(args)
    args = _parser().parse_args(["staffing", "--intervals", str(tmp_path / "none.csv")])
    with pytest.raises(OMSError, match="not found"):
        args.func(args)
