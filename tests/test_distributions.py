"""omsmethod.distributions against scipy.stats (the reference), on grids that include
the tails, small and large degrees of freedom, and the edges of the domain."""

import numpy as np
import pytest
from scipy import special, stats

from omsmethod import distributions as d

QS = np.array([1e-12, 1e-8, 1e-5, 0.001, 0.025, 0.05, 0.2, 0.5, 0.7, 0.9, 0.975, 0.999, 1 - 1e-6])
DFS = np.array([0.5, 1, 1.5, 2, 3, 5, 9.3, 29, 100, 499, 4999, 1e5])
TS = np.array([-40, -5, -2.1, -0.3, 0, 1e-6, 0.01, 0.5, 1.96, 3, 8, 30, 1e3])


def relative(mine, reference):
    mine, reference = np.asarray(mine, float), np.asarray(reference, float)
    same_inf = np.isinf(mine) & np.isinf(reference) & (np.sign(mine) == np.sign(reference))
    with np.errstate(invalid="ignore", divide="ignore"):
        error = np.abs(mine - reference) / np.maximum(np.abs(reference), 1e-300)
    return np.where(same_inf, 0.0, error)


def test_t_quantiles_match_scipy():
    q, df = np.meshgrid(QS, DFS)
    assert relative(d.t_ppf(q, df), stats.t.ppf(q, df)).max() < 1e-10


def test_t_quantiles_on_a_dense_grid_of_moderate_df():
    q, df = np.meshgrid([1e-4, 5e-4, 1e-3, 0.005, 0.025, 0.05, 0.2, 0.45, 0.5, 0.95], np.arange(1, 201))
    assert relative(d.t_ppf(q, df), stats.t.ppf(q, df)).max() < 1e-12


@pytest.mark.parametrize("function", ["sf", "cdf"])
def test_t_tails_match_scipy(function):
    t, df = np.meshgrid(TS, DFS)
    mine = getattr(d, f"t_{function}")(t, df)
    assert relative(mine, getattr(stats.t, function)(t, df)).max() < 1e-10


def test_t_beyond_4e5_df_is_rs_normal_approximation():
    # R's pt() switches to pnorm(t (1 - 1/(4n)) / sqrt(1 + t^2 / (2n))) above 4e5 df
    t, n = 2.5, 1e6
    expected = stats.norm.sf(t * (1 - 1 / (4 * n)) / np.sqrt(1 + t * t * 2 / (4 * n)))
    assert d.t_sf(t, n) == pytest.approx(expected, rel=1e-14)
    assert d.t_sf(t, n) == pytest.approx(stats.t.sf(t, n), rel=1e-8)
    assert d.t_ppf(0.975, np.inf) == pytest.approx(stats.norm.ppf(0.975), rel=1e-15)


@pytest.mark.parametrize("a, b", [(0.5, 0.5), (2, 3), (50, 0.5), (2500, 0.5), (0.5, 2500), (10, 1e4),
                                  (1e4, 1e4), (0.1, 20), (300, 200)])
def test_beta_cdf_and_quantile_match_scipy(a, b):
    x = np.linspace(1e-4, 1 - 1e-4, 41)
    assert relative(d.beta_cdf(x, a, b), special.betainc(a, b, x)).max() < 1e-11
    assert relative(d.beta_ppf(QS, a, b), stats.beta.ppf(QS, a, b)).max() < 1e-10


@pytest.mark.parametrize("dfn, dfd", [(1, 1), (3, 20), (4999, 14997), (149, 447), (2, 1e5)])
def test_f_matches_scipy(dfn, dfd):
    assert relative(d.f_ppf(QS, dfn, dfd), stats.f.ppf(QS, dfn, dfd)).max() < 1e-11
    x = np.array([0.01, 0.1, 1, 3, 10])
    assert relative(d.f_cdf(x, dfn, dfd), stats.f.cdf(x, dfn, dfd)).max() < 1e-11


def test_normal_matches_scipy():
    x = np.linspace(-38, 8, 200)
    assert relative(d.norm_cdf(x), stats.norm.cdf(x)).max() < 1e-11
    assert relative(d.norm_sf(x), stats.norm.sf(x)).max() < 1e-11
    assert relative(d.norm_ppf(QS), stats.norm.ppf(QS)).max() < 1e-14
    assert relative(d.expit(np.array([-800.0, -3, 0, 2, 800])), special.expit([-800.0, -3, 0, 2, 800])).max() < 1e-15


def test_edges_and_shapes():
    assert d.t_ppf([0, 1], 3).tolist() == [-np.inf, np.inf]
    assert np.isnan(d.t_ppf(1.2, 3)) and np.isnan(d.t_sf(np.nan, 3)) and np.isnan(d.t_ppf(0.5, 0))
    assert d.t_sf([np.inf, -np.inf], 4).tolist() == [0.0, 1.0]
    assert d.beta_ppf([0, 1], 2, 3).tolist() == [0.0, 1.0]
    assert d.f_ppf(1, 3, 4) == np.inf and d.f_ppf(0, 3, 4) == 0
    assert d.norm_ppf([0, 1]).tolist() == [-np.inf, np.inf]
    assert isinstance(d.t_ppf(0.975, 10), float) and d.t_ppf(np.full((2, 3), 0.9), 5).shape == (2, 3)
