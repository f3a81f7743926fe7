# omsmethod — everything a fresh machine with Python >= 3.11 and make needs.
# `make demo` and `make test` install what they use into .venv (uv, from the lock file).

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
export PYTHONDONTWRITEBYTECODE :=

.PHONY: help install demo test test-fast lint lab sample-data workshop docs clean

help:
	@echo "make demo   - install, then build reports/demo.html from the sample data"
	@echo "make test   - install, then run the test suite (with doctests and notebooks)"
	@echo "make lint   - ruff"
	@echo "make lab    - JupyterLab on the notebooks"
	@echo "make docs   - the documentation site (offline, en + zh) in docs/_build/html"
	@echo "make workshop - the hand-out folder for a workshop in workshop_handout/"
	@echo "make sample-data - regenerate sample_data/ from the seeded generators"

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-groups --compile-bytecode --python $(PYTHON) --quiet
	@touch $@

install: $(VENV)/.synced

demo: install
	$(BIN)/omsmethod report notebooks/assessment_report.ipynb -o reports/demo.html
	$(BIN)/python -c "from omsmethod.datasets.engagement import build_demo_workspace; build_demo_workspace('reports/demo_workspace.duckdb')"
	$(BIN)/omsmethod report notebooks/assessment_report.ipynb -p workspace reports/demo_workspace.duckdb \
		-p lang zh -p client "示例连锁企业（第4轮）" -o reports/demo_workspace_zh.html
	$(BIN)/omsmethod report publish reports
	@echo "open reports/demo.html (or reports/index.html) in a browser; it works offline"

test: install
	$(BIN)/python -m pytest -n 2 -q --doctest-modules omsmethod tests

test-fast: install
	$(BIN)/python -m pytest -n 2 -q -m "not slow" --doctest-modules omsmethod tests

lint: install
	$(BIN)/ruff check omsmethod tests benchmarks

lab: install
	$(UV) sync --frozen --all-groups --extra lab --compile-bytecode --quiet
	$(BIN)/jupyter lab notebooks

docs: install
	$(BIN)/python docs/build.py

workshop: install
	$(BIN)/python -m omsmethod.workshop.handout workshop_handout

sample-data: install
	$(BIN)/python -c "from omsmethod.datasets.enterprise import write_sample_data; write_sample_data()"

clean:
	rm -rf .uv $(VENV) reports .pytest_cache
