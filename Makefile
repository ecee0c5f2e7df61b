# pitchlive set-up: `make run` starts the app, `make test` runs the whole test suite.
# Both create .venv when it is missing, install what changed, and (as root on Debian/Ubuntu)
# the system libraries; as a normal user they list the missing ones instead.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SPICE_V1 := $(abspath ../shared/models/spice_1_savedmodel)
PYTEST_ARGS ?=
ARGS ?=

# Only a local SPICE copy is usable offline; tests and benchmarks use it when it is there.
ifneq ($(wildcard $(SPICE_V1)/saved_model.pb),)
  TEST_MODEL_ENV := PITCHLIVE_MODEL=$(SPICE_V1)
endif

.PHONY: run test bench bench-peers sysdeps-run sysdeps-test clean help

help:
	@echo "make run    - install into $(VENV) and start the pitchlive window (ARGS='...' passes options)"
	@echo "make test   - install with test extras and run every test"
	@echo "make bench  - run the benchmarks in bench/"
	@echo "make bench-peers - install the comparison pitch trackers into .venv-bench (bench/accuracy.py)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert (3, 10) <= sys.version_info[:2] < (3, 13), \
	  "pitchlive needs Python 3.10-3.12, this is " + sys.version.split()[0]' \
	  || { echo "Set PYTHON=python3.11 (or another 3.10-3.12) and retry."; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "Creating the virtual environment failed: on Debian/Ubuntu install python3-venv."; exit 1; }
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed-run

sysdeps-run:
	@bash tools/sysdeps.sh run

sysdeps-test:
	@bash tools/sysdeps.sh test

run: sysdeps-run $(VENV)/.installed-run
	$(BIN)/pitchlive $(ARGS)

test: sysdeps-test $(VENV)/.installed-test
	$(TEST_MODEL_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: sysdeps-test $(VENV)/.installed-test
	@for script in $(filter-out %_common.py %_corpus.py %_metrics.py %_peers.py,$(sort $(wildcard bench/*.py))); do echo "== $$script"; $(TEST_MODEL_ENV) $(BIN)/python $$script || exit 1; done

# The peers bench/accuracy.py compares with, in their own environment (never the app's).
bench-peers:
	PYTHON=$(PYTHON) bash tools/bench_peers.sh .venv-bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
