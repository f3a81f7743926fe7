"""CLI subcommands for sampling: ``sample-size``, ``allocate``, ``estimate``.

Each parses its arguments, calls one library function of
:mod:`omsmethod.sampling` and writes the result as CSV to stdout or, with
``-o FILE``, atomically (temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ..errors import InputError

__all__ = ["register"]


def _read_table(path: str):
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=path, hint="check the path")
    suffix = p.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(p)
        if suffix in (".xlsx", ".xls"):
            return pd.read_excel(p)
        if suffix == ".sav":
            return pd.read_spss(p)
        return pd.read_csv(p)
    except (ValueError, OSError, ImportError) as exc:
        raise InputError(
            f"cannot read the file: {exc}", file=path, hint="use CSV, Parquet, XLSX or SPSS .sav"
        ) from exc


def _write(frame, output: str | None) -> None:
    text = frame.to_csv(index=False)
    if not output:
        sys.stdout.write(text)
        return
    target = Path(output)
    fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sample_size(args) -> int:
    import pandas as pd

    from ..sampling import sample_size

    n = sample_size(
        args.kind,
        args.moe,
        confidence=args.confidence,
        p=args.p,
        sd=args.sd,
        N=args.population,
        deff=args.deff,
        response_rate=args.response_rate,
    )
    _write(pd.DataFrame({"kind": [args.kind], "moe": [args.moe], "n": [n]}), args.output)
    return 0


def _allocate(args) -> int:
    from ..sampling import allocate

    strata = _read_table(args.strata)
    out = allocate(
        strata, args.n, args.method, N=args.N, S=args.S, cost=args.cost, min_n=args.min_n
    )
    _write(out, args.output)
    return 0


def _estimate(args) -> int:
    from ..sampling import Design

    data = _read_table(args.data)
    design = Design(
        data,
        weights=args.weights,
        strata=args.strata,
        psu=args.psu,
        fpc=args.fpc,
        nest=args.nest,
        lonely_psu=args.lonely_psu,
    )
    if args.mean:
        out = design.mean(args.mean, by=args.by or None, confidence=args.confidence)
    elif args.total:
        out = design.total(args.total, by=args.by or None, confidence=args.confidence)
    else:
        out = design.proportion(args.proportion, by=args.by or None, confidence=args.confidence)
    _write(out, args.output)
    return 0


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="FILE", help="write CSV here (default stdout)")


def register(subparsers) -> None:
    """Add ``sample-size``, ``allocate`` and ``estimate`` to the omsmethod CLI."""
    p = subparsers.add_parser("sample-size", help="sample size for a proportion or a mean")
    p.add_argument("--kind", choices=["proportion", "mean"], default="proportion")
    p.add_argument("--moe", type=float, required=True, help="margin of error (0.05 = 5 points)")
    p.add_argument("--confidence", type=float, default=0.95)
    p.add_argument("--p", type=float, default=0.5, help="expected proportion")
    p.add_argument("--sd", type=float, help="population SD (for a mean)")
    p.add_argument("--population", "-N", type=float, help="population size (fpc)")
    p.add_argument("--deff", type=float, default=1.0, help="design effect")
    p.add_argument("--response-rate", type=float, default=1.0)
    _output(p)
    p.set_defaults(func=_sample_size)

    p = subparsers.add_parser("allocate", help="allocate a sample to strata")
    p.add_argument("strata", help="table with one row per stratum (CSV/XLSX/Parquet)")
    p.add_argument("--n", type=int, required=True, help="total sample size")
    p.add_argument(
        "--method", choices=["proportional", "equal", "neyman", "optimal"], default="proportional"
    )
    p.add_argument("--N", default="N", help="column of stratum population sizes")
    p.add_argument("--S", help="column of stratum SDs (neyman, optimal)")
    p.add_argument("--cost", help="column of unit costs (optimal)")
    p.add_argument("--min-n", type=int, default=2)
    _output(p)
    p.set_defaults(func=_allocate)

    p = subparsers.add_parser("estimate", help="design-based means/totals/proportions with SEs")
    p.add_argument("data", help="responses (CSV/XLSX/Parquet/SAV)")
    p.add_argument("--weights", help="weight column")
    p.add_argument("--strata", help="stratum column")
    p.add_argument("--psu", help="first-stage cluster column")
    p.add_argument("--fpc", help="population count or sampling fraction column")
    p.add_argument("--nest", action="store_true", help="PSU ids are unique only within strata")
    p.add_argument(
        "--lonely-psu", choices=["raise", "certainty", "adjust", "average"], default="raise"
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--mean", action="append", metavar="COL")
    what.add_argument("--total", action="append", metavar="COL")
    what.add_argument("--proportion", action="append", metavar="COL")
    p.add_argument("--by", action="append", metavar="COL", help="domain column (repeatable)")
    p.add_argument("--confidence", type=float, default=0.95)
    _output(p)
    p.set_defaults(func=_estimate)
