"""``omsmethod report``: run a parameterised notebook and publish the client report."""

from __future__ import annotations

import argparse


def _value(text: str):
    """A -p value as YAML would read it: 5 → int, true → bool, [a, b] → list, else text."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def parameters_from(args) -> dict:
    """Merge ``-f params.yaml``, then ``-p NAME VALUE`` and ``-r NAME VALUE`` pairs."""
    from ..errors import ReportError
    from ..files import read_yaml

    merged = {}
    for path in args.parameters_file or []:
        loaded = read_yaml(path) or {}
        if not isinstance(loaded, dict):
            raise ReportError("a parameters file must be a YAML mapping", file=path)
        merged.update(loaded)
    merged.update({name: _value(value) for name, value in args.parameter or []})
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
    p.set_defaults(func=_render)


def _render(args: argparse.Namespace) -> int:
    from ..report import render

    out = render(args.notebook, parameters_from(args), args.output, format=args.format,
                 keep_notebook=args.keep_notebook, kernel_name=args.kernel)
    print(f"wrote {out}")
    return 0
