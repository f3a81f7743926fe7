"""Measured relations against independent references: R (base stats, fixtures made once
by tests/fixtures/graph/make_r_reference.R), pingouin and statsmodels.

The R input was written by :func:`make_input` (kept here so it can be re-made)."""

import numpy as np
import pandas as pd
import pytest

from omsmethod import graph
from omsmethod.graph import kernels

from .conftest import FIXTURES, SUBS


def make_input():  # pragma: no cover - documents how customer_scores_400.csv was made
    from omsmethod import scoring
    from omsmethod.datasets import synthetic

    sc = scoring.score(synthetic(n_customers=400, n_staff=60, n_partners=30, seed=7).customer, "customer")
    cols = ["respondent_id", "unit", "weight", *SUBS]
    sc[cols].to_csv(FIXTURES / "customer_scores_400.csv", index=False, float_format="%.10g")


@pytest.fixture(scope="module")
def r_partial():
    return pd.read_csv(FIXTURES / "r_partial.csv")


def _edges(G, value="weight"):
    t = graph.edges_table(G)
    return t.set_index(["source", "target"])[value]


@pytest.mark.parametrize(
    ("method", "weights", "column"),
    [
        ("partial_correlation", None, "pcor"),
        ("partial_correlation", "weight", "pcor_weighted"),
        ("correlation", None, "cor"),
    ],
)
def test_relations_match_r(scores400, r_partial, method, weights, column):
    G = graph.empirical(scores400, method=method, weights=weights, n_boot=0)
    got = _edges(G)
    expected = r_partial.set_index(["source", "target"])[column]
    assert len(got) == len(expected) == 15
    np.testing.assert_allclose(got.loc[expected.index].to_numpy(), expected.to_numpy(), rtol=0, atol=1e-10)


def test_p_and_bh_match_r(scores400, r_partial):
    t = graph.edges_table(graph.empirical(scores400, n_boot=0)).set_index(["source", "target"])
    ref = r_partial.set_index(["source", "target"])
    np.testing.assert_allclose(t.loc[ref.index, "p"], ref["p"], rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(t.loc[ref.index, "p_fdr"], ref["p_bh"], rtol=1e-8, atol=1e-14)
    assert (t["significant"] == (t["p_fdr"] < 0.05)).all()
    assert t["n"].unique().tolist() == [398]


def test_regression_matches_r_lm(scores400):
    ref = pd.read_csv(FIXTURES / "r_regression.csv").set_index(["source", "target"])
    G = graph.empirical(scores400, method="regression", n_boot=0)
    assert G.is_directed()
    t = graph.edges_table(G).set_index(["source", "target"])
    # the model's directions: brand on everything but itself, customer on non-descendants
    assert set(t.index) == set(ref.index)
    np.testing.assert_allclose(t.loc[ref.index, "weight"], ref["beta"], atol=1e-10)
    np.testing.assert_allclose(t.loc[ref.index, "p"], ref["p"], rtol=1e-7)


def test_unit_means_and_unit_correlation_match_r(scores400):
    means = pd.read_csv(FIXTURES / "r_unit_means.csv").set_index("unit")
    got = graph.unit_means(scores400, unit="unit", weights="weight")
    np.testing.assert_allclose(got.loc[means.index, SUBS].to_numpy(), means[SUBS].to_numpy(), atol=1e-9)
    cor = pd.read_csv(FIXTURES / "r_unit_cor.csv", index_col=0)
    G = graph.empirical(scores400, method="correlation", unit="unit", weights="weight", n_boot=0)
    assert G.graph["level"] == "unit" and G.graph["n"] == 30
    for a, b, d in G.edges(data=True):
        assert d["weight"] == pytest.approx(cor.loc[a, b], abs=1e-9)


def test_partial_correlation_matches_pingouin(scores400):
    pingouin = pytest.importorskip("pingouin")
    data = scores400[SUBS].dropna()
    t = graph.edges_table(graph.empirical(data, n_boot=0))
    full = pingouin.pcorr(data)
    for row in t.itertuples():
        covar = [s for s in SUBS if s not in (row.source, row.target)]
        ref = pingouin.partial_corr(data=data, x=row.source, y=row.target, covar=covar)
        assert row.weight == pytest.approx(ref["r"].iloc[0], abs=1e-10)
        assert row.weight == pytest.approx(full.loc[row.source, row.target], abs=1e-10)
        assert row.p == pytest.approx(ref["p_val"].iloc[0] if "p_val" in ref else ref["p-val"].iloc[0], rel=1e-6)


def test_partial_correlation_equals_residual_correlation(scores400):
    """Inverse-covariance formula == correlation of regression residuals (Whittaker 5.7)."""
    x = scores400[SUBS].dropna().to_numpy()
    r = kernels.partial_correlation(np.cov(x, rowvar=False))
    for i in range(len(SUBS)):
        for j in range(i + 1, len(SUBS)):
            rest = np.column_stack([np.ones(len(x)), np.delete(x, [i, j], axis=1)])
            ei = x[:, i] - rest @ np.linalg.lstsq(rest, x[:, i], rcond=None)[0]
            ej = x[:, j] - rest @ np.linalg.lstsq(rest, x[:, j], rcond=None)[0]
            assert r[i, j] == pytest.approx(np.corrcoef(ei, ej)[0, 1], abs=1e-10)


def test_benjamini_hochberg_matches_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.random.default_rng(3).uniform(0, 0.2, size=40) ** 2
    np.testing.assert_allclose(kernels.benjamini_hochberg(p), multipletests(p, method="fdr_bh")[1], atol=1e-15)


def test_batched_kernels_equal_one_at_a_time(scores400):
    x = scores400[SUBS].dropna().to_numpy()
    rng = np.random.default_rng(0)
    batch = np.stack([np.cov(x[rng.integers(0, len(x), len(x))], rowvar=False) for _ in range(5)])
    for method in ("partial_correlation", "correlation"):
        together = kernels.relation_matrices(batch, method)
        for b in range(5):
            np.testing.assert_allclose(together[b], kernels.relation_matrices(batch[b], method), atol=1e-12)
