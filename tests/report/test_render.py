"""The rendered client report: offline, no code, safe, bilingual, with provenance."""

import re

import nbformat
import pytest

from omsmethod import datasets
from omsmethod.errors import ReportError
from omsmethod.files import sha256
from omsmethod.report import render


def test_report_is_self_contained(rendered):
    page = rendered["en"].read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page), "no external scripts"
    assert not re.search(r"<link[^>]+href=[\"']https?:", page), "no external stylesheets or fonts"
    assert page.count("Plotly.newPlot") >= 3
    assert page.count("plotly.js v") == 1 or page.count("* plotly.js") == 1, "plotly.js embedded once"
    assert not re.search(r"<div[^>]*class=\"jp-InputArea", page), "no code cells"
    assert "injected-parameters" not in page and "client: str" not in page


def test_headings_follow_the_language(rendered):
    en = rendered["en"].read_text(encoding="utf-8")
    zh = rendered["zh"].read_text(encoding="utf-8")
    assert "Status of the three layers and nine subsystems" in en
    assert "三个层面与九个子系统的现状" in zh and "执行摘要" in zh and "品牌系统" in zh
    assert "Status of the three layers" not in zh
    assert 'lang="zh"' in zh


def test_client_name_and_free_text_are_escaped(rendered):
    page = rendered["en"].read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert '<img src=x onerror' not in page


def test_no_respondent_identifiers(rendered):
    page = rendered["en"].read_text(encoding="utf-8")
    ids = datasets.load("customer")["respondent_id"].head(200)
    assert not any(i in page for i in ids)
    assert "respondent_id" not in page


def test_provenance_footer(rendered):
    page = rendered["en"].read_text(encoding="utf-8")
    footer = page[page.index('<footer class="oms-provenance">'):]
    for word in ("omsmethod 0.1.0", "pandas", "statsmodels", "papermill", "show_free_text"):
        assert word in footer
    assert '<meta name="oms:language" content="en">' in page
    assert rendered["en"].with_suffix(".ipynb").exists(), "--keep-notebook keeps the executed notebook"


def test_design_based_numbers_reach_the_report(rendered):
    from omsmethod import assessment

    result = assessment.assess(assessment.load_surveys())
    brand = result.status.set_index("subsystem").loc["brand"]
    page = rendered["en"].read_text(encoding="utf-8")
    assert f"<td>{brand['estimate_100']:.1f}</td><td>{brand['ci_low_100']:.1f}</td>" in page


def test_input_files_are_hashed(tmp_path, root):
    data = root / "sample_data" / "staff.csv"
    out = render(root / "notebooks" / "assessment_report.ipynb", {"staff_path": str(data), "segments": []},
                 tmp_path / "r.html")
    assert sha256(data) in out.read_text(encoding="utf-8")


def test_failing_cell_is_named_and_notebook_kept(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print('fine')"),
        nbformat.v4.new_code_cell("1 / x"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "out" / "broken.html"
    with pytest.raises(ReportError) as info:
        render(path, {"x": 0}, out)
    assert "ZeroDivisionError" in str(info.value)
    assert "cell 3 of the notebook ('1 / x')" in str(info.value)
    assert (tmp_path / "out" / "broken.html.failed.ipynb").exists()
    assert not out.exists(), "no half-written report"
    with pytest.raises(ReportError, match="no parameter 'y'"):
        render(path, {"y": 1}, out)


def test_same_inputs_give_the_same_report_numbers(rendered, root, tmp_path):
    """Every bootstrap in the report is seeded: a second run shows identical tables."""
    from omsmethod.report.display import TABLE_MIME

    def tables(path):
        executed = nbformat.read(str(path), as_version=4)
        return [output["data"][TABLE_MIME] for cell in executed.cells for output in cell.get("outputs", [])
                if TABLE_MIME in output.get("data", {})]

    client = 'Acme <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    again = render(root / "notebooks" / "assessment_report.ipynb", {"lang": "en", "client": client,
                                                                    "show_free_text": True},
                   tmp_path / "again.html", keep_notebook=True)
    first, second = tables(rendered["en"].with_suffix(".ipynb")), tables(again.with_suffix(".ipynb"))
    assert len(first) > 15
    assert first == second
