# The two commands a newcomer runs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test check install dev clean schema

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

## Build the graph from data/ into build/ and show what was built.
run: install
	$(BIN)/stemkg build data --out build
	$(BIN)/stemkg stats --build build

## Every check: pytest, ruff, mypy.
test: dev
	$(BIN)/pytest
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy

schema: install
	$(BIN)/stemkg schema --out ontology/record.schema.json

clean:
	rm -rf build $(VENV)
