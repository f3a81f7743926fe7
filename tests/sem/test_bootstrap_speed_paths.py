"""The fast paths of the report's SEM section give the numbers of the plain ones."""

import subprocess
import sys

import numpy as np
import pytest

from omsmethod.sem import bootstrap, pls
from omsmethod.sem.prepare import prepare


@pytest.mark.parametrize("weighted", [False, True])
def test_draw_correlations_equals_counts_then_correlations(mobi, ecsi_model, monkeypatch, weighted):
    prep = prepare(mobi, model=ecsi_model)
    w = np.linspace(0.5, 2.0, len(prep.x)) if weighted else None
    monkeypatch.setattr(bootstrap, "_COUNT_BLOCK", 7 * len(prep.x))  # several blocks, a short last one
    rng_a, rng_b = np.random.default_rng(11), np.random.default_rng(11)
    a = bootstrap.draw_correlations(prep.x, w, 30, rng_a)
    b = bootstrap.bootstrap_correlations(prep.x, w, bootstrap.counts(len(prep.x), 30, rng_b))
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)
    assert rng_a.random() == rng_b.random()  # the same draws, and nothing more


def test_resample_correlations_are_weighted_resample_correlations(mobi, ecsi_model):
    prep = prepare(mobi, model=ecsi_model)
    w = np.linspace(0.5, 2.0, len(prep.x))
    cnt = bootstrap.counts(len(prep.x), 3, np.random.default_rng(2))
    corr = pls.resample_correlations(prep.x, cnt, w)
    for b in range(3):
        _, _, r = pls.correlation(prep.x, cnt[b] * w)
        np.testing.assert_allclose(corr[b], r, atol=1e-13)


def test_summaries_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(4)
    boot = rng.normal(0.3, 0.1, size=(400, 3)) ** 3
    jack = rng.normal(size=(50, 3))
    est = np.array([0.02, -0.001, 0.0])
    out = bootstrap.summarise(est, boot, jack, n=50)
    np.testing.assert_allclose(out["p"], 2 * stats.t.sf(np.abs(out["t"]), df=49), rtol=1e-10, atol=1e-300)
    assert np.all(np.isfinite(out["bca_low"])) and np.all(out["bca_low"] <= out["bca_high"])


def test_report_path_does_not_import_scipy_stats():
    code = (
        "import sys, numpy as np, pandas as pd\n"
        "from omsmethod import sem\n"
        "rng = np.random.default_rng(1)\n"
        "a = rng.normal(size=300); b = 0.6 * a + 0.8 * rng.normal(size=300)\n"
        "df = pd.DataFrame({f'a{i}': np.rint(3 + a + rng.normal(size=300)) for i in (1, 2, 3)}\n"
        "                  | {f'b{i}': np.rint(3 + b + rng.normal(size=300)) for i in (1, 2, 3)})\n"
        "df['w'] = rng.uniform(0.5, 2, 300)\n"
        "m = 'A =~ a1 + a2 + a3; B =~ b1 + b2 + b3; B ~ A'\n"
        "sem.validity(df, model=m, n_boot=50, seed=1)\n"
        "res = sem.fit(df, model=m, n_boot=50, seed=1, weights='w', bca=True, predict_folds=None)\n"
        "sem.ipma(res, target='B')\n"
        "print(sorted(k for k in ('scipy.stats', 'scipy.special', 'statsmodels') if k in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
