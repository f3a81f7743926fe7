"""The assessment report read from an engagement workspace shows the change since the last wave."""

import pytest

from omsmethod.datasets.engagement import build_demo_workspace
from omsmethod.report import render


@pytest.mark.slow
def test_report_from_workspace_shows_change_and_alerts(tmp_path, root):
    path = tmp_path / "engagement.duckdb"
    build_demo_workspace(path, files=False)
    out = render(root / "notebooks" / "assessment_report.ipynb", {"workspace": str(path), "lang": "en"},
                 tmp_path / "wave4.html")
    page = out.read_text(encoding="utf-8")
    assert "Change since the last wave" in page
    assert "Wave 4 against wave 3" in page
    # the planted wave-4 change at B03 (information, after a policy entry in the log) is an alert
    alerts = page[page.index("Early warnings"):]
    assert "<td>B03</td>" in alerts and "political_economic" in alerts


@pytest.mark.slow
def test_branch_report(tmp_path, root):
    out = render(root / "notebooks" / "assessment_report.ipynb", {"unit": "B07", "n_boot": 50}, tmp_path / "b07.html")
    page = out.read_text(encoding="utf-8")
    assert "<td>167</td>" in page, "the branch's 167 customers"
    assert "<td>5000</td>" not in page
