"""Where the workshop's files are: the solution notebooks, cheat-sheet sources, the report notebook.

The workshop notebooks run from the repository (``notebooks/workshop/``) or from a hand-out
folder (``notebooks/`` beside ``sample_data/``); these helpers find their files in both.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import OMSError

__all__ = ["repository_root", "solutions_dir", "cheatsheets_dir", "assessment_notebook"]


def repository_root() -> Path:
    """The folder holding ``omsmethod/`` (the repository when run from a checkout)."""
    return Path(__file__).resolve().parents[2]


def solutions_dir() -> Path:
    """The solution notebooks: ``notebooks/workshop/`` of the repository."""
    return repository_root() / "notebooks" / "workshop"


def cheatsheets_dir() -> Path:
    """The cheat-sheet sources (one YAML file per session)."""
    return solutions_dir() / "cheatsheets"


def assessment_notebook(start: str | Path | None = None) -> Path:
    """The parameterised client-report notebook ``assessment_report.ipynb``.

    Looked for in ``start`` (default: the working directory) and its parent — where a
    hand-out folder keeps it — then in the repository's ``notebooks/``.

    Examples
    --------
    >>> from omsmethod.workshop.resources import assessment_notebook
    >>> assessment_notebook().name
    'assessment_report.ipynb'
    """
    here = Path(start) if start is not None else Path.cwd()
    candidates = [here / "assessment_report.ipynb", here.parent / "assessment_report.ipynb",
                  here / "notebooks" / "assessment_report.ipynb",
                  repository_root() / "notebooks" / "assessment_report.ipynb"]
    for path in candidates:
        if path.is_file():
            return path
    raise OMSError("assessment_report.ipynb was not found", file=str(candidates[0]),
                   hint="copy notebooks/assessment_report.ipynb of the omsmethod repository next to "
                        "this notebook (the hand-out folder has it in notebooks/)")
