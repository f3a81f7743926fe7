"""The hand-out folder and the cheat sheets."""

import filecmp
import re
from pathlib import Path

import nbformat
import pytest

from omsmethod import datasets
from omsmethod.errors import OMSError
from omsmethod.workshop import cheatsheet, handout
from omsmethod.workshop.resources import assessment_notebook, cheatsheets_dir, solutions_dir

SESSIONS = sorted(p.stem for p in solutions_dir().glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return handout.build(tmp_path_factory.mktemp("handout") / "workshop_handout")


def test_layout(folder):
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".omsmethod-handout", "README.md", "cheatsheets", "notebooks", "sample_data"])
    assert sorted(p.stem for p in (folder / "notebooks").glob("*.ipynb")) == sorted(
        [*SESSIONS, "assessment_report"])
    assert sorted(p.stem for p in (folder / "cheatsheets").glob("*.html")) == SESSIONS


def test_notebooks_are_learner_versions(folder):
    for name in SESSIONS:
        text = (folder / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "answer = None" in text
        nb = nbformat.read(folder / "notebooks" / f"{name}.ipynb", as_version=4)
        assert nb.cells[1].metadata.get("tags") == ["parameters"]
        assert "lang = " in nb.cells[1].source
    assert filecmp.cmp(folder / "notebooks" / "assessment_report.ipynb", assessment_notebook(), shallow=False)


def test_sample_data_is_an_exact_copy(folder):
    source = datasets.sample_data_dir()
    names = sorted(p.name for p in source.iterdir() if p.is_file() and not p.name.startswith("."))
    assert sorted(p.name for p in (folder / "sample_data").iterdir()) == names
    assert {f"{n}.csv" for n in datasets.available()} <= set(names)
    match, mismatch, errors = filecmp.cmpfiles(source, folder / "sample_data", names, shallow=False)
    assert mismatch == [] and errors == []


def test_readme_is_bilingual_and_lists_the_sessions(folder):
    text = (folder / "README.md").read_text(encoding="utf-8")
    assert "## 中文" in text and "## English" in text
    rows = re.findall(r"^\| (\d) \| `notebooks/(\S+)\.ipynb` \|", text, flags=re.M)
    assert [name for _, name in rows] == SESSIONS
    assert "OMS_SAMPLE_DATA" in text


@pytest.mark.parametrize("name", SESSIONS)
def test_cheat_sheet_is_printable_and_offline(folder, name):
    page = (folder / "cheatsheets" / f"{name}.html").read_text(encoding="utf-8")
    assert "@page { size: A4" in page and "@media print" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "nothing may be fetched"
    assert "@import" not in page and "url(" not in page
    sheet = cheatsheet.load(cheatsheets_dir() / f"{name}.yaml")
    assert sheet["notebook"] == f"{name}.ipynb"
    assert sheet["title"]["zh"] in page and sheet["title"]["en"] in page
    assert page.count('<td class="code">') == len(sheet["calls"]) >= 5


def test_every_call_on_a_cheat_sheet_names_a_real_function():
    import omsmethod as oms

    modules = {"oms.model": oms.model, "graph": oms.graph, "sampling": oms.sampling,
               "instrument": oms.instrument, "scoring": oms.scoring, "sem": oms.sem,
               "anova": oms.anova, "ratio": oms.ratio, "oms.report": oms.report}
    for path in sorted(cheatsheets_dir().glob("*.yaml")):
        for call in cheatsheet.load(path)["calls"]:
            for module, name in re.findall(r"\b(oms\.model|oms\.report|graph|sampling|instrument|"
                                           r"scoring|sem|anova|ratio)\.([a-z_]+)\(", call["code"]):
                assert hasattr(modules[module], name), f"{path.name}: {module}.{name}"


def test_rebuild_replaces_an_earlier_handout(folder):
    (folder / "notebooks" / "stale.ipynb").write_text("{}")
    handout.build(folder)
    assert not (folder / "notebooks" / "stale.ipynb").exists()
    assert not list(folder.parent.glob(f".{folder.name}*")), "no staging folder is left behind"


def test_refuses_a_folder_it_did_not_make(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious")
    with pytest.raises(OMSError, match="not made by the hand-out builder"):
        handout.build(foreign)
    assert (foreign / "thesis.docx").read_text() == "precious"
    assert handout.main([str(foreign)]) == 2


def test_failure_keeps_the_previous_handout(folder, tmp_path):
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    with pytest.raises(OMSError, match="no solution notebooks"):
        handout.build(folder, source=tmp_path)
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before
    assert not list(folder.parent.glob(f".{folder.name}.*"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("session: 1\nnotebook: a.ipynb\ntitle: {zh: a}\ngoal: {zh: b, en: c}\ncalls: []\n", "'title' needs a zh and an en"),
        ("session: 1\nnotebook: a.ipynb\ntitle: {zh: a, en: b}\ngoal: {zh: b, en: c}\n", "has no 'calls'"),
        ("calls:\n  - code: f({'a': 1})\n", "not valid YAML"),
        ("session: 1\nnotebook: a\ntitle: {zh: a, en: b}\ngoal: {zh: b, en: c}\ncalls:\n  - {zh: x, en: y}\n", "needs 'code'"),
    ],
)
def test_bad_cheat_sheet_source(tmp_path, text, message):
    path = tmp_path / "01_x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OMSError, match=message):
        cheatsheet.load(path)


def test_module_entry_point(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "handout"
    run = subprocess.run([sys.executable, "-m", "omsmethod.workshop.handout", str(out)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert (out / "README.md").is_file() and Path(out / "cheatsheets").is_dir()
