# Set-up and everyday commands; everything lives in a local virtualenv (.venv).
#   make lab    JupyterLab on notebooks/ with the "Python 3 (jitnb)" kernel
#   make test   the whole test suite            (PYTEST_ARGS=... to narrow it)
#   make bench  the benchmarks

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
PIP_QUIET ?= -q
LAB_ARGS ?=
PYTEST_ARGS ?=
# Jupyter refuses to run as root unless told to (containers, CI machines).
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: venv lab test bench clean

venv: $(VENV)/.stamp

$(VENV)/.stamp: pyproject.toml
	@echo "Building $(VENV) (pip output is quiet; PIP_QUIET= for all of it)"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install $(PIP_QUIET) --upgrade pip
	$(PIP) install $(PIP_QUIET) -e '.[test,lab]'
	$(BIN)/python -m jitnb.kernelspec install --sys-prefix
	@touch $@

lab: venv
	@mkdir -p notebooks
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ROOT) $(LAB_ARGS)

test: venv
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: venv
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
