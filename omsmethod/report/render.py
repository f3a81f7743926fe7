"""Execute a parameterised notebook with papermill and publish it as one HTML file.

The report has no code cells and no parameters cell, plotly.js is embedded once, nothing
is fetched from the network, and a provenance footer records the package versions, the
parameters, the SHA-256 of every input file and the run time.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import logging
import os
import tempfile
import time
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from ..errors import ReportError
from ..files import atomic_path, sha256

__all__ = ["render", "notebook_parameters", "REPORT_ENV"]

#: Set in the kernel's environment while a report is executed (see ``display.setup``).
REPORT_ENV = "OMS_REPORT"
_TEMPLATES = Path(__file__).resolve().parent / "templates"
_CSS = Path(__file__).resolve().parent / "report.css"
_KEY_PACKAGES = ("numpy", "pandas", "scipy", "statsmodels", "pingouin", "networkx", "plotly",
                 "papermill", "nbconvert", "duckdb")
_HIDDEN_TAGS = ("parameters", "injected-parameters", "remove-cell", "remove_cell")


def notebook_parameters(notebook: str | Path) -> dict[str, dict]:
    """The parameters a notebook declares: name → ``{"default", "type", "help"}``.

    Read from the cell tagged ``parameters``: each ``name = value`` or
    ``name: type = value`` line, with the comment at its end as the help text.
    """
    import ast
    import io
    import tokenize

    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    source = cell.source
    comments = {
        tok.start[0]: tok.string.lstrip("#").strip()
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    }
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value, kind = node.target.id, node.value, ast.get_source_segment(source, node.annotation)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value, kind = node.targets[0].id, node.value, None
        else:
            continue
        try:
            default = ast.literal_eval(value)
        except ValueError:
            default = ast.get_source_segment(source, value)
        found[name] = {
            "default": default,
            "type": kind or type(default).__name__,
            "help": comments.get(node.end_lineno, ""),
        }
    return found


@contextmanager
def _environment(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _single_threaded_blas() -> dict[str, str]:
    """One BLAS thread in the report kernel, unless the user chose otherwise: a report's
    matrices are small, where threads cost more than they give, and ``report batch``
    already runs one kernel per core."""
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    return {name: "1" for name in names if name not in os.environ}


def _local_sockets(folder: Path) -> dict:
    """Talk to the kernel over Unix sockets in the run's private scratch folder instead
    of TCP ports on localhost (no port is opened; the kernel's "running over TCP without
    encryption" warning goes away). Windows has no such sockets and keeps TCP."""
    if os.name == "nt":
        return {}
    from jupyter_client.manager import AsyncKernelManager

    class ScratchSocketKernelManager(AsyncKernelManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.transport = "ipc"
            self.ip = str(folder / "kernel")

    return {"kernel_manager_class": ScratchSocketKernelManager}


def _input_files(parameters: dict, base: Path) -> dict[str, str]:
    """SHA-256 of every parameter value that names an existing file."""
    hashes = {}
    for name, value in parameters.items():
        if isinstance(value, str) and value and len(value) < 4096:
            path = Path(value) if Path(value).is_absolute() else base / value
            if path.is_file():
                hashes[name] = sha256(path)
    return hashes


def _versions() -> dict[str, str]:
    from .. import __version__

    found = {"omsmethod": __version__}
    for package in _KEY_PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return found


def _footer(provenance: dict, lang: str) -> str:
    heading = "来源与可重复性" if lang == "zh" else "Provenance"
    rows = [
        ("notebook", provenance["notebook"]),
        ("generated", provenance["generated"]),
        ("run time", f"{provenance['seconds']:.1f} s"),
        ("versions", ", ".join(f"{k} {v}" for k, v in provenance["versions"].items())),
        ("parameters", json.dumps(provenance["parameters"], ensure_ascii=False, sort_keys=True, default=str)),
    ]
    rows += [(f"sha256 {name}", digest) for name, digest in provenance["inputs"].items()]
    cells = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<h4>{html.escape(heading)}</h4><table>{cells}</table>"


def _meta_tags(provenance: dict) -> str:
    values = {
        "oms:client": provenance["parameters"].get("client", ""),
        "oms:language": provenance["parameters"].get("lang", ""),
        "oms:generated": provenance["generated"],
        "oms:notebook": provenance["notebook"],
        "oms:data-sha256": provenance["data_hash"],
    }
    return "".join(
        f'<meta name="{html.escape(k)}" content="{html.escape(str(v), quote=True)}">' for k, v in values.items()
    )


def _exporter(resources_oms: dict):
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

    class DropNoise(Preprocessor):
        """Remove warnings printed to stderr: a client report shows results only."""

        def preprocess_cell(self, cell, resources, index):
            if cell.get("cell_type") == "code":
                cell.outputs = [o for o in cell.get("outputs", [])
                                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            return cell, resources

    exporter = HTMLExporter(template_name="oms", extra_template_basedirs=[str(_TEMPLATES)],
                            language_code=resources_oms["lang"])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(_HIDDEN_TAGS), enabled=True), enabled=True)
    exporter.register_preprocessor(DropNoise(), enabled=True)
    return exporter


def _to_html(executed, provenance: dict, lang: str, title: str) -> str:
    import plotly.offline

    uses_plotly = any(
        "Plotly.newPlot" in str(output.get("data", {}).get("text/html", ""))
        for cell in executed.cells
        for output in cell.get("outputs", [])
    )
    import secrets

    # a marker no parameter or data value can contain, replaced by plotly.js at the end:
    # nbconvert parses and re-serialises the whole page, which need not include 3.5 MB of JS
    marker = f"/*oms-plotlyjs-{secrets.token_hex(16)}*/" if uses_plotly else ""
    oms = {
        "plotlyjs_marker": marker,
        "css": _CSS.read_text(encoding="utf-8"),
        "footer": _footer(provenance, lang),
        "lang": lang,
    }
    executed.metadata["title"] = title
    body, _ = _exporter(oms).from_notebook_node(executed, resources={"oms": oms})
    body = body.replace("<head>", "<head>" + _meta_tags(provenance), 1)
    if marker:
        body = body.replace(marker, plotly.offline.get_plotlyjs(), 1)
    return body


def render(
    notebook: str | Path,
    parameters: dict | None = None,
    output: str | Path | None = None,
    *,
    format: str = "html",
    keep_notebook: bool = False,
    kernel_name: str | None = None,
    timeout: int | None = 1200,
    tables: str | None = None,
) -> Path:
    """Execute ``notebook`` with ``parameters`` and write the client report.

    Parameters
    ----------
    notebook : str or Path
        A notebook with a cell tagged ``parameters``.
    parameters : dict, optional
        Values for the notebook's parameters; an unknown name is an error listing the
        names the notebook takes.
    output : str or Path, optional
        The report file (default ``reports/<notebook>.html``); written atomically.
    format : {"html", "pdf"}
        ``pdf`` prints the HTML with headless Chromium.
    keep_notebook : bool
        Also keep the executed notebook beside the report (``<output>.ipynb``).
    kernel_name : str, optional
        Jupyter kernel (default: the notebook's own).
    timeout : int, optional
        Seconds a cell may run.
    tables : {"xlsx"}, optional
        Also write every table the report shows (after suppression) to a workbook
        beside it (``<output>.xlsx``), one sheet per table.

    Returns
    -------
    Path
        The report.

    Raises
    ------
    ReportError
        The notebook is missing, a parameter is unknown, or a cell failed: the message
        names the cell and the error, and the executed notebook is kept beside the
        output as ``<output>.failed.ipynb`` for debugging.
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    notebook = Path(notebook)
    if not notebook.is_file():
        raise ReportError("notebook not found", file=str(notebook), hint="check the path")
    if tables not in (None, "xlsx"):
        raise ReportError("unknown tables format", value=tables, hint="use xlsx")
    if format not in ("html", "pdf"):
        raise ReportError("unknown report format", value=format, hint="use html or pdf")
    parameters = dict(parameters or {})
    declared = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ReportError(
            f"the notebook has no parameter {unknown[0]!r}", file=str(notebook), value=unknown[0],
            hint=f"it takes: {', '.join(declared) or '(none)'}",
        )
    output = Path(output) if output else Path("reports") / f"{notebook.stem}.{format}"
    output.parent.mkdir(parents=True, exist_ok=True)
    inputs = _input_files(parameters, Path.cwd())
    effective = {name: spec["default"] for name, spec in declared.items()}
    effective.update(parameters)
    started = time.perf_counter()
    generated = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
    failed_copy = output.with_name(output.name + ".failed.ipynb")
    with tempfile.TemporaryDirectory(prefix="oms-report-") as scratch:
        executed_path = Path(scratch) / notebook.name
        # absolute paths: the kernel runs in the notebook's folder
        absolute = {k: (str(Path(v).resolve()) if k in inputs else v) for k, v in parameters.items()}
        # papermill warns about annotated parameter lines it cannot parse; render checks names itself
        logging.getLogger("papermill").setLevel(logging.ERROR)
        try:
            with _environment(**{REPORT_ENV: "1"}, **_single_threaded_blas()):
                pm.execute_notebook(
                    str(notebook), str(executed_path), parameters=absolute, kernel_name=kernel_name,
                    cwd=str(notebook.parent), progress_bar=False, log_output=False,
                    execution_timeout=timeout,
                    # papermill writes the executed notebook at the end, failed or not;
                    # a save after every cell only costs time here
                    request_save_on_cell_execute=False,
                    **_local_sockets(Path(scratch)),
                )
        except PapermillExecutionError as exc:
            with atomic_path(failed_copy) as tmp:
                tmp.write_bytes(executed_path.read_bytes())
            raise ReportError(
                f"{_failed_cell(executed_path)} failed: {exc.ename}: {exc.evalue}",
                file=str(notebook),
                hint=f"the executed notebook is kept at {failed_copy}",
            ) from None
        executed = nbformat.read(str(executed_path), as_version=4)
        if keep_notebook:
            with atomic_path(output.with_suffix(".ipynb")) as tmp:
                tmp.write_bytes(executed_path.read_bytes())
    failed_copy.unlink(missing_ok=True)
    provenance = {
        "notebook": notebook.name,
        "generated": generated,
        "seconds": time.perf_counter() - started,
        "versions": _versions(),
        "parameters": effective,
        "inputs": inputs,
        "data_hash": sha_of_inputs(inputs),
    }
    lang = str(effective.get("lang", "en"))
    title = str(effective.get("title") or effective.get("client") or notebook.stem)
    page = _to_html(executed, provenance, lang, title)
    if tables == "xlsx":
        write_tables(executed, output.with_suffix(".xlsx"))
    if format == "pdf":
        from .pdf import print_pdf

        return print_pdf(page, output)
    with atomic_path(output) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return output


def _failed_cell(executed_path: Path) -> str:
    """Name the failing cell as the author numbers it (cells papermill added left out)."""
    import nbformat

    added = ("injected-parameters", "papermill-error-cell-tag")
    number = 0
    for cell in nbformat.read(str(executed_path), as_version=4).cells:
        if any(tag in cell.get("metadata", {}).get("tags", []) for tag in added):
            continue
        number += 1
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
            return f"cell {number} of the notebook ({first_line.strip()[:60]!r})"
    return "a cell"


def write_tables(executed, path: Path) -> Path:
    """Write the tables a report displayed (see ``display.TABLE_MIME``) to one workbook."""
    import pandas as pd

    from .display import TABLE_MIME

    found = [
        output["data"][TABLE_MIME]
        for cell in executed.cells
        for output in cell.get("outputs", [])
        if TABLE_MIME in output.get("data", {})
    ]
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for i, table in enumerate(found, start=1):
            frame = pd.DataFrame(table["rows"], columns=table["columns"])
            name = f"T{i:02d} {table.get('caption', '')}"[:31].strip()
            for bad in "[]:*?/\\":
                name = name.replace(bad, "_")
            frame.to_excel(writer, sheet_name=name, index=False)
        if not found:
            pd.DataFrame().to_excel(writer, sheet_name="no tables")
    return path


def sha_of_inputs(inputs: dict[str, str]) -> str:
    """One digest for all input files (empty when the report read only bundled data)."""
    import hashlib

    if not inputs:
        return ""
    joined = "\n".join(f"{k}={v}" for k, v in sorted(inputs.items()))
    return hashlib.sha256(joined.encode()).hexdigest()
