"""Exercise checker of the workshop notebooks: ✅ or ❌ with a bilingual hint.

Each session's exercises live in ``omsmethod/workshop/exercises/sN.yaml``: the expected
answer, how to compare, the tolerance and a hint in Chinese and English. A learner's
answer is compared there, never in the notebook, so the solution notebooks and the
learner notebooks share one source of truth.

The checker never shows a traceback: an answer that cannot be compared (wrong type, or a
callable that raises) prints ❌ with the hint. With the environment variable
``OMS_WORKSHOP_STRICT=1`` a failed check raises :class:`CheckFailed` instead, so the test
suite can require every check of a solution notebook to pass.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import OMSError

__all__ = ["check", "exercise", "exercises", "CheckFailed", "CheckResult", "Exercise", "COMPARISONS"]

EXERCISES_DIR = Path(__file__).resolve().parent / "exercises"
COMPARISONS = ("number", "exact", "text", "set", "sequence")
STRICT_ENV = "OMS_WORKSHOP_STRICT"


class CheckFailed(OMSError):
    """A check failed in strict mode (``OMS_WORKSHOP_STRICT=1``)."""


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check` found; true when the answer is right.

    It shows nothing as the last value of a notebook cell (the ✅/❌ line is printed
    already).
    """

    exercise: str
    ok: bool
    error: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def _ipython_display_(self) -> None:
        """Nothing to show: :func:`check` has printed the verdict."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id, title, expected answer, comparison and hints.

    ``compare`` is one of ``number`` (within ``tol`` absolute, or ``rtol`` relative),
    ``exact`` (``==``), ``text`` (case and surrounding space ignored; ``expected`` may
    list accepted alternatives, e.g. the zh and en name), ``set``
    (unordered collection of texts or numbers) or ``sequence`` (ordered, numbers within
    ``tol``).
    """

    id: str
    title: dict
    expected: object
    compare: str = "number"
    tol: float = 0.0
    rtol: float = 0.0
    hint: dict | None = None

    def matches(self, answer) -> bool:
        """Whether ``answer`` is right (may raise on an answer of the wrong kind)."""
        if answer is None or answer is Ellipsis:
            return False
        kind = self.compare
        if kind == "number":
            return _close(answer, self.expected, self.tol, self.rtol)
        if kind == "exact":
            return bool(_plain(answer) == self.expected)
        if kind == "text":
            accepted = self.expected if isinstance(self.expected, list) else [self.expected]
            return _text(answer) in {_text(e) for e in accepted}
        if kind == "set":
            if isinstance(answer, str | bytes):
                return False
            return {_key(a) for a in answer} == {_key(e) for e in self.expected}
        if kind == "sequence":
            if isinstance(answer, str | bytes):
                return False
            answer = list(answer)
            return len(answer) == len(self.expected) and all(
                _close(a, e, self.tol, self.rtol) if _is_number(e) else _text(a) == _text(e)
                for a, e in zip(answer, self.expected, strict=True)
            )
        raise OMSError(f"unknown comparison {kind!r} in exercise {self.id!r}",
                       value=kind, hint="use one of " + ", ".join(COMPARISONS))


def _is_number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _plain(x):
    """numpy / pandas scalars, and one-element Series or arrays, as plain Python values."""
    ndim, size = getattr(x, "ndim", None), getattr(x, "size", None)
    if ndim is not None and ndim > 0 and size == 1:
        x = x.to_numpy() if hasattr(x, "to_numpy") else x
        x = x.reshape(-1)[0]
    item = getattr(x, "item", None)
    return item() if callable(item) and getattr(x, "ndim", 1) == 0 else x


def _close(answer, expected, tol: float, rtol: float) -> bool:
    value = float(_plain(answer))
    if isinstance(_plain(answer), bool) or math.isnan(value):
        return False
    return abs(value - float(expected)) <= max(float(tol), float(rtol) * abs(float(expected)))


def _text(x) -> str:
    return str(_plain(x)).strip().casefold()


def _key(x):
    x = _plain(x)
    if _is_number(x):
        return round(float(x), 9)
    return _text(x)


def _session_file(exercise_id: str) -> Path:
    session = exercise_id.split("_", 1)[0]
    return EXERCISES_DIR / f"{session}.yaml"


def exercises(session: str) -> dict[str, Exercise]:
    """All exercises of a session (``"s1"`` … ``"s7"``) by id.

    Examples
    --------
    >>> from omsmethod.workshop import exercises
    >>> sorted(exercises("s1"))[:2]
    ['s1_ex1', 's1_ex2']
    """
    from ..files import read_yaml

    path = EXERCISES_DIR / f"{session}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in EXERCISES_DIR.glob("s*.yaml"))
        raise OMSError(f"no exercises for session {session!r}", file=str(path),
                       hint="sessions are " + ", ".join(known))
    raw = read_yaml(path) or {}
    out = {}
    for key, spec in raw.items():
        if not isinstance(spec, Mapping) or "expected" not in spec:
            raise OMSError("an exercise needs an 'expected' answer", file=str(path), value=key)
        compare = spec.get("compare", "number")
        if compare not in COMPARISONS:
            raise OMSError(f"unknown comparison {compare!r}", file=str(path), value=key,
                           hint="use one of " + ", ".join(COMPARISONS))
        out[key] = Exercise(id=key, title=dict(spec.get("title") or {}), expected=spec["expected"],
                            compare=compare, tol=float(spec.get("tol", 0.0)),
                            rtol=float(spec.get("rtol", 0.0)), hint=spec.get("hint"))
    return out


def exercise(exercise_id: str) -> Exercise:
    """The exercise with id ``exercise_id`` (e.g. ``"s2_ex1"``)."""
    found = exercises(exercise_id.split("_", 1)[0])
    if exercise_id not in found:
        raise OMSError(f"unknown exercise {exercise_id!r}", value=exercise_id,
                       hint="exercises of this session: " + ", ".join(sorted(found)))
    return found[exercise_id]


def _hint(ex: Exercise) -> str:
    hint = ex.hint or {}
    if isinstance(hint, str):
        return hint
    return "\n".join(f"   💡 {hint[lang]}" for lang in ("zh", "en") if hint.get(lang))


def check(exercise_id: str, answer, *, quiet: bool = False) -> CheckResult:
    """Check a learner's answer and print ✅ or ❌ with a hint (zh, then en).

    Parameters
    ----------
    exercise_id : str
        ``"s<session>_ex<number>"``, e.g. ``"s2_ex1"``.
    answer : object or callable
        The answer; a callable (e.g. ``lambda: table.loc[...]``) is called here, so an
        error in it is reported as ❌ with the hint instead of a traceback.
    quiet : bool
        Print nothing; only return the result.

    Returns
    -------
    CheckResult
        True when the answer is right (``ok``), with the error an answer raised.

    Raises
    ------
    CheckFailed
        Only in strict mode (``OMS_WORKSHOP_STRICT=1``) when the answer is wrong.

    Examples
    --------
    >>> from omsmethod.workshop import check
    >>> result = check("s1_ex1", 9)
    ✅ s1_ex1 正确！Correct!
    >>> bool(result), bool(check("s1_ex1", lambda: 1 / 0, quiet=True))
    (True, False)
    """
    ex = exercise(exercise_id)
    problem = ""
    try:
        value = answer() if callable(answer) else answer
        ok = ex.matches(value)
    except Exception as err:  # a learner's answer may fail in any way: report, never raise
        ok = False
        problem = f"   ⚠ {type(err).__name__}: {err}"
    if not quiet:
        if ok:
            print(f"✅ {exercise_id} 正确！Correct!")
        else:
            unanswered = (not problem) and (answer is None or answer is Ellipsis)
            status = "尚未作答 Not answered yet" if unanswered else "还不对 Not yet right"
            lines = [f"❌ {exercise_id} {status}"]
            if problem:
                lines.append(problem)
            if _hint(ex):
                lines.append(_hint(ex))
            print("\n".join(lines))
    if not ok and os.environ.get(STRICT_ENV, "").strip() not in ("", "0", "false", "False"):
        raise CheckFailed(f"exercise {exercise_id} failed in strict mode", value=exercise_id,
                          hint=(ex.hint or {}).get("en") if isinstance(ex.hint, Mapping) else ex.hint)
    return CheckResult(exercise_id, ok, problem.strip())
