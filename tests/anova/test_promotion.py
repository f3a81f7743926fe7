"""The promotion generator recovers its planted cell means; the notebook runs on the
committed sample and finds the planted interaction and best promotions."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import omsmethod as oms
from omsmethod.datasets import promotion


def _expected_rating(mu, sd):
    """E[clip(round(X), 1, 7)] for X ~ N(mu, sd^2), computed from the normal CDF."""
    edges = np.array([-np.inf, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, np.inf])
    probs = np.diff(norm.cdf((edges - mu) / sd))
    return float(probs @ np.arange(1, 8))


def test_generator_recovers_planted_cell_means():
    df = promotion.generate(n_per_behaviour=3000, seed=7)
    sd = np.hypot(promotion.SD_RESPONDENT, promotion.SD_NOISE)
    for gender, shift in promotion.GENDER_SHIFT.items():
        got = (
            df[df["gender"] == gender]
            .groupby(["behaviour", "promotion"])["likelihood"]
            .mean()
            .unstack()
            .loc[promotion.BEHAVIOURS, promotion.PROMOTIONS]
        )
        want = np.vectorize(lambda m, s=shift: _expected_rating(m + s, sd))(
            promotion.CELL_MEANS.to_numpy()
        )
        # ~1,500 ratings per cell, SE ~ 0.035: allow 3.5 SE
        np.testing.assert_allclose(got.to_numpy(), want, atol=0.12)


def test_generator_is_seeded_and_sample_is_its_output():
    a = promotion.generate(n_per_behaviour=4, seed=3)
    pd.testing.assert_frame_equal(a, promotion.generate(n_per_behaviour=4, seed=3))
    sample = oms.datasets.load("promotion")
    assert sample.shape == (1200, 6)
    pd.testing.assert_frame_equal(sample, promotion.generate(), check_dtype=False)


def test_mixed_anova_finds_planted_structure():
    df = oms.datasets.load("promotion")
    res = oms.anova.mixed_anova(df, "likelihood", "promotion", "behaviour", "respondent")
    assert (res["p"] < 0.001).all()  # H1, H2, H3 planted
    best = oms.anova.best_levels(df, "promotion", "behaviour", res)
    assert dict(zip(best["behaviour"], best["best"], strict=True)) == {
        "habitual": "price_discount",
        "variety_seeking": "lottery",
        "complex": "bonus_pack",
    }


@pytest.mark.parametrize(
    "lang, needle",
    [
        ("en", "The behaviour × promotion interaction was significant, F(6, 891) = "),
        ("zh", "购买行为 × 促销方式的交互作用显著，F(6, 891) = "),
    ],
)
def test_promotion_notebook_runs(tmp_path, root, lang, needle):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "promotion_study.ipynb"
    papermill.execute_notebook(
        str(root / "notebooks" / "promotion_study.ipynb"),
        str(out),
        parameters={"lang": lang, "alpha": 0.05},
        kernel_name="python3",
        cwd=str(root / "notebooks"),
        progress_bar=False,
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    text = "\n".join(
        "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c["outputs"]
    )
    assert needle in text
    # H4: the best-promotion table shows the planted winners in behaviour order
    best_cell = next(c for c in nb["cells"] if "".join(c["source"]).startswith("best = "))
    table = "".join(best_cell["outputs"][0]["data"]["text/plain"])
    assert [w for w in table.split() if w in promotion.PROMOTIONS][::2] == [
        "price_discount",
        "lottery",
        "bonus_pack",
    ]
    # the interaction plot is in the notebook as a plotly figure
    assert any(
        "application/vnd.plotly.v1+json" in o.get("data", {})
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c["outputs"]
    )
