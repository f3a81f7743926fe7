"""The survey-planning notebook runs on the sample enterprise and keeps to its budget."""

import pytest


@pytest.mark.slow
def test_sampling_design_notebook(run_notebook):
    _, summary = run_notebook("sampling_design.ipynb", {"moe": 0.025, "budget": 90000.0})
    # the budget binds: 90,000 / mean cost 27 = 3,333 contacts
    assert summary["contacts"] == 3333
    assert summary["within_budget"]
