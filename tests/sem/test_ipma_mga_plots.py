"""IPMA (checked from first principles: OLS on the 0–100 scores), MGA/MICOM, figures."""

import numpy as np
import pandas as pd
import pytest

from omsmethod import sem
from omsmethod.errors import InputError, ModelError


@pytest.fixture(scope="module")
def ecsi_point(mobi, ecsi_model):
    return sem.fit(mobi, model=ecsi_model, n_boot=0, predict_folds=0)


def _perf(mobi, items, weights):
    xt = 100 * (mobi[items].to_numpy(float) - 1) / 9
    return xt @ weights


def test_ipma_importance_is_unstandardised_total_effect(mobi, ecsi_point):
    m = sem.ipma(ecsi_point, target="Complaints", scale=(1, 10))
    # only Satisfaction → Complaints leads into Complaints directly; every other
    # construct acts through Satisfaction. Check Satisfaction by OLS on the 0–100 scores.
    items = m.items.set_index("item")
    ps = _perf(mobi, ["CUSA1", "CUSA2", "CUSA3"], items.loc[["CUSA1", "CUSA2", "CUSA3"], "weight"].to_numpy())
    pc = _perf(mobi, ["CUSCO"], np.array([1.0]))
    slope = np.polyfit(ps, pc, 1)[0]
    got = m.constructs.set_index("construct").loc["Satisfaction"]
    assert got["importance"] == pytest.approx(slope, rel=1e-10)
    assert got["performance"] == pytest.approx(ps.mean(), rel=1e-12)
    assert m.target_performance == pytest.approx(pc.mean(), rel=1e-12)


def test_ipma_weights_are_rescaled_unstandardised(mobi, ecsi_point):
    m = sem.ipma(ecsi_point, target="Loyalty", scale=(1, 10))
    w = ecsi_point.loadings.set_index("item")["weight"]
    sd = mobi.std()
    for _c, grp in m.items.groupby("construct"):
        raw = w[grp["item"]] / sd[grp["item"]]
        np.testing.assert_allclose(grp["weight"], raw / raw.sum(), rtol=1e-12)
    # standardised-weight performance differs, by 0.67 points at most on mobi (Satisfaction)
    d = (m.constructs["performance"] - m.constructs["performance_std_weights"]).abs()
    assert d.max() == pytest.approx(0.672, abs=5e-4)
    assert set(m.constructs["construct"]) == {"Image", "Expectation", "Quality", "Value",
                                              "Satisfaction", "Complaints"}
    fig = m.plot()
    assert fig.data[0].x.tolist() == m.constructs["importance"].tolist()


def test_ipma_survey_weights_change_performance(mobi, ecsi_model):
    w = np.where(mobi["CUSA1"] > 7, 3.0, 1.0)
    res = sem.fit(mobi, model=ecsi_model, n_boot=0, predict_folds=0, weights=w)
    m = sem.ipma(res, target="Loyalty", scale=(1, 10))
    items = m.items.set_index("item")
    ps = _perf(mobi, ["CUSA1", "CUSA2", "CUSA3"], items.loc[["CUSA1", "CUSA2", "CUSA3"], "weight"].to_numpy())
    assert m.constructs.set_index("construct").loc["Satisfaction", "performance"] == pytest.approx(
        np.average(ps, weights=w), rel=1e-12)


def test_ipma_errors(ecsi_point):
    with pytest.raises(ModelError, match="not a construct"):
        sem.ipma(ecsi_point, target="Nope")
    with pytest.raises(ModelError, match="no construct has an effect"):
        sem.ipma(ecsi_point, target="Image")


def _two_groups(n=300, b2=0.5, flip=False, seed=0):
    rng = np.random.default_rng(seed)
    frames = []
    for g, beta in (("g1", 0.5), ("g2", b2)):
        a = rng.normal(size=n)
        b = beta * a + np.sqrt(1 - beta**2) * rng.normal(size=n)
        d = {f"a{i}": a + rng.normal(scale=0.5, size=n) for i in (1, 2, 3)}
        d |= {f"b{i}": b + rng.normal(scale=0.5, size=n) for i in (1, 2, 3)}
        if flip and g == "g2":  # a2 measures something else in group 2
            d["a2"] = rng.normal(size=n)
        frames.append(pd.DataFrame(d).assign(group=g))
    return pd.concat(frames, ignore_index=True)


MODEL2 = "A =~ a1 + a2 + a3; B =~ b1 + b2 + b3; B ~ A"


def test_mga_group_estimates_equal_separate_fits():
    df = _two_groups(b2=0.1)
    m = sem.compare_groups(df, by="group", model=MODEL2, n_perm=300, seed=1)
    for g in ("g1", "g2"):
        sep = sem.fit(df[df["group"] == g], model=MODEL2, n_boot=0, predict_folds=0)
        assert m.paths[f"estimate_{g}"].iloc[0] == pytest.approx(sep.paths["estimate"].iloc[0], abs=1e-10)
    assert m.comparable and m.paths["p"].iloc[0] < 0.01  # planted difference 0.5 vs 0.1


def test_mga_no_difference_not_significant():
    m = sem.compare_groups(_two_groups(b2=0.5, seed=3), by="group", model=MODEL2, n_perm=300, seed=1)
    assert m.invariance in ("full", "partial") and m.paths["p"].iloc[0] > 0.05


def test_micom_detects_non_invariant_composite():
    m = sem.compare_groups(_two_groups(flip=True), by="group", model=MODEL2, n_perm=300, seed=1)
    assert not m.comparable and m.invariance == "none"
    assert "NOT comparable" in m.problems[0] and "A" in m.problems[0]
    assert not m.micom_compositional.set_index("construct").loc["A", "invariant"]


def test_mga_bad_groups():
    df = _two_groups()
    df.loc[:5, "group"] = "g3"
    with pytest.raises(InputError, match="two groups"):
        sem.compare_groups(df, by="group", model=MODEL2, n_perm=10)
    with pytest.raises(InputError, match="by="):
        sem.compare_groups(df, model=MODEL2, n_perm=10)


def test_plot_model_styles_edges(ecsi_model, mobi):
    res = sem.fit(mobi, model=ecsi_model, n_boot=200, seed=2, predict_folds=0)
    fig = sem.plot_model(res)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(lines) == len(res.paths)
    for t, row in zip(lines, res.paths.itertuples(), strict=True):
        covers = row.ci_low <= 0 <= row.ci_high
        assert (t.line.dash == "dash") == covers
    widths = [t.line.width for t in lines]
    assert widths[int(np.argmax(res.paths["estimate"].abs()))] == max(widths)


def test_layout_places_oms_layers_on_rings():
    from omsmethod import model
    from omsmethod.sem.plots import layout

    subs = model.load().subsystems
    pos = layout(list(subs["id"]), subs)
    radius = {c: np.hypot(*pos[c]) for c in pos}
    layer = dict(zip(subs["id"], subs["layer"], strict=True))
    core = max(radius[c] for c in radius if layer[c] == "core")
    control = [radius[c] for c in radius if layer[c] == "control"]
    external = min(radius[c] for c in radius if layer[c] == "external")
    assert core < min(control) and max(control) < external
