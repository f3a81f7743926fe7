"""Learner notebooks: the solution notebooks with their marked solution blocks removed.

A solution block is a run of lines in a code cell between ``# BEGIN SOLUTION`` and
``# END SOLUTION`` (markers on their own lines). The block and its markers become
``answer = None  # 在此作答 your answer here`` when the block assigns ``answer``; otherwise
one such line per name it assigns at its own indentation, or ``...`` when it assigns
nothing.
Markdown cells may mark a written answer with ``<!-- BEGIN SOLUTION -->`` …
``<!-- END SOLUTION -->``. Every other line is left exactly as it is; outputs and
execution counts are cleared.

Run ``python -m omsmethod.workshop.learner SRC_DIR OUT_DIR``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ..errors import OMSError

__all__ = ["strip_solutions", "make_learner", "generate", "main"]

_MARKERS = {
    "code": (re.compile(r"^(\s*)# BEGIN SOLUTION\s*$"), re.compile(r"^\s*# END SOLUTION\s*$")),
    "markdown": (re.compile(r"^(\s*)<!-- BEGIN SOLUTION -->\s*$"),
                 re.compile(r"^\s*<!-- END SOLUTION -->\s*$")),
}
_ASSIGN = re.compile(r"^(\s*)([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)")
CODE_PLACEHOLDER = "None  # 在此作答 your answer here"
BLOCK_PLACEHOLDER = "...  # 在此写代码 your code here"
MARKDOWN_PLACEHOLDER = "*（在此作答）(your answer here)*"
ANSWER = "answer"


def _placeholder(block: list[str], indent: str, kind: str) -> list[str]:
    if kind == "markdown":
        return [indent + MARKDOWN_PLACEHOLDER]
    names = []
    for line in block:
        m = _ASSIGN.match(line)
        if m and m.group(1) == indent and m.group(2) not in names:
            names.append(m.group(2))
    if not names:
        return [indent + BLOCK_PLACEHOLDER]
    if ANSWER in names:  # helper names would give the solution's route away
        names = [ANSWER]
    return [f"{indent}{name} = {CODE_PLACEHOLDER}" for name in names]


def strip_solutions(source: str, kind: str = "code", where: str = "") -> str:
    """Replace every solution block of one cell's source by its placeholder.

    Parameters
    ----------
    source : str
        The cell source.
    kind : {"code", "markdown"}
    where : str
        Location named in errors (notebook and cell).

    Returns
    -------
    str

    Raises
    ------
    OMSError
        A marker without its partner, or nested markers.

    Examples
    --------
    >>> from omsmethod.workshop.learner import strip_solutions
    >>> src = "x = 1\\n# BEGIN SOLUTION\\nanswer = x + 1\\n# END SOLUTION\\ncheck('s1_ex1', answer)"
    >>> print(strip_solutions(src))
    x = 1
    answer = None  # 在此作答 your answer here
    check('s1_ex1', answer)
    """
    begin, end = _MARKERS[kind]
    out: list[str] = []
    block: list[str] | None = None
    indent = ""
    for number, line in enumerate(source.split("\n"), start=1):
        if (m := begin.match(line)) is not None:
            if block is not None:
                raise OMSError("nested '# BEGIN SOLUTION'", file=where or None, row=number,
                               hint="close the first block with '# END SOLUTION' before opening another")
            block, indent = [], m.group(1)
        elif end.match(line):
            if block is None:
                raise OMSError("'# END SOLUTION' without '# BEGIN SOLUTION'", file=where or None,
                               row=number, hint="add the BEGIN marker or remove this line")
            out.extend(_placeholder(block, indent, kind))
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise OMSError("'# BEGIN SOLUTION' is never closed", file=where or None,
                       hint="add a '# END SOLUTION' line after the solution")
    return "\n".join(out)


def make_learner(notebook, where: str = ""):
    """A learner copy of a solution notebook (``nbformat`` node or path); the input is not changed."""
    import copy

    import nbformat

    if isinstance(notebook, str | Path):
        where = where or str(notebook)
        notebook = nbformat.read(str(notebook), as_version=4)
    nb = copy.deepcopy(notebook)
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type in _MARKERS:
            cell.source = strip_solutions(cell.source, cell.cell_type, f"{where} cell {index}")
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.setdefault("omsmethod", {})["learner"] = True
    return nb


def generate(src_dir, out_dir, pattern: str = "[0-9][0-9]_*.ipynb") -> list[Path]:
    """Write the learner version of every solution notebook of ``src_dir`` into ``out_dir``.

    Returns the written paths (same file names as the sources).
    """
    import nbformat

    from ..files import atomic_path

    src_dir, out_dir = Path(src_dir), Path(out_dir)
    sources = sorted(src_dir.glob(pattern))
    if not sources:
        raise OMSError("no solution notebooks found", file=str(src_dir),
                       hint=f"the folder must hold notebooks named like {pattern}")
    if src_dir.resolve() == out_dir.resolve():
        raise OMSError("the learner folder must differ from the solution folder",
                       file=str(out_dir), hint="choose another OUT_DIR")
    written = []
    for path in sources:
        nb = make_learner(path)
        target = out_dir / path.name
        with atomic_path(target) as tmp:
            nbformat.write(nb, str(tmp))
        written.append(target)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m omsmethod.workshop.learner",
        description="Write learner notebooks: the solution notebooks without their solution blocks.")
    parser.add_argument("src_dir", help="folder of the solution notebooks (NN_topic.ipynb)")
    parser.add_argument("out_dir", help="folder for the learner notebooks")
    args = parser.parse_args(argv)
    try:
        for path in generate(args.src_dir, args.out_dir):
            print(f"wrote {path}")
    except OMSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
