"""Report speed: the papermill + nbconvert floor against the full assessment report,
and a batch of branch reports in parallel against the same batch run serially.

    .venv/bin/python benchmarks/report.py [--branches 20] [--skip-batch] [--rounds 5]

Targets (issue 7): full report <= 2 x the one-cell floor; 20 branch reports with
--jobs 2 at least 1.7 x faster than serially.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nbformat
from timing import best_of

from omsmethod.report import batch, render

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "notebooks" / "assessment_report.ipynb"


def one_cell_notebook(folder: Path, name: str, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('lang: str = "en"  # language', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


# what any report that shows a table and a figure imports in its fresh kernel
IMPORTS_ONLY = """\
import omsmethod as oms
from omsmethod.report.display import setup
import plotly.graph_objects as go
ctx = setup(lang=lang)
go.Figure({"data": [{"type": "bar", "x": [1], "y": [1]}]})"""


def compile_package() -> None:
    """Byte-compile omsmethod as a normal first run would (this benchmark may run with
    PYTHONDONTWRITEBYTECODE set, and every fresh kernel would then recompile it)."""
    import compileall

    compileall.compile_dir(ROOT / "omsmethod", quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--branches", type=int, default=20)
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds (best of each)")
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor = one_cell_notebook(tmp, "floor", "print('hello')")
        imports = one_cell_notebook(tmp, "imports", IMPORTS_ONLY)
        # interleaved rounds, best of each: load on a shared machine drifts during a run
        a = c = b = float("inf")
        for _ in range(args.rounds):
            a = min(a, best_of(lambda: render(floor, {}, tmp / "floor.html"), 1))
            c = min(c, best_of(lambda: render(imports, {}, tmp / "imports.html"), 1))
            b = min(b, best_of(lambda: render(REPORT, {}, tmp / "full.html"), 1))
        print(f"(a) papermill + nbconvert, one cell : {a:6.2f} s")
        print(f"    + importing pandas, plotly, omsmethod and one figure in the kernel: {c:6.2f} s "
              f"(ratio {c / a:.2f}; no analysis yet)")
        print(f"(b) full sample assessment report   : {b:6.2f} s   ratio b/a = {b / a:.2f} (target <= 2)")
        if args.skip_batch:
            return
        rows = [{"unit": f"B{i:02d}", "client": f"Branch B{i:02d}", "n_boot": 100} for i in range(1, args.branches + 1)]
        start = time.perf_counter()
        serial = batch(REPORT, rows, tmp / "serial", jobs=1)
        t_serial = time.perf_counter() - start
        start = time.perf_counter()
        parallel = batch(REPORT, rows, tmp / "parallel", jobs=2)
        t_parallel = time.perf_counter() - start
        ok = int(serial.table["ok"].sum()), int(parallel.table["ok"].sum())
        print(f"{args.branches} branch reports, serial   : {t_serial:6.1f} s ({ok[0]} ok)")
        print(f"{args.branches} branch reports, --jobs 2 : {t_parallel:6.1f} s ({ok[1]} ok)   "
              f"speed-up = {t_serial / t_parallel:.2f} (target >= 1.7)")


if __name__ == "__main__":
    main()
