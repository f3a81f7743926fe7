"""Benchmark: mixed ANOVA on 100,000 subjects x 4 conditions x 3 groups.

Prints our time against pingouin.mixed_anova (same data, same run) for the design
pingouin supports, and the time of a two-within x two-between design on the same data.

    .venv/bin/python benchmarks/anova.py [--subjects 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from timing import best_of


def make_data(n_subjects: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n_subjects)
    sex = rng.integers(0, 2, n_subjects)
    u = rng.normal(size=n_subjects)
    cond = np.tile(np.arange(4), n_subjects)
    y = np.repeat(u + 0.1 * group + 0.05 * sex, 4) + 0.1 * cond + rng.normal(size=4 * n_subjects)
    return pd.DataFrame(
        {
            "subject": np.repeat(np.arange(n_subjects), 4),
            "group": np.repeat(np.array(["g1", "g2", "g3"])[group], 4),
            "sex": np.repeat(np.array(["f", "m"])[sex], 4),
            "condition": np.array(["c1", "c2", "c3", "c4"])[cond],
            # 2 x 2 within split of the four conditions
            "price": np.array(["low", "low", "high", "high"])[cond],
            "framing": np.array(["gain", "loss", "gain", "loss"])[cond],
            "y": y,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import pingouin as pg

    from omsmethod.anova import mixed_anova

    df = make_data(args.subjects)
    print(f"data: {len(df):,} rows, {args.subjects:,} subjects x 4 conditions x 3 groups")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = best_of(lambda: mixed_anova(df, "y", "condition", "group", "subject"), args.repeat)
        theirs = best_of(
            lambda: pg.mixed_anova(
                df, dv="y", within="condition", between="group", subject="subject"
            ),
            args.repeat,
        )
        # groups are unbalanced: pingouin's within main effect uses n-weighted means,
        # i.e. type II; with ss_type=2 every row must agree
        a = mixed_anova(df, "y", "condition", "group", "subject", ss_type=2)
        b = pg.mixed_anova(df, dv="y", within="condition", between="group", subject="subject")
        np.testing.assert_allclose(a["F"], b["F"], rtol=1e-6)
        two_by_two = best_of(
            lambda: mixed_anova(df, "y", ["price", "framing"], ["group", "sex"], "subject"),
            args.repeat,
        )
    print(
        f"1 within x 1 between: omsmethod {ours:.3f} s, pingouin {theirs:.3f} s, "
        f"ratio {ours / theirs:.2f} (target <= 1.2)"
    )
    print(f"2 within x 2 between: omsmethod {two_by_two:.3f} s (target < 10 s)")


if __name__ == "__main__":
    main()
