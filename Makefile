# Two commands a newcomer needs: `make up` (a working instance) and `make test` (the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: up test lint bench clean

$(BIN)/rehearse: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# `make up PORT=8000` serves on another port (default 5000).
up: $(BIN)/rehearse
	$(BIN)/rehearse up $(if $(PORT),--port $(PORT))

test: $(BIN)/rehearse
	$(BIN)/python -m pytest

lint: $(BIN)/rehearse
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .mypy_cache
