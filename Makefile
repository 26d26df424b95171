# The two commands of the README: `make serve` and `make test`. Everything else is set-up.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test setup lint

serve: setup
	$(BIN)/alliance-kg load
	$(BIN)/alliance-kg serve

test: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/pytest

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
