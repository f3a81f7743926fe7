"""Many reports from one notebook: one per row of a parameters table, in parallel."""

from __future__ import annotations

import re
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import OMSError, ReportError

__all__ = ["batch", "read_parameter_table", "BatchResult", "parse_value"]


def parse_value(text: str):
    """A parameter given as text, read as YAML: ``5`` → 5, ``true`` → True, ``[a, b]`` → list."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def read_parameter_table(path: str | Path) -> list[dict]:
    """Rows of parameters from a CSV (one column per parameter) or a YAML list of mappings.

    An ``output`` column / key names each report's file; other columns are parameters.
    """
    from ..files import read_yaml

    path = Path(path)
    if not path.is_file():
        raise ReportError("parameters file not found", file=str(path))
    if path.suffix.lower() in (".yaml", ".yml"):
        rows = read_yaml(path)
        if isinstance(rows, dict) and "reports" in rows:
            rows = rows["reports"]
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ReportError("a YAML parameters file must be a list of mappings (one per report)", file=str(path))
        return [dict(r) for r in rows]
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if table.empty:
        raise ReportError("the parameters file has no rows", file=str(path))
    return [{k: parse_value(v) if k != "output" else v for k, v in row.items() if v != ""} for row in table.to_dict("records")]


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w\-]+", "_", str(text), flags=re.UNICODE).strip("_")
    return slug[:80] or "report"


@dataclass
class BatchResult:
    """Outcome of :func:`batch`: ``table`` has ``row, output, ok, seconds, error``."""

    table: pd.DataFrame

    @property
    def failed(self) -> pd.DataFrame:
        return self.table[~self.table["ok"]]

    def summary(self) -> str:
        done = int(self.table["ok"].sum())
        lines = [f"{done} of {len(self.table)} reports written"]
        for row in self.failed.itertuples():
            lines.append(f"  row {row.row}: {row.error}")
        return "\n".join(lines)


def _render_one(notebook: str, parameters: dict, output: str, format: str) -> float:
    import time

    from .render import render

    start = time.perf_counter()
    render(notebook, parameters, output, format=format)
    return time.perf_counter() - start


def batch(
    notebook: str | Path,
    rows: list[dict] | str | Path,
    directory: str | Path,
    jobs: int = 1,
    format: str = "html",
    progress: bool = False,
) -> BatchResult:
    """Render ``notebook`` once per parameter row into ``directory``.

    Parameters
    ----------
    notebook : str or Path
    rows : list of dict, or a CSV / YAML path (see :func:`read_parameter_table`)
    directory : str or Path
        Where the reports go: ``output`` of the row, else ``<client>.html`` or
        ``report_<row>.html``.
    jobs : int
        Reports rendered at once (separate processes, each with its own kernel).
    progress : bool
        Show a progress bar (tqdm) on stderr.

    Returns
    -------
    BatchResult
        A failed report does not stop the others; its error is in the table.
    """
    if not isinstance(rows, list):
        rows = read_parameter_table(rows)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tasks = []
    used: set[str] = set()
    for i, row in enumerate(rows, start=1):
        row = dict(row)
        name = row.pop("output", None) or f"{_slug(row.get('client', f'report_{i}'))}.{format}"
        while name in used:
            name = f"{Path(name).stem}_{i}{Path(name).suffix}"
        used.add(name)
        tasks.append((i, row, str(directory / name)))
    results = []
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), desc="reports", unit="report")
    with ProcessPoolExecutor(max_workers=max(1, int(jobs))) as pool:
        futures = {pool.submit(_render_one, str(notebook), row, out, format): (i, out) for i, row, out in tasks}
        for future in as_completed(futures):
            i, out = futures[future]
            try:
                seconds, ok, error = future.result(), True, ""
            except OMSError as exc:
                seconds, ok, error = float("nan"), False, str(exc)
            except Exception as exc:  # a crashed worker must not stop the others
                seconds, ok, error = float("nan"), False, f"{type(exc).__name__}: {exc}"
            results.append({"row": i, "output": out, "ok": ok, "seconds": seconds, "error": error})
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return BatchResult(pd.DataFrame(results).sort_values("row").reset_index(drop=True))
