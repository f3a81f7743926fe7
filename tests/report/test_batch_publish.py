"""Batch runs, the published index, the Excel tables and PDF output."""

import nbformat
import openpyxl
import pytest

from omsmethod.cli import main
from omsmethod.report import batch, publish, render, report_metadata

from .conftest import chromium


@pytest.fixture(scope="module")
def small_notebook(tmp_path_factory):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('client: str = "x"  # client name\nlang: str = "en"  # language\n'
                                  'fail: bool = False  # raise on purpose', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import pandas as pd\nimport plotly.express as px\nfrom omsmethod.report.display import setup\n"
            "ctx = setup(lang)\nassert not fail, 'asked to fail'\n"
            "table = pd.DataFrame({'subsystem': ['brand', 'vis'], 'estimate': [3.2, 4.1], 'n': [120, 3]})\n"
            "display(ctx.heading('status_heading'))\ndisplay(ctx.table(table, caption='scores'))\n"
            "px.bar(ctx.visible(table), x='subsystem', y='estimate')"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path_factory.mktemp("nb") / "small.ipynb"
    nbformat.write(nb, path)
    return path


def test_batch_keeps_going_and_publish_lists_the_reports(small_notebook, tmp_path):
    rows = [{"client": "North 北方"}, {"client": "Broken", "fail": True}, {"client": "<b>East</b>", "lang": "zh"}]
    result = batch(small_notebook, rows, tmp_path, jobs=2)
    assert result.table["ok"].tolist() == [True, False, True]
    assert "asked to fail" in result.failed["error"].iloc[0]
    index = publish(tmp_path)
    page = index.read_text(encoding="utf-8")
    assert "North 北方" in page and "&lt;b&gt;East&lt;/b&gt;" in page and "Broken" not in page
    meta = report_metadata(tmp_path / "b_East_b.html")
    assert meta["client"] == "<b>East</b>" and meta["language"] == "zh"


def test_batch_cli_exit_code(small_notebook, tmp_path):
    params = tmp_path / "clients.csv"
    params.write_text("client,fail\nA,false\nB,true\n", encoding="utf-8")
    assert main(["report", "batch", str(small_notebook), "--params", str(params), "-o", str(tmp_path / "out"),
                 "--jobs", "2"]) == 1
    assert (tmp_path / "out" / "A.html").exists()
    assert main(["report", "publish", str(tmp_path / "out")]) == 0


def test_small_groups_are_suppressed_in_tables_and_figures(small_notebook, tmp_path):
    out = render(small_notebook, {"client": "c"}, tmp_path / "r.html", tables="xlsx")
    page = out.read_text(encoding="utf-8")
    assert "1 row(s) suppressed because fewer than 5 people answered" in page
    assert "<td>&lt; 5</td>" in page and "<td>4.10</td>" not in page
    assert '"x":["brand"]' in page.replace(" ", ""), "the figure shows only the large group"
    book = openpyxl.load_workbook(out.with_suffix(".xlsx"))
    sheet = book[book.sheetnames[0]]
    rows = list(sheet.values)
    assert rows[0] == ("Subsystem", "Estimate", "n")
    assert rows[1] == ("Brand", 3.2, 120)
    assert rows[2][1] is None and rows[2][2] == "< 5"


@pytest.mark.skipif(chromium() is None, reason="needs Chromium")
def test_pdf_through_chromium(small_notebook, tmp_path):
    out = render(small_notebook, {"client": "c"}, tmp_path / "r.pdf", format="pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5000
