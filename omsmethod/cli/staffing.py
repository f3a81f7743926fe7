"""``omsmethod staffing``: Erlang C / Erlang A staffing for one interval or a forecast file.

Examples::

    omsmethod staffing --arrivals 100 --aht 180 --target-sl 0.8 --target-time 20
    omsmethod staffing --intervals week.csv -o staffing.csv --shrinkage 0.3
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

__all__ = ["register", "run"]


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``staffing`` subcommand."""
    p = subparsers.add_parser(
        "staffing",
        help="staff needed for a service-level target (Erlang C, or Erlang A with --patience)",
        description=(
            "Minimum staff meeting a service level. Times (aht, target time, interval, "
            "patience) share one unit, seconds by default; --arrivals counts arrivals per "
            "--interval."
        ),
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--arrivals", type=float, help="arrivals in one interval")
    src.add_argument(
        "--intervals", type=Path, metavar="FILE.csv", help="CSV with one row per interval"
    )
    p.add_argument("--aht", default="180", help="average handling time, or a column of FILE")
    p.add_argument("--arrivals-column", default="arrivals", help="column of FILE with arrivals")
    p.add_argument("--target-sl", type=float, default=0.8, help="share answered in time")
    p.add_argument("--target-time", type=float, default=20.0, help="answer-time threshold")
    p.add_argument("--interval", type=float, default=1800.0, help="interval length (1800 s)")
    p.add_argument("--shrinkage", type=float, default=0.0, help="share of paid time unavailable")
    p.add_argument("--max-occupancy", type=float, default=None)
    p.add_argument("--patience", type=float, default=None, help="mean patience: Erlang A")
    p.add_argument("-o", "--output", type=Path, default=None, help="write the plan as CSV")
    p.set_defaults(func=run)
    return p


def _aht(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def run(args: argparse.Namespace) -> int:
    """Parse, call :mod:`omsmethod.ratio`, print a small table (and write ``-o``)."""
    import pandas as pd

    from ..errors import InputError
    from ..ratio import staff_for_service_level, staffing_plan

    common = dict(
        target_sl=args.target_sl,
        target_time=args.target_time,
        shrinkage=args.shrinkage,
        max_occupancy=args.max_occupancy,
        patience=args.patience,
        interval=args.interval,
    )
    if args.intervals is not None:
        if not args.intervals.exists():
            raise InputError("file not found", file=str(args.intervals))
        data = pd.read_csv(args.intervals, encoding="utf-8")
        table = staffing_plan(data, arrivals=args.arrivals_column, aht=_aht(args.aht), **common)
        shown = table.head(20)
    else:
        aht = _aht(args.aht)
        if isinstance(aht, str):
            raise InputError("--aht must be a number without --intervals", value=aht)
        row = staff_for_service_level(args.arrivals, aht, **common)
        table = row.to_frame().T
        table.insert(0, "arrivals", args.arrivals)
        for col in ("agents", "scheduled_staff"):
            table[col] = table[col].astype(int)
        table["customers_per_staff"] = args.arrivals / max(int(row["scheduled_staff"]), 1)
        shown = table
    cols = [
        c
        for c in (
            "arrivals",
            args.arrivals_column,
            "traffic",
            "agents",
            "scheduled_staff",
            "service_level",
            "p_wait",
            "asa",
            "occupancy",
            "p_abandon",
            "customers_per_staff",
        )
        if c in shown
    ]
    print(
        shown[list(dict.fromkeys(cols))].to_string(index=False, float_format=lambda v: f"{v:.3f}")
    )
    if args.output is not None:
        out = Path(args.output)
        fd, tmp = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".", suffix=".csv")
        os.close(fd)
        table.to_csv(tmp, index=False, encoding="utf-8")
        os.replace(tmp, out)
        print(f"wrote {len(table)} rows to {out}")
    return 0
