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


def _levels_like(data, column: str, levels) -> dict:
    """Map level labels read from a file (text) onto the data column's own values."""
    from ..validation import require_columns

    require_columns(data, [column])
    own = {}
    for v in data[column].dropna().unique():
        own[str(v)] = v
        if isinstance(v, (int, float)) or hasattr(v, "dtype"):
            own.setdefault(str(float(v)), v)  # "1.0" read from a file with gaps
    return {lv: own.get(str(lv), lv) for lv in levels}


def _margins_long(data, path: str) -> dict:
    """``variable,level,N`` table -> {variable: {level: N}} (levels typed like the data)."""
    table = _read_table(path)
    missing = [c for c in ("variable", "level", "N") if c not in table.columns]
    if missing:
        raise InputError(
            f"margins file needs columns variable, level, N; missing {', '.join(missing)}",
            file=path,
            hint="one row per level, e.g. 'stype,E,4421'",
        )
    margins: dict = {}
    for variable, part in table.groupby("variable", sort=False):
        if str(variable) == "(Intercept)":
            margins[variable] = float(part["N"].iloc[0])
            continue
        if part["level"].isna().all():  # a numeric calibration total
            margins[variable] = float(part["N"].iloc[0])
            continue
        mapping = _levels_like(data, variable, part["level"].tolist())
        margins[variable] = {
            mapping[lv]: float(n) for lv, n in zip(part["level"], part["N"], strict=True)
        }
    return margins


def _margin_option(data, spec: str) -> tuple[str, dict]:
    """``COL=FILE`` with FILE two columns: level, N."""
    column, sep, path = spec.partition("=")
    if not sep or not column or not path:
        raise InputError(
            "--margin needs COL=FILE", value=spec, hint="e.g. --margin stype=stype_counts.csv"
        )
    table = _read_table(path)
    if table.shape[1] != 2:
        raise InputError(f"margin file needs 2 columns (level, N), has {table.shape[1]}", file=path)
    levels, counts = table.iloc[:, 0].tolist(), table.iloc[:, 1].tolist()
    mapping = _levels_like(data, column, levels)
    return column, {mapping[lv]: float(n) for lv, n in zip(levels, counts, strict=True)}


def _rscales(value: str | None):
    if value is None:
        return None
    if Path(value).exists():
        return _read_table(value).iloc[:, -1].to_numpy(dtype=float)
    try:
        return [float(v) for v in value.split(",")]
    except ValueError as exc:
        raise InputError(
            "--rscales must be a file or comma-separated numbers", value=value
        ) from exc


def _design(args, data):
    """Design -> (replicates) -> (rake / calibrate), as the options ask."""
    from ..sampling import Design, ReplicateDesign

    if args.repweights:
        if not args.weights:
            raise InputError(
                "--repweights needs --weights (the full-sample weight column)",
                hint="e.g. --weights wt --repweights 'repw[0-9]+'",
            )
        design = ReplicateDesign(
            data,
            args.weights,
            args.repweights,
            type=args.rep_type,
            scale=args.scale,
            rscales=_rscales(args.rscales),
            mse=args.mse,
            rho=args.rho,
        )
    else:
        design = Design(
            data,
            weights=args.weights,
            strata=args.strata,
            psu=args.psu,
            fpc=args.fpc,
            nest=args.nest,
            lonely_psu=args.lonely_psu,
        )
        if args.replicates:
            design = design.replicate(
                args.replicates, replicates=args.n_replicates, rho=args.rho, seed=args.seed
            )
    margins = _margins_long(data, args.rake) if args.rake else {}
    for spec in args.margin or []:
        column, counts = _margin_option(data, spec)
        margins[column] = counts
    if margins:
        design = design.rake(margins, partial=args.partial)
    if args.calibrate:
        design = design.calibrate(
            population=_margins_long(data, args.calibrate),
            method=args.calibrate_method,
            bounds=tuple(args.bounds) if args.bounds else None,
        )
    return design


def _estimate(args) -> int:
    data = _read_table(args.data)
    design = _design(args, data)
    by = args.by or None
    if args.mean:
        out = design.mean(args.mean, by=by, confidence=args.confidence)
    elif args.total:
        out = design.total(args.total, by=by, confidence=args.confidence)
    elif args.quantile:
        out = design.quantile(
            args.quantile,
            args.probs,
            by=by,
            confidence=args.confidence,
            qrule=args.qrule,
            interval_type=args.interval_type,
        )
    else:
        out = design.proportion(args.proportion, by=by, confidence=args.confidence)
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

    p = subparsers.add_parser(
        "estimate",
        help="design-based means/totals/proportions/quantiles with SEs",
        description="Design-based estimates. Weighting: --rake FILE (CSV variable,level,N; "
        "the variables are raked in file order) and/or --margin COL=FILE (CSV level,N), "
        "--calibrate FILE (CSV variable,level,N; a factor lists every level, an empty "
        "level = total of a numeric variable, variable '(Intercept)' = population "
        "size). Replicates: --replicates "
        "JK1|JKn|bootstrap|BRR|Fay builds them from the design; --repweights PATTERN "
        "uses delivered replicate-weight columns (a regular expression matched against "
        "whole column names, e.g. 'repw[0-9]+') with --rep-type, --scale, --rscales. "
        "Replicates are built first; raking/calibration then re-weights every replicate.",
    )
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
    what.add_argument("--quantile", action="append", metavar="COL")
    p.add_argument(
        "--probs", type=float, nargs="+", default=[0.5], help="quantiles (with --quantile)"
    )
    p.add_argument(
        "--qrule",
        choices=["math", "school", *(f"hf{k}" for k in range(1, 10))],
        default="math",
        help="quantile definition (R svyquantile qrule)",
    )
    p.add_argument(
        "--interval-type",
        choices=["mean", "beta", "xlogit", "asin"],
        default="mean",
        help="interval for the CDF share (mean = Woodruff)",
    )
    p.add_argument("--by", action="append", metavar="COL", help="domain column (repeatable)")
    p.add_argument("--confidence", type=float, default=0.95)
    w = p.add_argument_group("weighting (calibration-aware SEs)")
    w.add_argument("--rake", metavar="FILE", help="raking margins: CSV variable,level,N")
    w.add_argument(
        "--margin", action="append", metavar="COL=FILE", help="one raking margin: CSV level,N"
    )
    w.add_argument(
        "--partial",
        action="store_true",
        help="drop margin levels without respondents (with a warning) instead of failing",
    )
    w.add_argument("--calibrate", metavar="FILE", help="population totals: CSV variable,level,N")
    w.add_argument("--calibrate-method", choices=["linear", "raking", "logit"], default="linear")
    w.add_argument("--bounds", type=float, nargs=2, metavar=("LO", "HI"), help="g-weight bounds")
    r = p.add_argument_group("replicate weights")
    r.add_argument(
        "--replicates", choices=["JK1", "JKn", "bootstrap", "BRR", "Fay"], help="build from design"
    )
    r.add_argument("--n-replicates", type=int, help="bootstrap replicates (default 50)")
    r.add_argument("--seed", type=int, help="bootstrap seed")
    r.add_argument("--rho", type=float, help="Fay coefficient")
    r.add_argument("--repweights", metavar="PATTERN", help="regex of replicate-weight columns")
    r.add_argument(
        "--rep-type", choices=["JK1", "JKn", "bootstrap", "BRR", "Fay", "other"], default="JK1"
    )
    r.add_argument("--scale", type=float, help="overall variance factor")
    r.add_argument("--rscales", help="per-replicate factors: FILE (last column) or a,b,c")
    r.add_argument("--mse", action="store_true", help="centre replicates at the full estimate")
    _output(p)
    p.set_defaults(func=_estimate)
