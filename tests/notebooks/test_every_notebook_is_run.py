"""Every notebook in notebooks/ is executed by some test on the sample data."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_notebook_has_an_executing_test():
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    missing = [nb.name for nb in notebooks if nb.name not in tests]
    assert missing == [], f"notebooks no test executes: {missing}"


def test_every_notebook_has_a_documented_parameters_cell():
    from omsmethod.report.render import notebook_parameters

    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        parameters = notebook_parameters(nb)
        assert parameters, f"{nb.name} has no cell tagged 'parameters'"
        undocumented = [name for name, spec in parameters.items() if not spec["help"]]
        assert undocumented == [], f"{nb.name}: parameters without a comment: {undocumented}"
