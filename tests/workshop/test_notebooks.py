"""Execute every solution notebook (all checks must pass) and every learner notebook (checks fail cleanly).

Fourteen separate test items (plus two English runs) so pytest-xdist can spread them:
``pytest -m slow -n 2 tests/workshop``.
"""

import json
from pathlib import Path

import nbformat
import pytest

from omsmethod.workshop import exercises
from omsmethod.workshop.learner import make_learner

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "notebooks" / "workshop").glob("[0-9][0-9]_*.ipynb"))
pytestmark = pytest.mark.slow


def _run(source: Path, output: Path, cwd: Path, parameters=None):
    import papermill

    papermill.execute_notebook(str(source), str(output), kernel_name="python3", cwd=str(cwd),
                               parameters=parameters or {}, progress_bar=False, log_output=False)
    return nbformat.read(output, as_version=4)


def _outputs(nb) -> tuple[str, list]:
    """All printed text, and every error output."""
    text, errors = [], []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                text.append(out.text)
            elif out.output_type == "error":
                errors.append(f"{out.ename}: {out.evalue}")
            elif out.output_type == "execute_result" and "text/plain" in out.data:
                text.append(out.data["text/plain"])
    return "\n".join(text), errors


def _session(path: Path) -> str:
    return f"s{int(path.name[:2])}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_notebook_passes_every_check(path, tmp_path, monkeypatch):
    monkeypatch.setenv("OMS_WORKSHOP_STRICT", "1")  # a failing check raises inside the kernel
    nb = _run(path, tmp_path / path.name, cwd=ROOT)
    text, errors = _outputs(nb)
    assert errors == []
    expected = sorted(exercises(_session(path)))
    assert sorted(line.split()[1] for line in text.splitlines() if line.startswith("✅")) == expected
    assert "❌" not in text


@pytest.mark.parametrize("path", [SOLUTIONS[0], SOLUTIONS[4]], ids=lambda p: p.stem + "-en")
def test_solution_notebook_in_english(path, tmp_path, monkeypatch):
    monkeypatch.setenv("OMS_WORKSHOP_STRICT", "1")
    nb = _run(path, tmp_path / path.name, cwd=ROOT, parameters={"lang": "en"})
    text, errors = _outputs(nb)
    assert errors == []
    if path.name.startswith("05"):
        assert "The behaviour × promotion interaction was significant" in text


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_learner_notebook_runs_to_the_end(path, tmp_path, monkeypatch):
    monkeypatch.delenv("OMS_WORKSHOP_STRICT", raising=False)
    source = tmp_path / f"learner_{path.name}"
    nbformat.write(make_learner(path), source)
    nb = _run(source, tmp_path / path.name, cwd=tmp_path)
    text, errors = _outputs(nb)
    assert errors == [], "a learner notebook must run to the end"
    assert all(cell.execution_count for cell in nb.cells if cell.cell_type == "code")
    failed = sorted(line.split()[1] for line in text.splitlines() if line.startswith("❌"))
    assert failed == sorted(exercises(_session(path)))
    assert "尚未作答 Not answered yet" in text
    assert "Traceback" not in text and "✅" not in text
    assert json.dumps(nb.metadata.get("omsmethod", {})) == '{"learner": true}'
