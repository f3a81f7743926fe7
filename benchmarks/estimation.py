"""Benchmark: design-based means of many Likert items by domain, Taylor SEs.

Default: 1,000,000 respondents, 20 strata x 200 PSUs, 40 Likert items (1-5),
means of every item by a 10-level domain. Times ``omsmethod.sampling.Design.mean``
and, in the same run and on the same data, the ``svy`` package
(``Sample.estimation.mean(items, by=...)``) and R survey (``svyby(~q1+..., ~dom,
design, svymean)`` via Rscript, data passed as a binary file; only the svydesign +
svyby call is timed inside R). Prints times, ratios, the largest differences in
estimates/SEs and the peak memory of our estimation (tracemalloc, second run) as a
multiple of the numeric data size.

Usage::

    .venv/bin/python benchmarks/estimation.py            # full size
    .venv/bin/python benchmarks/estimation.py --n 50000  # quick
    .venv/bin/python benchmarks/estimation.py --skip-r --skip-svy
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd


def make_data(n, n_strata=20, n_psu=200, n_items=40, n_domains=10, seed=1):
    rng = np.random.default_rng(seed)
    stratum = rng.integers(0, n_strata, n)
    psu = stratum * n_psu + rng.integers(0, n_psu, n)
    domain = rng.integers(0, n_domains, n)
    weight = rng.uniform(1.0, 5.0, n) * (1 + stratum / n_strata)
    psu_effect = rng.normal(0, 0.4, n_strata * n_psu)[psu]
    cols = {"stratum": stratum, "psu": psu, "dom": domain, "w": weight}
    for j in range(n_items):
        latent = 3 + 0.1 * (domain - 4.5) / 4.5 + psu_effect + rng.normal(0, 1, n)
        cols[f"q{j + 1}"] = np.clip(np.rint(latent), 1, 5)
    return pd.DataFrame(cols), [f"q{j + 1}" for j in range(n_items)]


def run_ours(data, items):
    from omsmethod.sampling import Design

    t0 = time.perf_counter()
    design = Design(data, weights="w", strata="stratum", psu="psu")
    out = design.mean(items, by="dom")
    return time.perf_counter() - t0, out


def run_svy(data, items):
    import polars as pl
    import svy

    frame = pl.from_pandas(data)
    t0 = time.perf_counter()
    sample = svy.Sample(frame, svy.Design(stratum="stratum", psu="psu", wgt="w"))
    est = sample.estimation.mean(items, by="dom")
    elapsed = time.perf_counter() - t0
    estimates = list(est) if len(items) > 1 else [est]
    parts = [
        e.to_polars().to_pandas().assign(variable=item)
        for item, e in zip(items, estimates, strict=True)
    ]
    return elapsed, pd.concat(parts, ignore_index=True)


R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(TRUE)
n <- as.integer(args[2]); k <- as.integer(args[3])
con <- file(args[1], "rb"); m <- readBin(con, "double", n * (k + 4)); close(con)
m <- matrix(m, nrow = n)
df <- as.data.frame(m)
names(df) <- c("stratum", "psu", "dom", "w", paste0("q", seq_len(k)))
f <- as.formula(paste("~", paste(paste0("q", seq_len(k)), collapse = "+")))
el <- system.time({
  d <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = df)
  b <- svyby(f, ~dom, d, svymean)
})[["elapsed"]]
cat(el, "\n", file = args[4])
write.csv(data.frame(name = names(coef(b)), est = coef(b), se = as.vector(as.matrix(SE(b)))), args[5],
          row.names = FALSE)
"""


def run_r(data, items, tmp: Path):
    if shutil.which("Rscript") is None:
        return None, None
    arr = data[["stratum", "psu", "dom", "w", *items]].to_numpy(dtype=float)
    (tmp / "data.bin").write_bytes(np.asfortranarray(arr).tobytes(order="F"))
    (tmp / "bench.R").write_text(R_SCRIPT)
    subprocess.run(
        [
            "Rscript",
            str(tmp / "bench.R"),
            str(tmp / "data.bin"),
            str(len(data)),
            str(len(items)),
            str(tmp / "time.txt"),
            str(tmp / "est.csv"),
        ],
        check=True,
    )
    elapsed = float((tmp / "time.txt").read_text().split()[0])
    est = pd.read_csv(tmp / "est.csv")
    # names like "0:q1" -> dom, variable
    parts = est["name"].str.split(":", expand=True)
    est["dom"] = parts[0].astype(float).astype(int)
    est["variable"] = parts[1]
    return elapsed, est


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--skip-svy", action="store_true")
    parser.add_argument("--skip-r", action="store_true")
    args = parser.parse_args(argv)

    data, items = make_data(args.n, n_items=args.items)
    numeric_bytes = data.memory_usage(index=False, deep=True).sum()
    print(
        f"data: {args.n:,} respondents, 20 strata x 200 PSUs, {len(items)} items, "
        f"10 domains; numeric data {numeric_bytes / 2**20:.0f} MiB"
    )

    ours_t, ours = run_ours(data, items)
    tracemalloc.start()
    run_ours(data, items)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    key = ours.set_index(["variable", "dom"])

    rows = [("omsmethod Design.mean", ours_t, 1.0, "", "")]
    if not args.skip_svy:
        try:
            svy_t, svy_out = run_svy(data, items)
            merged = svy_out.set_index(["variable", "dom"])[["est", "se"]].join(
                key, how="inner", suffixes=("", "_o")
            )
            d_est = np.max(np.abs(merged["est"] - merged["estimate"]) / np.abs(merged["estimate"]))
            d_se = np.max(np.abs(merged["se"] - merged["se_o"]) / merged["se_o"])
            rows.append(
                (
                    "svy Sample.estimation.mean",
                    svy_t,
                    ours_t / svy_t,
                    f"{d_est:.1e} ({len(merged)} rows)",
                    f"{d_se:.1e}",
                )
            )
        except ImportError as exc:
            print(f"svy not available: {exc}")
    if not args.skip_r:
        with tempfile.TemporaryDirectory() as tmp:
            r_t, r_out = run_r(data, items, Path(tmp))
        if r_t is not None:
            merged = r_out.set_index(["variable", "dom"]).join(
                key, how="inner", suffixes=("", "_o")
            )
            d_est = np.max(np.abs(merged["est"] - merged["estimate"]) / np.abs(merged["estimate"]))
            d_se = np.max(np.abs(merged["se"] - merged["se_o"]) / merged["se_o"])
            rows.append(
                (
                    "R survey svyby(svymean)",
                    r_t,
                    ours_t / r_t,
                    f"{d_est:.1e} ({len(merged)} rows)",
                    f"{d_se:.1e}",
                )
            )

    print()
    print(
        f"{'implementation':<30}{'seconds':>10}{'ours / it':>12}  {'max rel diff est':<26}"
        f"{'max rel diff se':<16}"
    )
    for name, t, ratio, de, ds in rows:
        print(f"{name:<30}{t:>10.2f}{ratio:>12.3f}  {de:<26}{ds:<16}")
    print()
    print("targets: ours / svy <= 0.5, ours / R <= 0.2")
    print(
        f"peak memory of Design + mean (tracemalloc): {peak / 2**20:.0f} MiB = "
        f"{peak / numeric_bytes:.2f} x numeric data (target < 4)"
    )


if __name__ == "__main__":
    main()
