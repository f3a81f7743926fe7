"""Errors raised by omsmethod.

Every problem a user can fix raises an :class:`OMSError` (or a subclass). The message
names where the problem is (file, column, row, value) and how to fix it, so the CLI can
print it without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "OMSError",
    "Problem",
    "InputError",
    "ModelError",
    "DesignError",
    "ConvergenceError",
    "WorkspaceError",
    "WorkspaceBusyError",
    "ReportError",
]


@dataclass(frozen=True)
class Problem:
    """One located problem in an input.

    Attributes are optional; only the known ones are shown in the message.
    """

    message: str
    file: str | None = None
    column: str | None = None
    row: int | None = None
    value: Any = None
    hint: str | None = None

    def location(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(f"file {self.file}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "column": self.column,
            "row": self.row,
            "value": self.value,
            "problem": self.message,
            "hint": self.hint,
        }


class OMSError(ValueError):
    """A problem with the user's input or request, explained in plain words.

    Parameters
    ----------
    message : str
        What is wrong.
    file, column, row, value : optional
        Where it is. ``row`` is the 1-based data row as a spreadsheet shows it
        (header = row 1) when the input is a file, else the DataFrame index label.
    hint : str, optional
        How to fix it.
    problems : list of Problem, optional
        Several located problems reported at once (e.g. by ``read_responses``).

    Examples
    --------
    >>> from omsmethod.errors import OMSError
    >>> str(OMSError("weights must be positive", column="w", row=3, value=-1.0,
    ...              hint="drop the row or fix the weight"))
    "column 'w', row 3, value -1.0: weights must be positive (drop the row or fix the weight)"
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        row: int | None = None,
        value: Any = None,
        hint: str | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        self.file = None if file is None else str(file)
        self.column = column
        self.row = row
        self.value = value
        self.hint = hint
        self.problems = list(problems or [])
        head = Problem(message, self.file, column, row, value, hint)
        text = str(head)
        if self.problems:
            shown = self.problems[:50]
            text += "\n" + "\n".join(f"  - {p}" for p in shown)
            if len(self.problems) > len(shown):
                text += f"\n  ... and {len(self.problems) - len(shown)} more"
        self.message = message
        super().__init__(text)


class InputError(OMSError):
    """A data file or DataFrame that cannot be used as given."""


class ModelError(OMSError):
    """An invalid OMS model, questionnaire or structural model specification."""


class DesignError(OMSError):
    """An invalid sampling design, allocation or weighting request."""


class ConvergenceError(OMSError):
    """An iterative procedure (raking, PLS, ML fit) did not converge."""


class WorkspaceError(OMSError):
    """A workspace file that cannot be opened or changed as asked."""


class WorkspaceBusyError(WorkspaceError):
    """Another process holds the workspace."""


class ReportError(OMSError):
    """A report notebook that failed to run or render."""
