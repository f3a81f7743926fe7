"""notebooks/service_ratio.ipynb runs with papermill on the sample data."""

import pytest

from omsmethod.ratio import fit_response, optimise_ratio


@pytest.mark.slow
def test_service_ratio_notebook_runs(run_notebook):
    import omsmethod as oms

    _, summary = run_notebook("service_ratio.ipynb", {"n_boot": 20, "lang": "zh"})
    units = oms.datasets.load("units")
    fit = fit_response(units, "customers_per_staff", "satisfaction", weights="respondents")
    best = optimise_ratio(fit, 5.0, 60000.0, customers=units.customers.sum(), n_boot=0)
    assert summary["optimal_ratio"] == pytest.approx(best["ratio"], abs=0.05)
    assert summary["staff_needed"] == pytest.approx(best["staff"], abs=0.05)
    assert 1000 < summary["optimal_ratio"] < 2200  # planted optimum 1500
    assert summary["allocated_staff"] <= units.staff.sum()
