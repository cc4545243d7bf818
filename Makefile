# Two commands do all the set-up: `make lab` (JupyterLab on the notebooks) and `make test` (every test).
# Both build .venv from pyproject.toml the first time and reuse it after (a stamp file records it).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8888
# Two test files at a time: the streaming tests mostly wait on batch intervals. `make test PYTEST_ARGS=` for one.
PYTEST_ARGS ?= -n 2 --dist loadfile
# Every server the kit starts listens on loopback; Spark's driver too.
export SPARK_LOCAL_IP := 127.0.0.1
# JupyterLab refuses to run as root without this flag (containers, CI).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test demo bench bench-notebooks preflight lint format sample lexicons clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

preflight: $(STAMP)
	@$(BIN)/python -m helpers preflight

lab: preflight
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.root_dir=notebooks $(ROOT_FLAG)

test: preflight
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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
