"""Notebooks read an engagement workspace instead of files when given workspace=."""

import pytest

from omsmethod.datasets.engagement import build_demo_workspace


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory):
    path = tmp_path_factory.mktemp("ws") / "engagement.duckdb"
    build_demo_workspace(path, files=False)
    return path


@pytest.mark.slow
def test_service_ratio_from_workspace(run_notebook, demo_workspace):
    _, summary = run_notebook("service_ratio.ipynb", {"workspace": str(demo_workspace), "n_boot": 20})
    assert 1000 < summary["optimal_ratio"] < 2200  # the planted optimum 1500, from the stored unit data


@pytest.mark.slow
def test_subsystem_graph_from_workspace_wave(run_notebook, demo_workspace):
    nb, summary = run_notebook("subsystem_graph.ipynb", {"workspace": str(demo_workspace), "wave": 2, "n_boot": 20})
    assert 4900 <= summary["n"] <= 5000  # complete respondents of wave 2
    assert "customer-brand" in summary["supported"]
