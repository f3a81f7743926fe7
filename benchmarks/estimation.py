"""Benchmark: design-based means of many items by domain (Taylor, raked, replicates).

Data (default): 1,000,000 respondents, 20 strata x 200 PSUs, 40 Likert items (1-5),
8 domains; four raking variables (sex 2, age 5, education 4, region 10 levels).
Scenarios, each ``mean(items, by="dom")`` with SEs for all 40 items:

(a) plain weights, Taylor SEs: ``Design(...).mean``;
(b) raked to the 4 margins, calibration-aware SEs: ``Design(...).rake(margins).mean``;
(c) 80 *delivered* replicate-weight columns ``rep1..rep80`` (a grouped JK1: the
    4,000 PSUs in 80 random groups, group r dropped and the rest scaled by 80/79),
    read by ``ReplicateDesign(data, "w", "rep[0-9]+", "JK1")`` in column blocks.

In the same run it times the numpy one-pass floor (Σ w·y and Σ w per domain for all
items, one ``np.bincount`` each), the ``svy`` package for (a) when installed, and R
survey via Rscript (only the svydesign/rake/svrepdesign + svyby calls are timed
inside R). R runs (a) at full size; (b) and (c) take R about 20+ minutes at 1M rows,
so by default R runs them on a smaller data set drawn the same way (``--r-rows``,
default 20,000) and the time is extrapolated linearly to the full size (printed as
"extrapolated"). Every R run is compared with omsmethod on the same data (largest
relative difference in estimates and SEs; target 1e-8). Times are the best of
``--repeat`` runs; the peak memory is traced (tracemalloc) in a separate run.

Usage::

    .venv/bin/python benchmarks/estimation.py                # all, full size
    .venv/bin/python benchmarks/estimation.py --n 50000      # quick
    .venv/bin/python benchmarks/estimation.py --skip-r --skip-svy --scenarios a,b
    .venv/bin/python benchmarks/estimation.py --r-full       # R at full size for (b), (c)
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

N_REP = 80
MARGINS = {"sex": 2, "age": 5, "edu": 4, "region": 10}


def make_data(n, n_strata=20, n_psu=200, n_items=40, n_domains=8, replicates=0, seed=1):
    """Synthetic survey; ``replicates`` > 0 adds grouped-JK1 columns rep1..repR."""
    rng = np.random.default_rng(seed)
    stratum = rng.integers(0, n_strata, n)
    psu = stratum * n_psu + rng.integers(0, n_psu, n)
    domain = rng.integers(0, n_domains, n)
    weight = rng.uniform(1.0, 5.0, n) * (1 + stratum / n_strata)
    psu_effect = rng.normal(0, 0.4, n_strata * n_psu)[psu]
    cols = {"stratum": stratum, "psu": psu, "dom": domain, "w": weight}
    for name, k in MARGINS.items():
        cols[name] = rng.integers(0, k, n)
    for j in range(n_items):
        latent = 3 + 0.1 * (domain - 4.5) / 4.5 + psu_effect + rng.normal(0, 1, n)
        cols[f"q{j + 1}"] = np.clip(np.rint(latent), 1, 5)
    if replicates:
        group = rng.integers(0, replicates, n_strata * n_psu)[psu]
        factor = replicates / (replicates - 1.0)
        for r in range(replicates):
            cols[f"rep{r + 1}"] = np.where(group == r, 0.0, weight * factor)
    return pd.DataFrame(cols), [f"q{j + 1}" for j in range(n_items)]


def population_margins(data, seed=2):
    """Population counts per level: weighted sample shares, perturbed, same total."""
    rng = np.random.default_rng(seed)
    total = 1.1 * data["w"].sum()
    out = {}
    for name, k in MARGINS.items():
        share = np.bincount(data[name], weights=data["w"], minlength=k)
        share = share * (1 + 0.05 * rng.uniform(-1, 1, k))
        out[name] = {int(level): float(v) for level, v in enumerate(share / share.sum() * total)}
    return out


# -- omsmethod --------------------------------------------------------------------------
def ours_a(data, items):
    from omsmethod.sampling import Design

    return Design(data, weights="w", strata="stratum", psu="psu").mean(items, by="dom")


def ours_b(data, items):
    from omsmethod.sampling import Design

    design = Design(data, weights="w", strata="stratum", psu="psu")
    return design.rake(population_margins(data), tol=1e-12).mean(items, by="dom")


def ours_c(data, items):
    from omsmethod.sampling import ReplicateDesign

    return ReplicateDesign(data, "w", "rep[0-9]+", "JK1").mean(items, by="dom")


OURS = {"a": ours_a, "b": ours_b, "c": ours_c}
LABELS = {
    "a": "(a) plain weights, Taylor",
    "b": "(b) raked to 4 margins",
    "c": f"(c) {N_REP} delivered JK1 replicates",
}


def floor(data, items):
    """The numpy floor: Σ w·y and Σ w per domain for every item (one bincount each)."""
    w = data["w"].to_numpy()
    dom = data["dom"].to_numpy()
    out = [np.bincount(dom, weights=w)]
    for item in items:
        out.append(np.bincount(dom, weights=w * data[item].to_numpy()))
    return out


def best_time(fn, repeat):
    best, result = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def peak_memory(fn):
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


# -- svy (scenario a) ---------------------------------------------------------------------
def run_svy(data, items):
    import polars as pl
    import svy

    frame = pl.from_pandas(data[["stratum", "psu", "dom", "w", *items]])
    t0 = time.perf_counter()
    sample = svy.Sample(frame, svy.Design(stratum="stratum", psu="psu", wgt="w"))
    est = sample.estimation.mean(items, by="dom")
    elapsed = time.perf_counter() - t0
    estimates = list(est) if len(items) > 1 else [est]
    parts = [
        e.to_polars().to_pandas().assign(variable=item)
        for item, e in zip(items, estimates, strict=True)
    ]
    out = pd.concat(parts, ignore_index=True).rename(columns={"est": "estimate"})
    return elapsed, out


# -- R ------------------------------------------------------------------------------------
R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(TRUE)
scenario <- args[1]; n <- as.integer(args[3]); cols <- strsplit(args[4], ",")[[1]]
k <- as.integer(args[5]); tot <- as.numeric(strsplit(args[8], ",")[[1]])
con <- file(args[2], "rb"); m <- readBin(con, "double", n * length(cols)); close(con)
df <- as.data.frame(matrix(m, nrow = n)); names(df) <- cols
f <- as.formula(paste("~", paste(paste0("q", seq_len(k)), collapse = "+")))
el <- system.time({
  k_rep <- sum(grepl("^rep[0-9]+$", cols))
  if (scenario == "c") {
    d <- svrepdesign(data = df, repweights = "rep[0-9]+", weights = ~w, type = "JK1",
                     combined.weights = TRUE, scale = (k_rep - 1) / k_rep)
  } else {
    d <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = df)
  }
  if (scenario == "b") {
    sizes <- c(sex = 2, age = 5, edu = 4, region = 10)
    pops <- list(); pos <- 0
    for (v in names(sizes)) {
      lv <- seq_len(sizes[[v]]) - 1
      p <- data.frame(lv, tot[pos + seq_along(lv)]); names(p) <- c(v, "Freq")
      pops[[v]] <- p; pos <- pos + length(lv)
    }
    d <- rake(d, lapply(names(sizes), function(v) as.formula(paste0("~", v))), pops,
              control = list(maxit = 1000, epsilon = sum(pops[[1]]$Freq) * 1e-13))
  }
  b <- svyby(f, ~dom, d, svymean)
})[["elapsed"]]
cat(el, "\n", file = args[6])
write.csv(data.frame(name = names(coef(b)), est = coef(b), se = as.vector(as.matrix(SE(b)))),
          args[7], row.names = FALSE)
"""


def run_r(scenario, data, items, tmp: Path):
    cols = ["stratum", "psu", "dom", "w", *MARGINS, *items]
    if scenario == "c":
        cols += [f"rep{r + 1}" for r in range(N_REP)]
    arr = data[cols].to_numpy(dtype=float)
    (tmp / "data.bin").write_bytes(np.asfortranarray(arr).tobytes(order="F"))
    (tmp / "bench.R").write_text(R_SCRIPT)
    pops = population_margins(data)
    totals = ",".join(repr(v) for name in MARGINS for v in pops[name].values())
    subprocess.run(
        [
            "Rscript",
            str(tmp / "bench.R"),
            scenario,
            str(tmp / "data.bin"),
            str(len(data)),
            ",".join(cols),
            str(len(items)),
            str(tmp / "time.txt"),
            str(tmp / "est.csv"),
            totals,
        ],
        check=True,
    )
    elapsed = float((tmp / "time.txt").read_text().split()[0])
    est = pd.read_csv(tmp / "est.csv")
    parts = est["name"].str.split(":", expand=True)  # "dom:q1"
    est["dom"] = parts[0].astype(float).astype(int)
    est["variable"] = parts[1]
    return elapsed, est.rename(columns={"est": "estimate"})


def max_diffs(theirs, ours):
    mine = ours.set_index(["variable", "dom"])[["estimate", "se"]]
    merged = theirs.set_index(["variable", "dom"])[["estimate", "se"]].join(
        mine.rename(columns=lambda c: c + "_o"), how="inner"
    )
    d_est = np.max(np.abs(merged["estimate"] - merged["estimate_o"]) / merged["estimate_o"].abs())
    d_se = np.max(np.abs(merged["se"] - merged["se_o"]) / merged["se_o"])
    return f"{d_est:.1e}/{d_se:.1e} ({len(merged)})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--scenarios", default="a,b,c", help="comma list of a, b, c")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--skip-svy", action="store_true")
    parser.add_argument("--skip-r", action="store_true")
    parser.add_argument("--r-rows", type=int, default=20_000, help="R data size for (b), (c)")
    parser.add_argument("--r-full", action="store_true", help="R at full size for (b), (c)")
    args = parser.parse_args(argv)
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]

    need_rep = N_REP if "c" in scenarios else 0
    data, items = make_data(args.n, n_items=args.items, replicates=need_rep)
    item_bytes = data[["w", *items]].memory_usage(index=False).sum()
    print(
        f"data: {args.n:,} respondents, 20 strata x 200 PSUs, {len(items)} items, 8 domains, "
        f"raking margins {dict(MARGINS)}, {need_rep} replicate columns; "
        f"weights + items {item_bytes / 2**20:.0f} MiB"
    )
    floor_t, _ = best_time(lambda: floor(data, items), args.repeat)
    print(f"numpy floor (Σw·y, Σw per domain, {len(items)} items): {floor_t:.3f} s\n")

    header = (
        f"{'scenario':<34}{'ours s':>8}{'/floor':>8}{'peak MiB':>10}  "
        f"{'other':<34}{'other s':>9}{'ours/other':>11}  max rel diff est/se (rows)"
    )
    print(header)
    print("-" * len(header))
    for s in scenarios:
        fn = OURS[s]
        ours_t, ours = best_time(lambda fn=fn: fn(data, items), args.repeat)
        peak = peak_memory(lambda fn=fn: fn(data, items))
        lead = f"{LABELS[s]:<34}{ours_t:>8.2f}{ours_t / floor_t:>8.2f}{peak / 2**20:>10.0f}  "
        others = []
        if s == "a" and not args.skip_svy:
            try:
                svy_t, svy_out = run_svy(data, items)
                others.append(("svy", svy_t, svy_t, max_diffs(svy_out, ours)))
            except ImportError as exc:
                print(f"  (svy not available: {exc})")
        if not args.skip_r and shutil.which("Rscript"):
            full = s == "a" or args.r_full
            if full:
                r_data, r_ours = data, ours
            else:
                r_data, _ = make_data(args.r_rows, n_items=args.items, replicates=need_rep)
                r_ours = fn(r_data, items)
            with tempfile.TemporaryDirectory() as tmp:
                r_t, r_out = run_r(s, r_data, items, Path(tmp))
            label = "R survey" if full else f"R survey @{len(r_data):,} rows"
            scaled = r_t if full else r_t * args.n / len(r_data)
            note = "" if full else " extrapolated"
            others.append((label + note, r_t, scaled, max_diffs(r_out, r_ours)))
        if not others:
            print(lead)
        for k, (name, t, scaled, diff) in enumerate(others):
            shown = f"{t:.1f}->{scaled:.0f}" if t != scaled else f"{t:.2f}"
            print(
                f"{lead if k == 0 else ' ' * len(lead)}{name:<34}{shown:>9}"
                f"{ours_t / scaled:>11.4f}  {diff}"
            )
    print()
    print("targets: (a) <= 3 x floor, (b) <= 3 s, (c) <= 10 s; R differences <= 1e-8")
    print(f"peak = traced allocations of one run; weights + items are {item_bytes / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
