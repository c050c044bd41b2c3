# Blinkshot. Everything starts from `make hub` and `make test`; both set themselves up.
# PORT means the hub's TCP port for `make hub` and the serial port for `make flash`/`make repl`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
NODE_STAMP := tests/node_modules/.installed
PORT   ?=
HUB_ARGS ?=
SIM_ARGS ?=
BOARD  ?= esp32-devkit

.PHONY: hub sim test lint bench flash config repl hardware check-config clean venv browser

# One .venv, filled in layers: `make hub` installs only the hub's dependencies; the firmware
# tools (make sim/flash/config/repl) add the `firmware` extra; `make test`/`make lint` add `dev`.
# A layer's stamp is touched by every layer above it, so any order of commands works and each
# installs at most once per change to pyproject.toml.
HUB_STAMP := $(VENV)/.installed-hub
FW_STAMP  := $(VENV)/.installed-firmware
DEV_STAMP := $(VENV)/.installed-dev
NEW_VENV = @$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Blinkshot needs Python 3.11 or newer; found " + sys.version.split()[0])' && \
	{ [ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV); }

venv: $(HUB_STAMP)

$(HUB_STAMP): pyproject.toml
	$(NEW_VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e .
	@touch $@

$(FW_STAMP): pyproject.toml
	$(NEW_VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[firmware]'
	@touch $@ $(HUB_STAMP)

$(DEV_STAMP): pyproject.toml
	$(NEW_VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@ $(FW_STAMP) $(HUB_STAMP)

$(NODE_STAMP): $(DEV_STAMP) tests/package.json
	cd tests && ../$(BIN)/npm install --no-audit --no-fund --silent
	@touch $@

# The browser tests' Chromium: BLINKSHOT_CHROMIUM, a system Chromium/Chrome, or (outside CI)
# Playwright's own build when it can download one. Prints one message saying how otherwise.
browser: $(DEV_STAMP)
	@$(BIN)/python bench/chromium.py --ensure

hub: $(HUB_STAMP)
	$(BIN)/python -m hub --port $(or $(PORT),8000) $(HUB_ARGS)

sim: $(FW_STAMP)
	$(BIN)/python firmware/host/sim.py $(SIM_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(DEV_STAMP) $(NODE_STAMP) browser lint
	$(BIN)/python -m pytest -q tests
	cd tests && PATH=$(CURDIR)/$(BIN):$$PATH node --test js/

bench: $(DEV_STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

flash: $(FW_STAMP)
	$(BIN)/python firmware/host/flash.py flash $(if $(PORT),--port $(PORT)) --board $(BOARD) $(FLASH_ARGS)

config: $(FW_STAMP)
	$(BIN)/python firmware/host/flash.py config --board $(BOARD) $(FLASH_ARGS)

repl: $(FW_STAMP)
	$(BIN)/mpremote $(if $(PORT),connect $(PORT)) repl

hardware: $(HUB_STAMP)
	$(BIN)/python hardware/tools/generate.py

check-config: $(HUB_STAMP)
	$(BIN)/python hardware/tools/check.py $(CONFIG)

clean:
	rm -rf $(VENV) tests/node_modules build *.egg-info .pytest_cache .ruff_cache
