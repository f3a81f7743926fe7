"""``omsmethod report``: run a parameterised notebook and publish the client report."""

from __future__ import annotations

import argparse


def parameters_from(args) -> dict:
    """Merge ``-f params.yaml``, then ``-p NAME VALUE`` and ``-r NAME VALUE`` pairs."""
    from ..errors import ReportError
    from ..files import read_yaml
    from ..report.batch import parse_value

    merged = {}
    for path in args.parameters_file or []:
        loaded = read_yaml(path) or {}
        if not isinstance(loaded, dict):
            raise ReportError("a parameters file must be a YAML mapping", file=path)
        merged.update(loaded)
    merged.update({name: parse_value(value) for name, value in args.parameter or []})
    merged.update({name: value for name, value in args.raw or []})
    return merged


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="render a parameterised notebook as a client report (also: report batch, report publish)",
        description="Execute NOTEBOOK with papermill and write a self-contained HTML (or PDF) report. "
        "See also 'omsmethod report batch --help' and 'omsmethod report publish --help'.",
    )
    p.add_argument("notebook", help="the .ipynb with a cell tagged 'parameters'")
    p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="a parameter; VALUE is read as YAML (5, true, [a, b], text)")
    p.add_argument("-r", "--raw", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="a parameter taken as text, never converted")
    p.add_argument("-f", "--parameters-file", action="append", metavar="PARAMS.yaml",
                   help="a YAML file of parameters (applied before -p)")
    p.add_argument("-o", "--output", help="report file (default reports/NOTEBOOK.html)")
    p.add_argument("--format", choices=("html", "pdf"), default="html")
    p.add_argument("--keep-notebook", action="store_true", help="also keep the executed notebook")
    p.add_argument("--kernel", help="Jupyter kernel name (default: the notebook's)")
    p.add_argument("--tables", choices=("xlsx",), help="also write every table to a workbook beside the report")
    p.set_defaults(func=_render)

    b = subparsers.add_parser(
        "report-batch", prog="omsmethod report batch",
        help="one report per row of a parameters table (= omsmethod report batch)",
        description="Render NOTEBOOK once per row of a CSV or YAML parameters table, in parallel. "
        "A failed report does not stop the others; the exit code is non-zero if any failed.",
    )
    b.add_argument("notebook")
    b.add_argument("--params", required=True, help="clients.csv (one column per parameter) or clients.yaml")
    b.add_argument("-o", "--output-dir", required=True, help="folder for the reports")
    b.add_argument("--jobs", "-j", type=int, default=1, help="reports rendered at once")
    b.add_argument("--format", choices=("html", "pdf"), default="html")
    b.set_defaults(func=_batch)

    u = subparsers.add_parser(
        "report-publish", prog="omsmethod report publish",
        help="index.html listing the reports of a folder (= omsmethod report publish)",
        description="Write DIR/index.html listing the reports in DIR (client, date, language, data hash).",
    )
    u.add_argument("directory")
    u.add_argument("--title", default="OMS reports")
    u.set_defaults(func=_publish)


#: ``omsmethod report batch ...`` is parsed as ``omsmethod report-batch ...``.
ALIASES = {("report", "batch"): "report-batch", ("report", "publish"): "report-publish"}


def _batch(args) -> int:
    from ..report import batch

    result = batch(args.notebook, args.params, args.output_dir, jobs=args.jobs, format=args.format, progress=True)
    print(result.summary())
    return 1 if len(result.failed) else 0


def _publish(args) -> int:
    from ..report import publish

    print(f"wrote {publish(args.directory, title=args.title)}")
    return 0


def _render(args: argparse.Namespace) -> int:
    from ..report import render

    out = render(args.notebook, parameters_from(args), args.output, format=args.format,
                 keep_notebook=args.keep_notebook, kernel_name=args.kernel, tables=args.tables)
    print(f"wrote {out}")
    return 0
