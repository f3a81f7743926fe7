"""Benchmark: a three-year engagement of a 200-branch chain in one workspace.

Full size: 20 waves × 200 units × 250 respondents = 1,000,000 respondents, 40 Likert items
(8 subsystems × 5), i.e. ~39 million stored answers. Timed:

* import — every wave through :meth:`Workspace.import_frame` (the in-memory path:
  scoring, one transaction per wave; file validation is *not* in this time). One wave is
  also imported from a Parquet file through :meth:`Workspace.import_responses`
  (read_responses validation included) into a scratch workspace and reported separately
  (validation of a 50,000-row file dominates that path);
* trend — ``ws.trend(by="unit")``: every subsystem and layer for every wave × unit with
  SEs and the tests of change, aggregated by DuckDB from the stored scores;
* the same trend computed in pandas on the same scores held in memory (groupby sums +
  the same variance formula). (``sampling.Design.mean`` by unit is not timed here: its
  dense PSU × domain cells make it slow for 200 domains of 50,000 single-respondent PSUs;
  the tests check the workspace against it on smaller data to 1e-8.)

Targets: import < 20 s, trend ≤ 1.5 × the pandas time, peak RSS < 2 GB.

Run: ``.venv/bin/python benchmarks/workspace.py [--scale 0.05]``.
"""

from __future__ import annotations

import argparse
import math
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from timing import best_of

SUBSYSTEMS = ("customer", "staff", "brand", "value", "service", "education", "pr", "vis")


def bench_instrument():
    """A 40-item questionnaire: five Likert items for each of eight subsystems."""
    from omsmethod import instrument

    base = instrument.load("customer").to_dict()
    items = [
        {
            "id": f"{s[:3]}{k}",
            "type": "likert",
            "subsystem": s,
            "scale": "agree5",
            "text": {"zh": f"{s} 题目 {k}", "en": f"{s} item {k}"},
        }
        for s in SUBSYSTEMS
        for k in range(1, 6)
    ]
    raw = {
        **base,
        "id": "bench",
        "version": "1",
        "scales": {"agree5": base["scales"]["agree5"]},
        "sections": [{"id": "main", "title": {"zh": "题目", "en": "Items"}, "items": items}],
    }
    return instrument.from_dict(raw)


def wave_frame(rng, wave: int, n_units: int, per_unit: int, items: list[str]) -> pd.DataFrame:
    n = n_units * per_unit
    unit_index = np.repeat(np.arange(n_units), per_unit)
    level = rng.normal(0, 0.4, n_units)[unit_index] + rng.normal(0, 0.8, n)
    answers = np.clip(np.rint(3.2 + level[:, None] + rng.normal(0, 0.7, (n, len(items)))), 1, 5)
    answers[rng.random(answers.shape) < 0.02] = np.nan
    population = 3000 + (np.arange(n_units) * 7919) % 20000
    frame = pd.DataFrame(answers, columns=items)
    frame.insert(0, "respondent_id", [f"W{wave:02d}-{i:06d}" for i in range(n)])
    frame.insert(1, "unit", np.char.add("U", np.char.zfill((unit_index + 1).astype(str), 3)))
    frame.insert(2, "region", np.char.add("R", (unit_index % 8).astype(str)))
    frame.insert(3, "wave", wave)
    frame.insert(4, "date", "2026-03-02")
    frame["N_customers"] = population[unit_index].astype(float)
    frame["weight"] = frame["N_customers"] / per_unit
    return frame


def pandas_trend(scores: pd.DataFrame, variables) -> pd.DataFrame:
    """The same trend in pandas: per (wave, unit) weighted means and stratified SEs."""
    w = scores["weight"]
    parts = {"wave": scores["wave"], "unit": scores["unit"]}
    for v in variables:
        y = scores[v]
        obs = y.notna()
        wo = w.where(obs, 0.0)
        parts[f"{v}_n"] = obs.astype(float)
        parts[f"{v}_sw"] = wo
        parts[f"{v}_swy"] = wo * y.fillna(0)
        parts[f"{v}_sw2"] = wo * wo
        parts[f"{v}_sw2y"] = wo * wo * y.fillna(0)
        parts[f"{v}_sw2y2"] = wo * wo * y.fillna(0) ** 2
    frame = pd.DataFrame(parts)
    sums = frame.groupby(["wave", "unit"], sort=True).sum()
    facts = scores.groupby(["wave", "unit"], sort=True).agg(
        n_h=("weight", "size"), fpc=("fpc", "max")
    )
    f = facts["n_h"] / facts["fpc"]
    scale = (1 - f) * facts["n_h"] / (facts["n_h"] - 1)
    out = []
    for v in variables:
        W = sums[f"{v}_sw"]
        ybar = sums[f"{v}_swy"] / W
        a = (sums[f"{v}_sw2y2"] - 2 * ybar * sums[f"{v}_sw2y"] + ybar**2 * sums[f"{v}_sw2"]) / W**2
        var = scale * a  # the domain is the stratum: the PSU influence values sum to zero
        out.append(
            pd.DataFrame(
                {
                    "subsystem": v,
                    "estimate": ybar,
                    "se": np.sqrt(var),
                    "n": sums[f"{v}_n"].astype(int),
                }
            )
        )
    table = pd.concat(out).reset_index()
    table = table.sort_values(["unit", "subsystem", "wave"])
    prev = table.groupby(["unit", "subsystem"])[["estimate", "se"]].shift(1)
    table["change"] = table["estimate"] - prev["estimate"]
    table["change_se"] = np.hypot(table["se"], prev["se"])
    return table


def timed(label, func, results):
    start = time.perf_counter()
    value = func()
    results[label] = time.perf_counter() - start
    return value


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the full size (default 1)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from omsmethod.workspace import Workspace

    root = math.sqrt(args.scale)
    n_waves = max(2, round(20 * root))
    n_units = max(4, round(200 * root))
    per_unit = 250
    inst = bench_instrument()
    items = inst.likert_items()
    rng = np.random.default_rng(args.seed)
    results: dict[str, float] = {}
    print(
        f"workspace benchmark: {n_waves} waves × {n_units} units × {per_unit} respondents "
        f"= {n_waves * n_units * per_unit:,} respondents, {len(items)} items"
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        frames = {}
        start = time.perf_counter()
        for wave in range(1, n_waves + 1):
            frames[wave] = wave_frame(rng, wave, n_units, per_unit, items)
        print(f"  generate (numpy, not counted)       {time.perf_counter() - start:7.2f} s")

        ws = Workspace.create(tmp / "bench.oms", client="bench")

        def import_all():
            for wave in range(1, n_waves + 1):
                ws.import_frame(frames[wave], inst, wave=wave)

        timed("import", import_all, results)
        per_wave = results["import"] / n_waves
        print(
            f"  import {n_waves} waves (import_frame)       {results['import']:7.2f} s  ({per_wave:.2f} s/wave)   target < 20 s"
        )
        # the file path (read_responses validation + import) for one wave, into a scratch workspace
        last = tmp / "one_wave.parquet"
        frames[1].to_parquet(last)
        scratch = Workspace.create(tmp / "scratch.oms")
        timed("import_file", lambda: scratch.import_responses(last, inst, wave=1), results)
        print(
            f"  1 wave from Parquet, validated       {results['import_file']:7.2f} s  (file path, for reference)"
        )
        frames.clear()

        variables = [*SUBSYSTEMS, "core", "control"]
        trend = timed("trend_cold", lambda: ws.trend(by="unit"), results)
        print(
            f"  ws.trend(by='unit') first call       {results['trend_cold']:7.2f} s  ({len(trend):,} rows)"
        )
        results["trend"] = best_of(lambda: ws.trend(by="unit"), 3)
        print(f"  ws.trend(by='unit') (DuckDB), best/3 {results['trend']:7.2f} s")
        scores = ws.scores(inst.id, segments=False)
        ref = pandas_trend(scores, variables)
        results["pandas"] = best_of(lambda: pandas_trend(scores, variables), 3)
        print(f"  same trend in pandas (memory), best/3 {results['pandas']:6.2f} s")

        ratio = results["trend"] / results["pandas"]
        print(f"  trend / pandas                        {ratio:7.2f}     target <= 1.5")
        merged = trend.merge(ref, on=["wave", "unit", "subsystem"], suffixes=("", "_pd"))
        worst = float(np.nanmax(np.abs(merged["se"] - merged["se_pd"])))
        print(f"  max |SE difference| DuckDB vs pandas  {worst:.2e}  ({len(merged):,} estimates)")
        size = (tmp / "bench.oms").stat().st_size
        print(f"  workspace file                       {size / 2**20:7.1f} MB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS                             {peak:7.0f} MB   target < 2048 MB")


if __name__ == "__main__":
    main()
