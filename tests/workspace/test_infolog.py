"""Information log (claim 7's six categories) and actions."""

from __future__ import annotations

import pandas as pd
import pytest

from omsmethod.errors import InputError, OMSError
from omsmethod.workspace import infolog

SIX = [
    "internal",
    "customer_demand",
    "mass_media",
    "market_competition",
    "socio_cultural",
    "political_economic",
]


def test_the_six_categories_are_claim_7s():
    table = infolog.categories()
    assert table["id"].tolist() == SIX
    assert table.loc[table["id"] == "mass_media", "name_zh"].item() == "大众媒体信息"


def test_unknown_category_lists_the_valid_ids(small_ws):
    with pytest.raises(OMSError) as info:
        small_ws.log("gossip", "2026-04-01", "heard something")
    text = str(info.value)
    assert "'gossip'" in text
    for category in SIX:
        assert category in text
    assert small_ws.log_entries().empty


def test_category_by_name_and_bad_subsystem(small_ws):
    small_ws.log("市场竞争信息", "2026-04-01", "对手降价", subsystems=["customer", "brand"])
    small_ws.log("Mass media", "2026-04-03", "press", subsystems="brand;pr")
    got = small_ws.log_entries()
    assert got["category"].tolist() == ["market_competition", "mass_media"]
    assert got["subsystems"].tolist() == ["customer,brand", "brand,pr"]
    assert got["category_en"].tolist() == ["Market competition", "Mass media"]
    with pytest.raises(OMSError, match="unknown subsystem"):
        small_ws.log("internal", "2026-04-01", "x", subsystems="marketing")


def test_queries_filter_by_category_period_subsystem_unit(small_ws):
    small_ws.log("internal", "2026-01-10", "all units", subsystems="staff")
    small_ws.log("internal", "2026-02-10", "B01 only", subsystems="service", unit="B01")
    small_ws.log("mass_media", "2026-03-10", "B02 only", subsystems="brand", unit="B02")
    small_ws.log("political_economic", "2026-04-10", "no subsystem")
    assert small_ws.log_entries(category="internal")["summary"].tolist() == [
        "all units",
        "B01 only",
    ]
    assert small_ws.log_entries(start="2026-02-01", end="2026-03-31")["summary"].tolist() == [
        "B01 only",
        "B02 only",
    ]
    assert small_ws.log_entries(subsystem="service")["summary"].tolist() == [
        "B01 only",
        "no subsystem",
    ]
    assert small_ws.log_entries(unit="B02")["summary"].tolist() == [
        "all units",
        "B02 only",
        "no subsystem",
    ]


def test_bulk_import_is_all_or_nothing(small_ws, tmp_path):
    good = pd.DataFrame(
        {
            "category": ["internal", "customer_demand"],
            "date": ["2026-05-01", "2026-05-02"],
            "summary": ["培训完成", "Customers ask for delivery"],
            "unit": ["B01", None],
            "subsystems": ["education", "service"],
        }
    )
    path = tmp_path / "log.csv"
    good.to_csv(path, index=False, encoding="utf-8-sig")
    assert small_ws.import_log(path) == 2
    assert small_ws.log_entries()["summary"].tolist() == ["培训完成", "Customers ask for delivery"]
    bad = good.copy()
    bad.loc[1, "category"] = "rumour"
    xlsx = tmp_path / "log.xlsx"
    bad.to_excel(xlsx, index=False)
    with pytest.raises(OMSError) as info:
        small_ws.import_log(xlsx)
    assert info.value.row == 3 and info.value.value == "rumour"
    bad_date = good.assign(date=["2026-05-01", "someday"])
    with pytest.raises(InputError, match="not a date"):
        small_ws.import_log(bad_date)
    assert len(small_ws.log_entries()) == 2


def test_actions(small_ws):
    assert small_ws.action("2026-04-20", "B01", "service", "queue training", owner="HR") == 1
    small_ws.action("2026-05-20", None, "education", "product course")
    assert small_ws.actions(unit="B01")["description"].tolist() == [
        "queue training",
        "product course",
    ]
    assert small_ws.actions(subsystem="service")["owner"].tolist() == ["HR"]
    with pytest.raises(InputError):
        small_ws.action("2026-05-20", None, "education", "")


def test_timeline_has_one_row_per_category(small_ws):
    small_ws.log("internal", "2026-01-10", "a")
    small_ws.log("political_economic", "2026-02-10", "b", unit="B01")
    fig = small_ws.plot_log(lang="zh")
    assert len(fig.data) == 6
    counts = {trace.name: len(trace.x) for trace in fig.data}
    assert (
        counts["企业内部信息"] == 1
        and counts["政治经济政策信息"] == 1
        and counts["大众媒体信息"] == 0
    )
