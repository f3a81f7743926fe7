"""fit_response against R (lm / glm quasibinomial) on the committed sample units."""

import numpy as np
import pandas as pd
import pytest

from omsmethod.errors import ModelError, OMSError
from omsmethod.ratio import fit_response

R_COEF = "ratio/response_coefficients.csv"  # tests/fixtures/ratio/make_response_fixtures.R
R_PRED = "ratio/response_predictions.csv"


@pytest.fixture(scope="module")
def units():
    import omsmethod as oms

    return oms.datasets.load("units")


@pytest.mark.parametrize(
    "model, by, form",
    [("log", None, "log"), ("log_by_channel", "channel", "log"), ("logistic", None, "logistic")],
)
def test_coefficients_match_r(units, fixtures, model, by, form):
    ref = pd.read_csv(fixtures / R_COEF).query("model == @model")
    fit = fit_response(
        units, "customers_per_staff", "satisfaction", by=by, form=form, weights="respondents"
    )
    ours = fit.coefficients.set_index("term")
    slope = ours.filter(like="np.log", axis=0).iloc[0]
    r_slope = ref[ref.term.str.startswith("log(")].iloc[0]
    assert slope["estimate"] == pytest.approx(r_slope.estimate, rel=1e-8)
    assert slope["se"] == pytest.approx(r_slope.se, rel=1e-6)
    assert ours.loc["Intercept", "estimate"] == pytest.approx(
        ref.query("term == '(Intercept)'").estimate.iloc[0], rel=1e-8
    )
    if form == "log":
        assert fit.table.loc[0, "r2"] == pytest.approx(ref.r2.iloc[0], rel=1e-8)
        # R's AIC(lm) counts the residual variance as a parameter; statsmodels does not.
        assert fit.table.loc[0, "aic"] + 2 == pytest.approx(ref.aic.iloc[0], rel=1e-8)
    if by:
        for level in ("online", "phone"):
            assert ours.loc[f"C(_g0)[T.{level}]", "estimate"] == pytest.approx(
                ref.loc[ref.term == "channel" + level, "estimate"].iloc[0], rel=1e-8
            )


@pytest.mark.parametrize("form", ["log", "logistic"])
def test_prediction_band_matches_r(units, fixtures, form):
    ref = pd.read_csv(fixtures / R_PRED).query("model == @form")
    fit = fit_response(
        units, "customers_per_staff", "satisfaction", form=form, weights="respondents"
    )
    got = fit.predict(ref["ratio"])
    for col in ("fit", "ci_low", "ci_high"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-7)
    assert list(got.columns) == ["ratio", "fit", "ci_low", "ci_high"]


def test_spline_fits_and_predicts_within_band(units):
    fit = fit_response(
        units, "customers_per_staff", "satisfaction", form="spline", weights="respondents", df=4
    )
    assert fit.table.loc[0, "n_params"] == 5  # intercept + 4 centred basis columns
    pred = fit.predict([400, 1500, 4000])
    assert (pred.ci_low < pred.fit).all() and (pred.fit < pred.ci_high).all()
    assert pred.fit.is_monotonic_decreasing  # the planted curve declines
    # fitted values at the data equal statsmodels' own fitted values
    np.testing.assert_allclose(
        fit.predict(units.customers_per_staff).fit, fit.model.fittedvalues, rtol=1e-10
    )


@pytest.mark.parametrize("form", ["log", "spline", "logistic"])
def test_refit_with_identity_index_reproduces_the_fit(units, form):
    fit = fit_response(
        units, "customers_per_staff", "satisfaction", form=form, weights="respondents"
    )
    beta = fit.refit(np.arange(len(units))[None, :])
    np.testing.assert_allclose(beta[0], fit.params, rtol=1e-7, atol=1e-9)


def test_by_levels_and_reference_mix(units):
    fit = fit_response(
        units, "customers_per_staff", "satisfaction", by="channel", weights="respondents"
    )
    own = fit.predict(
        [1000, 1000, 1000], levels=pd.DataFrame({"channel": ["branch", "phone", "online"]})
    )
    shares = units.channel.value_counts(normalize=True)
    mix = fit.predict([1000]).fit.iloc[0]
    expected = (own.fit.to_numpy() * shares[["branch", "phone", "online"]].to_numpy()).sum()
    assert mix == pytest.approx(expected, rel=1e-12)


def test_missing_outcomes_are_dropped_and_input_kept(units):
    data = units.copy()
    data.loc[:4, "satisfaction"] = np.nan
    before = data.copy()
    fit = fit_response(data, "customers_per_staff", "satisfaction")
    assert fit.table.loc[0, "n"] == len(units) - 5
    pd.testing.assert_frame_equal(data, before)


def test_too_few_units(units):
    with pytest.raises(ModelError, match="at least 5"):
        fit_response(units.head(4), "customers_per_staff", "satisfaction")


@pytest.mark.parametrize(
    "change, word",
    [({"form": "cubic"}, "form"), ({"ratio": "nope"}, "nope")],
)
def test_bad_arguments(units, change, word):
    args = {"ratio": "customers_per_staff", "outcome": "satisfaction"} | change
    with pytest.raises(OMSError, match=word):
        fit_response(units, **args)


def test_non_positive_ratio_and_logistic_range(units):
    bad = units.assign(customers_per_staff=units.customers_per_staff.where(units.index != 3, 0))
    with pytest.raises(OMSError, match="positive"):
        fit_response(bad, "customers_per_staff", "satisfaction")
    with pytest.raises(OMSError, match="logistic"):
        fit_response(units, "customers_per_staff", "satisfaction", form="logistic", upper=50)
