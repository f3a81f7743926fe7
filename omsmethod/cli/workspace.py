"""CLI: ``omsmethod workspace init|import|waves|log|trend|alerts|export``.

Each sub-subcommand parses its arguments, calls one :mod:`omsmethod.workspace` function
and prints a message or a CSV table (to stdout, or atomically to ``-o FILE``).
"""

from __future__ import annotations

import sys

__all__ = ["register"]


def _write(frame, output) -> None:
    if not output:
        frame.to_csv(sys.stdout, index=False)
        return
    from ..files import atomic_path

    with atomic_path(output) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8")


def _open(args):
    from ..workspace import Workspace

    return Workspace.open(args.workspace)


def _init(args) -> int:
    if args.demo:
        from ..datasets.engagement import build_demo_workspace

        ws, eng = build_demo_workspace(args.workspace, overwrite=args.overwrite, n_waves=args.waves)
        print(f"created {ws.path} with {len(eng.waves)} demo waves")
        return 0
    from ..workspace import Workspace

    ws = Workspace.create(args.workspace, client=args.client, overwrite=args.overwrite)
    print(f"created {ws.path}")
    return 0


def _import(args) -> int:
    result = _open(args).import_responses(
        args.file, args.instrument, wave=args.wave, unit=args.unit, replace=args.replace
    )
    print(result.message)
    return 0


def _waves(args) -> int:
    _write(_open(args).waves(), args.output)
    return 0


def _log(args) -> int:
    ws = _open(args)
    if args.file:
        print(f"added {ws.import_log(args.file)} log entries")
        return 0
    if args.add:
        category, date, summary = args.add
        entry = ws.log(
            category,
            date,
            summary,
            subsystems=args.subsystems,
            impact=args.impact,
            source=args.source,
            unit=args.unit,
        )
        print(f"added log entry {entry}")
        return 0
    _write(
        ws.log_entries(
            category=args.category,
            start=args.start,
            end=args.end,
            subsystem=args.subsystems,
            unit=args.unit,
        ),
        args.output,
    )
    return 0


def _trend(args) -> int:
    by = None if args.by == "none" else args.by
    _write(
        _open(args).trend(subsystem=args.subsystem, by=by, instrument=args.instrument), args.output
    )
    return 0


def _alerts(args) -> int:
    by = None if args.by == "none" else args.by
    _write(
        _open(args).alerts(threshold=args.threshold, by=by, instrument=args.instrument), args.output
    )
    return 0


def _export(args) -> int:
    manifest = _open(args).export(args.directory)
    print(f"exported to {manifest.parent} (manifest {manifest.name})")
    return 0


def register(subparsers) -> None:
    """Add ``workspace`` and its sub-subcommands to the ``omsmethod`` parser."""
    parser = subparsers.add_parser(
        "workspace",
        help="engagement workspace: waves, information log, trends, alerts",
        description="The engagement's information database (one DuckDB file).",
    )
    sub = parser.add_subparsers(dest="workspace_command", metavar="ACTION")
    parser.set_defaults(func=lambda args: parser.print_help() or 1)

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("workspace", help="workspace file (e.g. client.oms)")
        p.set_defaults(func=func)
        return p

    def output(p):
        p.add_argument("-o", "--output", help="write the CSV table to this file instead of stdout")

    p = add("init", _init, "create a workspace")
    p.add_argument("--client", help="client name")
    p.add_argument("--demo", action="store_true", help="fill it with the synthetic demo engagement")
    p.add_argument("--waves", type=int, default=4, help="demo waves (default 4)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing file")

    p = add("import", _import, "validate a response file and import it as a wave")
    p.add_argument("file", help="responses (.csv, .xlsx, .sav, .parquet)")
    p.add_argument(
        "--instrument", required=True, help="questionnaire: customer, staff, partner or a .yaml"
    )
    p.add_argument("--wave", type=int, required=True, help="wave number")
    p.add_argument("--unit", help="the file holds this unit only")
    p.add_argument(
        "--replace", action="store_true", help="replace the current import (kept as an old version)"
    )

    p = add("waves", _waves, "list the waves")
    output(p)

    p = add("log", _log, "list, add or import information-log entries")
    p.add_argument("--add", nargs=3, metavar=("CATEGORY", "DATE", "SUMMARY"), help="add one entry")
    p.add_argument("--file", help="import entries from a CSV/XLSX file")
    p.add_argument("--category", help="filter by category")
    p.add_argument("--start", help="from this date")
    p.add_argument("--end", help="up to this date")
    p.add_argument(
        "--subsystems", help="subsystem(s) (filter, or the entry's subsystems with --add)"
    )
    p.add_argument("--unit", help="unit (filter, or the entry's unit with --add)")
    p.add_argument("--impact", help="expected impact (with --add)")
    p.add_argument("--source", help="source (with --add)")
    output(p)

    for name, func, text in (
        ("trend", _trend, "design-based estimates per wave with tests of change"),
        ("alerts", _alerts, "significant changes and low levels with their log entries"),
    ):
        p = add(name, func, text)
        p.add_argument(
            "--by",
            default="unit",
            choices=["unit", "region", "channel", "none"],
            help="domain (default unit)",
        )
        p.add_argument("--instrument", help="questionnaire id (default all)")
        if name == "trend":
            p.add_argument("--subsystem", action="append", help="subsystem or layer (repeatable)")
        else:
            p.add_argument(
                "--threshold",
                type=float,
                help="alert when a level is below this (questionnaire scale)",
            )
        output(p)

    p = add("export", _export, "write every table as Parquet plus manifest.json")
    p.add_argument("directory", help="output folder")

