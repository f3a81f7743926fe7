"""notebooks/service_ratio.ipynb runs with papermill on the sample data."""

import ast

import pytest

from omsmethod.ratio import fit_response, optimise_ratio


@pytest.mark.slow
def test_service_ratio_notebook_runs(root, tmp_path):
    import nbformat
    import papermill as pm

    import omsmethod as oms

    out = tmp_path / "service_ratio.ipynb"
    pm.execute_notebook(
        str(root / "notebooks" / "service_ratio.ipynb"),
        str(out),
        parameters={"n_boot": 20, "lang": "zh"},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    nb = nbformat.read(out, as_version=4)
    cell = next(c for c in nb.cells if "summary" in c.metadata.get("tags", []))
    summary = ast.literal_eval(cell.outputs[0]["text"].strip())
    units = oms.datasets.load("units")
    fit = fit_response(units, "customers_per_staff", "satisfaction", weights="respondents")
    best = optimise_ratio(fit, 5.0, 60000.0, customers=units.customers.sum(), n_boot=0)
    assert summary["optimal_ratio"] == pytest.approx(best["ratio"], abs=0.05)
    assert summary["staff_needed"] == pytest.approx(best["staff"], abs=0.05)
    assert 1000 < summary["optimal_ratio"] < 2200  # planted optimum 1500
    assert summary["allocated_staff"] <= units.staff.sum()
