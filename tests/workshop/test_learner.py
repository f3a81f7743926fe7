"""Learner notebooks: solution blocks gone, markers gone, nothing else changed."""

from pathlib import Path

import nbformat
import pytest

from omsmethod.errors import OMSError
from omsmethod.workshop import learner
from omsmethod.workshop.learner import (
    BLOCK_PLACEHOLDER,
    CODE_PLACEHOLDER,
    make_learner,
    strip_solutions,
)

SOLUTIONS = Path(__file__).resolve().parents[2] / "notebooks" / "workshop"
NOTEBOOKS = sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
MARKERS = ("BEGIN SOLUTION", "END SOLUTION")


def test_seven_sessions():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"0{i}" for i in range(1, 8)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a = 1\n# BEGIN SOLUTION\nanswer = a + 1\n# END SOLUTION\ncheck('s1_ex1', answer)",
         f"a = 1\nanswer = {CODE_PLACEHOLDER}\ncheck('s1_ex1', answer)"),
        # a block that assigns `answer` leaves only `answer` (helper names would give the route away)
        ("# BEGIN SOLUTION\nx = f()\nx[0] = 2\nanswer: int = x == 1\nanswer = 3\n# END SOLUTION",
         f"answer = {CODE_PLACEHOLDER}"),
        # otherwise every name it assigns at its own level, once, in order; not subscripts or ==
        ("# BEGIN SOLUTION\nx = f()\nx[0] = 2\ny: int = x == 1\nx = 3\n# END SOLUTION",
         f"x = {CODE_PLACEHOLDER}\ny = {CODE_PLACEHOLDER}"),
        # indentation of the BEGIN marker is kept; deeper assignments are not placeholders
        ("def f():\n    # BEGIN SOLUTION\n    if True:\n        y = 1\n    # END SOLUTION\n    return 0",
         f"def f():\n    {BLOCK_PLACEHOLDER}\n    return 0"),
        ("print(1)\n# BEGIN SOLUTION\nprint(2)\n# END SOLUTION", f"print(1)\n{BLOCK_PLACEHOLDER}"),
        ("no markers\n  at all\n", "no markers\n  at all\n"),
        # two blocks in one cell
        ("# BEGIN SOLUTION\na = 1\n# END SOLUTION\nb = 2\n# BEGIN SOLUTION\nc = 3\n# END SOLUTION",
         f"a = {CODE_PLACEHOLDER}\nb = 2\nc = {CODE_PLACEHOLDER}"),
    ],
)
def test_strip_code(source, expected):
    assert strip_solutions(source) == expected


def test_strip_markdown():
    src = "Question?\n\n<!-- BEGIN SOLUTION -->\nThe model answer.\n<!-- END SOLUTION -->\nAfter."
    assert strip_solutions(src, "markdown") == f"Question?\n\n{learner.MARKDOWN_PLACEHOLDER}\nAfter."


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# BEGIN SOLUTION\na = 1", "never closed"),
        ("a = 1\n# END SOLUTION", "without '# BEGIN SOLUTION'"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "nested"),
    ],
)
def test_unbalanced_markers(source, message):
    with pytest.raises(OMSError, match=message):
        strip_solutions(source, where="nb.ipynb cell 3")


def _kept_lines(source: str, kind: str) -> list[str]:
    """The source without its solution blocks (markers included): what must survive unchanged."""
    begin, end = ("# BEGIN SOLUTION", "# END SOLUTION") if kind == "code" else (
        "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->")
    kept, inside = [], False
    for line in source.split("\n"):
        if line.strip() == begin:
            inside = True
        elif line.strip() == end:
            inside = False
        elif not inside:
            kept.append(line)
    return kept


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_learner_notebook(path):
    solution = nbformat.read(path, as_version=4)
    before = nbformat.writes(solution)
    student = make_learner(solution)
    assert nbformat.writes(solution) == before, "the solution notebook must not be modified"
    assert len(student.cells) == len(solution.cells)
    n_blocks = 0
    for sol, out in zip(solution.cells, student.cells, strict=True):
        assert out.cell_type == sol.cell_type
        assert out.metadata == sol.metadata
        for marker in MARKERS:
            assert marker not in out.source
        if not any(marker in sol.source for marker in MARKERS):
            assert out.source == sol.source
            continue
        n_blocks += 1
        placeholder_free = [
            line for line in out.source.split("\n")
            if CODE_PLACEHOLDER not in line and BLOCK_PLACEHOLDER not in line
            and learner.MARKDOWN_PLACEHOLDER not in line
        ]
        assert placeholder_free == _kept_lines(sol.source, sol.cell_type)
        if sol.cell_type == "code":
            # every solution line is gone; the answer is reset to None before the check
            solution_lines = set(sol.source.split("\n")) - set(_kept_lines(sol.source, "code"))
            assert not solution_lines & set(out.source.split("\n"))
            assert f"answer = {CODE_PLACEHOLDER}" in out.source
            assert "check(" in out.source
    assert n_blocks >= 6
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert student.metadata["omsmethod"]["learner"] is True
    nbformat.validate(student)


def test_cli_writes_every_notebook(tmp_path, capsys):
    assert learner.main([str(SOLUTIONS), str(tmp_path / "learner")]) == 0
    written = sorted(p.name for p in (tmp_path / "learner").glob("*.ipynb"))
    assert written == [p.name for p in NOTEBOOKS]
    assert "wrote" in capsys.readouterr().out
    for name in written:
        assert "BEGIN SOLUTION" not in (tmp_path / "learner" / name).read_text(encoding="utf-8")


def test_cli_errors_are_messages(tmp_path, capsys):
    assert learner.main([str(tmp_path), str(tmp_path / "out")]) == 2
    assert "no solution notebooks found" in capsys.readouterr().err
    assert learner.main([str(SOLUTIONS), str(SOLUTIONS)]) == 2
    assert "must differ" in capsys.readouterr().err
