import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def root() -> Path:
    return ROOT

# Fixture folders hold data and the scripts that made it; never import them as tests.
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture
def run_notebook(tmp_path):
    """Execute ``notebooks/<name>`` with papermill; return the executed notebook and the
    dict printed by its cell tagged ``summary`` (None when it has none)."""
    import ast

    import nbformat
    import papermill as pm

    def run(name: str, parameters: dict | None = None, cwd=None):
        out = tmp_path / name
        pm.execute_notebook(str(ROOT / "notebooks" / name), str(out), parameters=parameters or {},
                            kernel_name="python3", progress_bar=False, cwd=str(cwd or ROOT / "notebooks"))
        nb = nbformat.read(out, as_version=4)
        cell = next((c for c in nb.cells if "summary" in c.metadata.get("tags", [])), None)
        summary = None
        if cell is not None:
            printed = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
            summary = ast.literal_eval(printed.strip())
        return nb, summary

    return run

