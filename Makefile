# OneStop: `make run` starts the platform with demo data, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= data
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes: the suite mostly waits on servers, browsers and databases, so two share two cores well.
TEST_WORKERS ?= 2

.PHONY: setup system system-test run test lint typecheck unit bench clean

setup: $(VENV)/.installed

# System packages (Pango, the CJK font; Chromium for the browser tests): apt-get when root, else what to install.
system:
	bash deploy/system-packages.sh

system-test:
	bash deploy/system-packages.sh --with-browser

$(VENV)/.installed: pyproject.toml
	bash deploy/system-packages.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

run: system setup
	$(BIN)/onestop serve --demo --data-dir $(DATA_DIR) --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

test: system-test lint typecheck unit

bench: setup
	$(BIN)/python -m bench.engine

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .mypy_cache .ruff_cache
