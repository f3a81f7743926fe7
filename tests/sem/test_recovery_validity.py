"""Planted models are recovered; validity tables and the problems list name the right things."""

import numpy as np
import pandas as pd
import pytest

from omsmethod import sem

from .conftest import PLANTED_MODEL


def composite_planted(n=2000, seed=11, paths=(("A", "B", 0.5), ("B", "C", 0.4), ("A", "C", 0.3))):
    """Exact composite population: items = score + within-block noise summing to zero, so the
    equally weighted (and, by symmetry, mode A) composite *is* the planted score."""
    rng = np.random.default_rng(seed)
    ab, bc, ac = (p for _, _, p in paths)
    a = rng.normal(size=n)
    b = ab * a + np.sqrt(1 - ab**2) * rng.normal(size=n)
    var_c = bc**2 + ac**2 + 2 * bc * ac * ab
    c = bc * b + ac * a + np.sqrt(1 - var_c) * rng.normal(size=n)
    cols = {}
    for name, f in (("a", a), ("b", b), ("c", c)):
        e = rng.normal(scale=0.6, size=(n, 3))
        e -= e.mean(axis=1, keepdims=True)
        for i in range(3):
            cols[f"{name}{i + 1}"] = f + e[:, i]
    return pd.DataFrame(cols), dict(((s, t), v) for s, t, v in paths)


def test_pls_recovers_planted_paths_within_ci():
    df, truth = composite_planted()
    res = sem.fit(df, model=PLANTED_MODEL, n_boot=1000, seed=5, predict_folds=5)
    for row in res.paths.itertuples():
        assert row.ci_low <= truth[(row.source, row.target)] <= row.ci_high
        assert row.bca_low <= truth[(row.source, row.target)] <= row.bca_high
    ind = res.indirect_effects.set_index("via").loc["A → B → C", "estimate"]
    assert ind == pytest.approx(0.5 * 0.4, abs=0.04)
    assert (res.predict["q2_predict"] > 0).all()


def test_cb_recovers_paths_of_the_synthetic_enterprise():
    """The lead's synthetic enterprise plants standardised latent paths (datasets.enterprise.PATHS).
    Its items are ordinal (5 categories) and clustered by branch, so the continuous ML fit is
    only approximately consistent: standardised paths within 0.05 of the planted ones."""
    from omsmethod import datasets
    from omsmethod.datasets.enterprise import PATHS

    df = datasets.load("customer")
    res = sem.fit(df, "customer", method="cb")
    got = res.paths.set_index(["source", "target"])["std_all"]
    planted = {(s, t): v for s, t, v in PATHS if (s, t) in got.index}
    assert len(planted) == 6
    for key, value in planted.items():
        assert got[key] == pytest.approx(value, abs=0.05), key
    pls_res = sem.fit(df, "customer", n_boot=0, predict_folds=0)
    # PLS composites attenuate latent paths (reliability < 1) but keep their order
    pls_paths = pls_res.paths.set_index(["source", "target"])["estimate"]
    order = sorted(planted, key=planted.get)
    assert np.corrcoef([planted[k] for k in order], [pls_paths[k] for k in order])[0, 1] > 0.9


def test_validity_pls_tables_and_problems(mobi, ecsi_model, sem_fixtures):
    v = sem.validity(mobi, model=ecsi_model, n_boot=300, seed=1)
    ref = pd.read_csv(sem_fixtures / "seminr_ecsi_reliability.csv", index_col=0)
    rel = v.reliability.set_index("construct")
    np.testing.assert_allclose(rel["rho_c"], ref.loc[rel.index, "rhoC"], atol=1e-10)
    fl = v.fornell_larcker.set_index("construct")
    assert fl.loc["Value", "Value"] == pytest.approx(np.sqrt(ref.loc["Value", "AVE"]), abs=1e-10)
    text = "\n".join(v.problems)
    assert "item CUSL2 (Loyalty): standardised loading 0.202" in text
    assert "construct Image: AVE 0.478 < 0.50" in text
    assert "constructs Image and Quality: HTMT 0.929 > 0.85" in text
    assert "Expectation: Cronbach's alpha 0.452" in text
    assert "Fornell–Larcker" in text
    h = v.htmt.set_index(["construct_1", "construct_2"])
    assert (h["ci_low"] < h["htmt"]).all() and (h["htmt"] < h["ci_high"]).all()
    cross = v.cross_loadings.set_index("item")
    assert cross.loc["CUSL2", "Loyalty"] == pytest.approx(
        v.loadings.set_index("item").loc["CUSL2", "std_loading"], abs=1e-12)
    html = v._repr_html_()
    assert "<table" in html and "CUSL2" in html and "Problems" in v.summary()


def test_validity_clean_model_has_no_problems():
    df, _ = composite_planted(n=800, seed=2)
    v = sem.validity(df, model=PLANTED_MODEL, n_boot=200, seed=1)
    assert v.problems == []


def test_problems_in_chinese_name_the_same_items():
    """The zh problems list says the same things as the English one, item for item."""
    import numpy as np
    import pandas as pd

    from omsmethod import sem

    rng = np.random.default_rng(3)
    f = rng.standard_normal((300, 2))
    items = {f"x{i}": f[:, 0] * (0.8 if i else 0.2) + rng.standard_normal(300) * 0.6 for i in range(3)}
    items.update({f"y{i}": f[:, 1] * 0.8 + rng.standard_normal(300) * 0.6 for i in range(3)})
    df = pd.DataFrame(items)
    spec = "F1 =~ x0 + x1 + x2; F2 =~ y0 + y1 + y2"
    en = sem.validity(df, model=spec, n_boot=0).problems
    zh = sem.validity(df, model=spec, n_boot=0, lang="zh").problems
    assert len(en) == len(zh) >= 1
    assert en == ["construct F1: Cronbach's alpha 0.679 < 0.70"]  # x0 barely measures F1
    assert zh == ["构念 F1：克朗巴哈α 0.679 < 0.70"]
