"""Workshop series: exercise checks, learner notebooks, cheat sheets and the hand-out folder.

The seven solution notebooks live in ``notebooks/workshop/``; this package holds only the
teaching machinery around them (no method logic):

* :func:`check` — ✅/❌ with a bilingual hint for an exercise answer
  (``check("s2_ex1", answer)``; expected answers in ``exercises/sN.yaml``);
* :mod:`~omsmethod.workshop.learner` — learner notebooks made by removing the
  ``# BEGIN SOLUTION`` … ``# END SOLUTION`` blocks
  (``python -m omsmethod.workshop.learner SRC_DIR OUT_DIR``);
* :mod:`~omsmethod.workshop.cheatsheet` — one printable page per session;
* :mod:`~omsmethod.workshop.handout` — the folder a teacher hands out
  (``python -m omsmethod.workshop.handout OUT_DIR``).
"""

from __future__ import annotations

from .check import CheckFailed, CheckResult, Exercise, check, exercise, exercises

__all__ = ["check", "exercise", "exercises", "CheckFailed", "CheckResult", "Exercise"]
