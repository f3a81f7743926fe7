"""Trends from SQL sums agree with sampling.Design; change tests, FDR, projection, alerts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from omsmethod.sampling import Design
from omsmethod.workspace import Workspace
from omsmethod.workspace.tracking import difference, fdr_bh, project

VARIABLES = ["customer", "service", "information", "core", "control", "external"]


def _compare(trend, scores, by, strata="stratum", psu=None, fpc="fpc", variables=VARIABLES):
    for wave, data in scores.groupby("wave"):
        data = data.reset_index(drop=True)
        ref = Design(data, weights="weight", strata=strata, psu=psu, fpc=fpc).mean(variables, by=by)
        got = trend[trend["wave"] == wave]
        keys = ["subsystem", *([by] if by else [])]
        merged = ref.rename(columns={"variable": "subsystem"}).merge(
            got, on=keys, suffixes=("_ref", "")
        )
        assert len(merged) == len(ref) > 0
        for column in ("estimate", "se", "ci_low", "ci_high", "deff"):
            np.testing.assert_allclose(
                merged[column],
                merged[f"{column}_ref"],
                rtol=0,
                atol=1e-8,
                err_msg=f"{column} wave {wave} by {by}",
            )
        assert (merged["n"] == merged["n_ref"]).all()


@pytest.mark.parametrize("by", ["unit", "region", "channel", None])
def test_trend_matches_design_mean(two_waves, small_files, by):
    trend = two_waves.trend(by=by, subsystem=VARIABLES)
    _compare(trend, two_waves.scores("customer"), by)


def test_trend_with_clusters_and_unequal_weights(tmp_path, small_files):
    rng = np.random.default_rng(5)
    ws = Workspace.create(tmp_path / "c.oms")
    for wave in (1, 2):
        data = pd.read_csv(small_files[wave])
        data["cluster"] = data["unit"] + "-" + rng.integers(1, 5, len(data)).astype(str)
        data["weight"] = data["weight"] * rng.uniform(0.5, 1.5, len(data))
        path = tmp_path / f"w{wave}.csv"
        data.to_csv(path, index=False)
        ws.add_wave(wave, design={"strata": "unit", "psu": "cluster", "fpc": None})
        ws.import_responses(path, "customer", wave=wave)
    scores = ws.scores("customer")
    assert scores["psu"].notna().all()
    for by in ("unit", "region"):
        _compare(ws.trend(by=by, subsystem=VARIABLES), scores, by, psu="psu", fpc=None)


def test_change_test_between_waves(two_waves, small_files):
    trend = two_waves.trend(by="unit")
    row = trend[
        (trend["unit"] == "B02") & (trend["subsystem"] == "service") & (trend["wave"] == 2)
    ].iloc[0]
    first = trend[
        (trend["unit"] == "B02") & (trend["subsystem"] == "service") & (trend["wave"] == 1)
    ].iloc[0]
    assert row["previous_wave"] == 1
    assert row["change"] == pytest.approx(row["estimate"] - first["estimate"], abs=1e-12)
    assert row["change_se"] == pytest.approx(np.hypot(row["se"], first["se"]), abs=1e-12)
    from scipy.stats import norm

    assert row["p"] == pytest.approx(2 * norm.sf(abs(row["change"] / row["change_se"])), rel=1e-10)
    # the planted shift of 1 latent SD in B02's service is found
    assert row["significant"]
    assert pd.isna(first["change"]) and pd.isna(first["p"])


def test_difference_of_independent_waves():
    d, se = difference(
        np.array([3.0, 2.0]), np.array([0.3, 0.4]), np.array([3.5, 2.0]), np.array([0.4, 0.3])
    )
    np.testing.assert_allclose(d, [0.5, 0.0])
    np.testing.assert_allclose(se, [0.5, 0.5])


def test_fdr_matches_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.random.default_rng(1).uniform(0, 0.2, 40) ** 2
    expected = multipletests(p, method="fdr_bh")[1]
    np.testing.assert_allclose(fdr_bh(p), expected, rtol=1e-12)
    with_nan = np.append(p, np.nan)
    np.testing.assert_allclose(fdr_bh(with_nan)[:-1], expected, rtol=1e-12)


def test_projection_matches_statsmodels_ols():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    rows = []
    for unit in ("B01", "B02"):
        for subsystem in ("service", "brand"):
            for wave, value in zip(
                range(1, 6), 3 + 0.1 * np.arange(5) + rng.normal(0, 0.05, 5), strict=True
            ):
                rows.append(
                    {
                        "instrument": "customer",
                        "unit": unit,
                        "subsystem": subsystem,
                        "wave": wave,
                        "estimate": value,
                    }
                )
    table = pd.DataFrame(rows)
    got = project(table, confidence=0.9)
    assert len(got) == 4
    for r in got.itertuples(index=False):
        part = table[(table["unit"] == r.unit) & (table["subsystem"] == r.subsystem)]
        fit = sm.OLS(
            part["estimate"].to_numpy(), sm.add_constant(part["wave"].to_numpy(float))
        ).fit()
        frame = fit.get_prediction(np.array([[1.0, 6.0]])).summary_frame(alpha=0.1)
        assert r.next_wave == 6
        assert r.projected == pytest.approx(frame["mean"].iloc[0], rel=1e-12)
        assert r.pi_low == pytest.approx(frame["obs_ci_lower"].iloc[0], rel=1e-10)
        assert r.pi_high == pytest.approx(frame["obs_ci_upper"].iloc[0], rel=1e-10)
        assert r.slope == pytest.approx(fit.params[1], rel=1e-12)


def test_alerts_find_the_planted_changes_and_nothing_else(demo):
    ws, eng = demo
    alerts = ws.alerts()
    changes = alerts[(alerts["kind"] == "change") & (alerts["level"] == "subsystem")]
    found = set(changes[["wave", "unit", "subsystem"]].itertuples(index=False, name=None))
    planted = set(eng.truth[["wave", "unit", "subsystem"]].itertuples(index=False, name=None))
    assert found == planted
    # layers flag only where a planted subsystem lies in them
    layers = alerts[(alerts["kind"] == "change") & (alerts["level"] == "layer")]
    assert set(layers["unit"]) <= set(eng.truth["unit"])
    # the direction is right
    merged = changes.merge(eng.truth, on=["wave", "unit", "subsystem"])
    assert (np.sign(merged["change"]) == np.sign(merged["shift"])).all()


def test_alerts_carry_the_log_and_actions_of_the_period(demo):
    ws, _ = demo
    alerts = ws.alerts().set_index(["wave", "unit", "subsystem"])
    b07 = alerts.loc[(2, "B07", "service")]
    assert b07["n_actions"] == 1 and "B07" in b07["actions"]
    assert "B07门店完成服务礼仪培训" in b07["log"]
    b12 = alerts.loc[(3, "B12", "customer")]
    assert "竞争对手" in b12["log"] and b12["n_actions"] == 0
    assert "[market_competition]" in b12["log"]


def test_threshold_and_projection_alerts(demo):
    ws, eng = demo
    trend = ws.trend(by="unit")
    latest = trend[trend["wave"] == 4]
    threshold = (
        float(latest.loc[latest["subsystem"] == "information", "estimate"].nsmallest(2).iloc[-1])
        + 1e-9
    )
    alerts = ws.alerts(threshold=threshold)
    low = alerts[alerts["kind"] == "below_threshold"]
    expected = trend[trend["estimate"] < threshold]
    assert len(low) == len(expected)
    projected = alerts[alerts["kind"] == "projected_below"]
    proj = ws.projection()
    assert len(projected) == int((proj["projected"] < threshold).sum())
    assert (projected["projected"] < threshold).all()
    assert proj["waves"].eq(4).all() and proj["next_wave"].eq(5).all()


def test_named_weights_match_design_with_those_weights(two_waves, small_files):
    from omsmethod.errors import InputError

    rng = np.random.default_rng(9)
    for wave in (1, 2):
        ids = two_waves.scores("customer", wave=wave)["respondent_id"]
        raked = pd.DataFrame({"respondent_id": ids, "weight": rng.uniform(10, 90, len(ids))})
        assert two_waves.add_weights("raked", "customer", wave, raked) == len(ids)
    scores = two_waves.scores("customer", weights="raked")
    assert not np.allclose(scores["weight"], two_waves.scores("customer")["weight"])
    _compare(two_waves.trend(by="region", weights="raked", subsystem=VARIABLES), scores, "region")
    with pytest.raises(InputError, match="not in wave 1"):
        two_waves.add_weights(
            "raked", "customer", 1, pd.DataFrame({"respondent_id": ["nobody"], "weight": [1.0]})
        )


def test_an_analysis_opens_the_workspace_once(demo, monkeypatch):
    from omsmethod.workspace import store

    ws, _ = demo
    opened = []
    real = store.connect

    def counting(*args, **kwargs):
        opened.append(kwargs.get("write", args[1] if len(args) > 1 else None))
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "connect", counting)
    ws.alerts()
    ws.trend()
    ws.plot_log()
    assert opened == [False, False, False]
    with ws.reading():
        ws.alerts()
        ws.trend()
    assert len(opened) == 4
