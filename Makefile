# The two commands of the README: `make serve` and `make test`. Everything else is set-up.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test setup

serve: setup
	$(BIN)/alliance-kg load
	$(BIN)/alliance-kg serve

test: setup browser
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/pytest

setup: $(VENV)/.installed node_modules/.installed

# The browser test (tests/test_browser.py) drives Debian's Chromium: Playwright cannot download its
# own browser here. A Korean font makes its screenshots legible (optional).
.PHONY: browser
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	@fc-list :lang=ko 2>/dev/null | grep -q . || (apt-get install -y fonts-nanum >/dev/null 2>&1) \
		|| echo "note: no Korean font installed; screenshots show Hangul as boxes"

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
