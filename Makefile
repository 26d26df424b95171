# The two commands of the README, `make serve` and `make test`, and `make check`, the fast tests
# to run while working. Everything else is set-up.
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: serve test check setup browser virtuoso

# Serving needs the package and the query page's npm packages, not the test tools.
serve: $(VENV)/.installed node_modules/.installed
	$(BIN)/alliance-kg load
	$(BIN)/alliance-kg serve --host $(HOST) --port $(PORT)

test: setup browser virtuoso
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/pytest

# The fast lane while working (under a minute): lint, the doctests and the tests, without the
# reliability, browser and slow (live-server) suites that `make test` runs too.
check: $(VENV)/.test-installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/pytest -q -m "not reliability and not slow" --ignore=tests/test_browser.py

setup: $(VENV)/.installed $(VENV)/.test-installed node_modules/.installed

# The browser test (tests/test_browser.py) drives Debian's Chromium: Playwright cannot download its
# own browser here. A Korean font makes its screenshots legible (optional).
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	@fc-list :lang=ko 2>/dev/null | grep -q . || (apt-get install -y fonts-nanum >/dev/null 2>&1) \
		|| echo "note: no Korean font installed; screenshots show Hangul as boxes"

# The remote-backend tests (tests/test_remote_backend.py) run the REST API on Debian's Virtuoso.
virtuoso:
	command -v virtuoso-t >/dev/null || (apt-get update \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y virtuoso-opensource-7-bin)

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
