"""The survey-planning notebook runs on the sample enterprise and keeps to its budget."""

import json
from pathlib import Path

import papermill as pm
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _output(nb, index):
    data = nb.cells[index].outputs[-1]["data"]
    return data.get("text/plain", "")


@pytest.mark.slow
def test_sampling_design_notebook(tmp_path):
    out = tmp_path / "plan.ipynb"
    nb = pm.execute_notebook(str(ROOT / "notebooks" / "sampling_design.ipynb"), str(out),
                             parameters={"moe": 0.025, "budget": 90000.0}, cwd=str(ROOT / "notebooks"),
                             progress_bar=False, kernel_name="python3")
    summary = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("summary ="))
    text = summary.outputs[-1]["data"]["text/plain"]
    values = json.loads(text.replace("'", '"').replace("True", "true").replace("False", "false"))
    # the budget binds: 90,000 / mean cost 27 = 3,333 contacts
    assert values["contacts"] == 3333
    assert values["within_budget"]
