# Two commands do all the set-up: `make lab` (JupyterLab on the notebooks) and `make test` (every test).
# Both build .venv from pyproject.toml the first time and reuse it after (a stamp file records it).
SHELL := /bin/bash
# pyspark 4.3.0 needs Python 3.11 or newer; `check-python` says so in one line before pip would fail.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
PY_FIX := install Python 3.11 or newer (Debian/Ubuntu: sudo apt-get install python3.11 python3.11-venv; macOS: brew install python@3.11; or pyenv install 3.11) and run make again with PYTHON=python3.11, or use conda: conda env create -f environment.yml
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8888
# Three test files at a time: on 2 cores, three workers kept both cores busy (1.92 of 2) where two left gaps
# while streaming tests wait on batch intervals. `make test PYTEST_ARGS=` for one process.
# Files are handed out in collection order (conftest.py puts the longest first), not by number of tests, which
# would leave the longest single-test files (the browser test, the recovery test) to run alone at the end.
PYTEST_ARGS ?= -n 3 --dist loadfile --no-loadscope-reorder
# Every server the kit starts listens on loopback; Spark's driver too.
export SPARK_LOCAL_IP := 127.0.0.1
# Python's bytecode cache on, whatever the machine says (containers often set PYTHONDONTWRITEBYTECODE=1): without
# it every kernel, Spark Python worker and test process compiles pyspark, matplotlib and Jupyter from source again.
# Measured here: a notebook's imports took 4.1 CPU s instead of 1.3, a kernel's start 1.0 instead of 0.4.
# The cache goes to __pycache__ folders in .venv and beside the kit's modules (ignored by git).
export PYTHONDONTWRITEBYTECODE :=
# JupyterLab refuses to run as root without this flag (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# JupyterLab reads app-wide settings overrides from here: the kit's turn off the news pop-up and update check.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: lab test test-fast demo bench bench-notebooks preflight check-python lint format sample lexicons ratings clean

# Seconds, not a pip error: the interpreter is checked before .venv is made from it.
check-python:
	@v=$$($(PYTHON) -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null) || { \
	  echo "✗ Python: '$(PYTHON)' does not run (not installed?); the kit needs Python 3.11 or newer. Fix: $(PY_FIX)"; exit 1; }; \
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "✗ Python $$v ($(PYTHON)) is too old: the kit needs Python 3.11 or newer (pyspark 4.3.0 does). Fix: $(PY_FIX)"; exit 1; }

# A .venv left by an older Python is rebuilt rather than reused.
$(STAMP): pyproject.toml | check-python
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	# --no-compile: Python compiles each module the first time it is imported and keeps it (see
	# PYTHONDONTWRITEBYTECODE above); compiling every installed one up front (pyspark's thousands) took 13 of the
	# install's 40 s here.
	$(BIN)/python -m pip install --quiet --no-compile -e '.[dev]'
	@install -D -m 644 helpers/lab/overrides.json $(LAB_OVERRIDES)
	@touch $(STAMP)

preflight: check-python $(STAMP)
	@$(BIN)/python -m helpers preflight

lab: preflight ratings
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.root_dir=notebooks $(ROOT_FLAG)

test: preflight ratings
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The quick lane for contributors: lint and every test that starts no Spark, notebook or browser.
test-fast: check-python $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest tests -m "not spark and not browser" -q $(PYTEST_ARGS)

demo: preflight
	$(BIN)/python -m helpers stream --seconds 30

# Speed and memory, measured on demand (never in the tests): prints a table, see docs/performance.md.
bench: preflight
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# Each notebook's run time under nbval, and what it asks of a learner (docs/notebooks.md, docs/facilitator.md).
bench-notebooks: preflight
	$(BIN)/python -m benchmarks.notebooks

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The 4,200 human-rated tweets of notebook 09 (not shipped): pip downloads the vaderSentiment sdist once,
# its SHA-256 is checked, the ratings unpacked into data/ratings/. Offline it says what is missing and goes on.
ratings: $(STAMP)
	@$(BIN)/python -m helpers ratings --optional --ndjson data/ratings/rated.ndjson

# Rebuild the shipped data (same seed, same bytes) and the word lists.
sample: $(STAMP)
	$(BIN)/python -m helpers generate-sample

lexicons: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lexicons]'
	$(BIN)/python lexicons/build.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info tests/artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find notebooks -name '.ipynb_checkpoints' -type d -prune -exec rm -rf {} +
