# Blinkshot. Everything starts from `make hub` and `make test`; both set themselves up.
# PORT means the hub's TCP port for `make hub` and the serial port for `make flash`/`make repl`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := tests/node_modules/.installed
PORT   ?=
HUB_ARGS ?=
SIM_ARGS ?=
BOARD  ?= esp32-devkit

.PHONY: hub sim test lint bench flash config repl hardware check-config clean venv browser

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Blinkshot needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

$(NODE_STAMP): $(STAMP) tests/package.json
	cd tests && ../$(BIN)/npm install --no-audit --no-fund --silent
	@touch $@

# Use the system Chromium where there is one (Debian: apt-get install chromium); otherwise let
# Playwright download its own build (works on a machine with internet access).
browser: $(STAMP)
	@if [ -x /usr/bin/chromium ] || [ -n "$$BLINKSHOT_CHROMIUM" ]; then :; \
	elif [ -n "$$CI" ]; then echo "CI: no Chromium found; .ci/run must install the chromium package" >&2; exit 1; \
	else $(BIN)/playwright install chromium; fi

hub: $(STAMP)
	$(BIN)/python -m hub --port $(or $(PORT),8000) $(HUB_ARGS)

sim: $(STAMP)
	$(BIN)/python firmware/host/sim.py $(SIM_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(STAMP) $(NODE_STAMP) browser lint
	$(BIN)/python -m pytest -q tests
	cd tests && PATH=$(CURDIR)/$(BIN):$$PATH node --test js/

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

flash: $(STAMP)
	$(BIN)/python firmware/host/flash.py flash $(if $(PORT),--port $(PORT)) --board $(BOARD) $(FLASH_ARGS)

config: $(STAMP)
	$(BIN)/python firmware/host/flash.py config --board $(BOARD) $(FLASH_ARGS)

repl: $(STAMP)
	$(BIN)/mpremote $(if $(PORT),connect $(PORT)) repl

hardware: $(STAMP)
	$(BIN)/python hardware/tools/generate.py

check-config: $(STAMP)
	$(BIN)/python hardware/tools/check.py $(CONFIG)

clean:
	rm -rf $(VENV) tests/node_modules build *.egg-info .pytest_cache .ruff_cache
