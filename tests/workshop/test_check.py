"""The exercise checker: verdicts, hints, no tracebacks, strict mode, and the answer files."""

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from omsmethod.errors import OMSError
from omsmethod.workshop import CheckFailed, check, exercise, exercises
from omsmethod.workshop.check import COMPARISONS, EXERCISES_DIR, Exercise

SESSIONS = [f"s{i}" for i in range(1, 8)]
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks" / "workshop"


@pytest.fixture(autouse=True)
def not_strict(monkeypatch):
    monkeypatch.delenv("OMS_WORKSHOP_STRICT", raising=False)


@pytest.mark.parametrize(
    ("exercise_id", "answer"),
    [
        ("s1_ex1", 9),
        ("s1_ex1", np.int64(9)),  # numpy scalars count
        ("s1_ex2", ["vis", "pr", "education", "service"]),  # any order
        ("s1_ex3", "  planning "),  # case and spaces ignored
        ("s1_ex3", "企划部"),  # the Chinese name is accepted too
        ("s4_ex3", 3471.63 + 0.4),  # inside the tolerance
        ("s2_ex5", lambda: 0.04),  # a callable is evaluated
        ("s2_ex3", pd.Series([266], index=[1])),  # a one-row selection counts as its value
        ("s1_ex5", pd.DataFrame({"node": ["brand"]})),
        ("s2_ex3", np.array([[266.0]])),
    ],
)
def test_right_answer_prints_tick(exercise_id, answer, capsys):
    result = check(exercise_id, answer)
    out = capsys.readouterr().out
    assert bool(result) and result.ok
    assert out.startswith(f"✅ {exercise_id}")


@pytest.mark.parametrize(
    ("exercise_id", "answer"),
    [
        ("s1_ex1", 8),
        ("s1_ex1", True),  # a bool is not a number here
        ("s1_ex1", float("nan")),
        ("s1_ex2", ["service", "education", "pr"]),  # one missing
        ("s1_ex2", "service, education, pr, vis"),  # a string is not a collection of ids
        ("s4_ex3", 3471.63 + 0.6),  # just outside the tolerance
        ("s1_ex5", "customer"),
        ("s2_ex3", pd.Series([266, 1])),  # two values are not one answer
    ],
)
def test_wrong_answer_prints_cross_and_bilingual_hint(exercise_id, answer, capsys):
    result = check(exercise_id, answer)
    out = capsys.readouterr().out
    hint = exercise(exercise_id).hint
    assert not result
    assert out.startswith(f"❌ {exercise_id} 还不对 Not yet right")
    assert hint["zh"] in out and hint["en"] in out


@pytest.mark.parametrize("answer", [lambda: 1 / 0, lambda: {}["missing"], "nine", object()])
def test_answer_that_raises_is_a_cross_not_a_traceback(answer, capsys):
    result = check("s1_ex1", answer)
    out = capsys.readouterr().out
    assert not result
    assert out.startswith("❌ s1_ex1")
    assert "Traceback" not in out
    assert "💡" in out
    if callable(answer):
        assert re.search(r"⚠ (ZeroDivisionError|KeyError)", out)
        assert result.error


@pytest.mark.parametrize("answer", [None, Ellipsis])
def test_unanswered(answer, capsys):
    assert not check("s2_ex1", answer)
    assert "尚未作答 Not answered yet" in capsys.readouterr().out


def test_quiet_prints_nothing(capsys):
    assert check("s1_ex1", 9, quiet=True)
    assert not check("s1_ex1", 1, quiet=True)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_strict_mode_raises_on_failure_only(monkeypatch, capsys, value):
    monkeypatch.setenv("OMS_WORKSHOP_STRICT", value)
    assert check("s1_ex1", 9)
    with pytest.raises(CheckFailed, match="s1_ex1"):
        check("s1_ex1", 8)
    with pytest.raises(CheckFailed):
        check("s1_ex1", lambda: 1 / 0)
    assert "❌" in capsys.readouterr().out  # the verdict is printed before raising


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_strict_off_values(monkeypatch, value):
    monkeypatch.setenv("OMS_WORKSHOP_STRICT", value)
    assert not check("s1_ex1", 8, quiet=True)


def test_result_shows_nothing_in_a_notebook():
    # IPython calls _ipython_display_ for the last value of a cell; it must not print "True".
    result = check("s1_ex1", 9, quiet=True)
    assert result._ipython_display_() is None


def test_unknown_exercise_and_session():
    with pytest.raises(OMSError, match="unknown exercise 's1_ex99'.*s1_ex1"):
        check("s1_ex99", 1)
    with pytest.raises(OMSError, match="no exercises for session 's99'"):
        exercises("s99")


@pytest.mark.parametrize(
    ("compare", "expected", "answer", "ok"),
    [
        ("exact", 3, 3, True),
        ("exact", 3, 3.5, False),
        ("sequence", [1.0, "a"], (1.0004, "A"), True),
        ("sequence", [1.0, "a"], [1.0, "a", 2], False),
        ("number", 100.0, 100.9, True),  # rtol 1%
        ("number", 100.0, 101.1, False),
    ],
)
def test_comparisons(compare, expected, answer, ok):
    ex = Exercise(id="t", title={}, expected=expected, compare=compare, tol=0.001, rtol=0.01)
    assert ex.matches(answer) is ok


@pytest.mark.parametrize("session", SESSIONS)
def test_answer_files_are_complete(session):
    found = exercises(session)
    assert len(found) >= 5, "each session has at least five checked exercises"
    for key, ex in found.items():
        assert key.startswith(f"{session}_ex")
        assert ex.compare in COMPARISONS
        assert ex.title.get("zh") and ex.title.get("en")
        assert ex.hint.get("zh") and ex.hint.get("en")


@pytest.mark.parametrize("session", SESSIONS)
def test_every_exercise_is_used_once_by_its_notebook(session):
    (notebook,) = NOTEBOOKS.glob(f"0{session[1:]}_*.ipynb")
    code = "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code")
    used = re.findall(r'check\("(s\d+_ex\d+)"', code)
    assert sorted(used) == sorted(exercises(session)), "notebook and answer file drifted apart"


def _erlang_c_service_level(calls_per_hour, aht, agents, target):
    """Textbook Erlang C (independent of omsmethod.ratio)."""
    a = calls_per_hour * aht / 3600
    top = a**agents / math.factorial(agents) * agents / (agents - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(agents)) + top)
    return 1 - p_wait * math.exp(-(agents - a) * target / aht)


Z = 1.959963984540054  # qnorm(0.975)


@pytest.mark.parametrize(
    ("exercise_id", "reference"),
    [
        # Cochran (1977) eq. 4.2 / 4.8, computed here by hand
        ("s2_ex1", math.ceil(Z**2 * 1.0**2 / 0.1**2)),
        ("s2_ex2", math.ceil(Z**2 * 0.25 / 0.03**2 * 1.5 / 0.4)),
        ("s2_ex5", Z * math.sqrt(0.25 / 600)),
        # the frame is sample_data/branches.csv: its customers add up to 417,098
        ("s2_ex4", 417098),
        # sample_data/population_margins.csv: 60+ = 70,906 of 417,098
        ("s4_ex1", 70906 / 417098),
        ("s4_ex2", 216892),
        # Erlang C by the textbook formula
        ("s7_ex2", _erlang_c_service_level(100, 300, 10, 20)),
        ("s7_ex1", min(n for n in range(11, 40) if _erlang_c_service_level(120, 300, n, 20) >= 0.8)),
        ("s5_ex5", 1200 - 12),  # error df of a 3 x 4 between-subjects model on 1,200 ratings
    ],
)
def test_stored_answers_agree_with_independent_references(exercise_id, reference):
    assert check(exercise_id, reference, quiet=True), (exercise_id, reference, exercise(exercise_id).expected)


def test_exercise_files_live_in_the_package():
    assert sorted(p.stem for p in EXERCISES_DIR.glob("s*.yaml")) == SESSIONS
