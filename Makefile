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

.PHONY: cluster hub sim test lint bench flash config repl hardware check-config clean venv browser

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

# make cluster [N=3] [PORT=8001] [HUB_ARGS=...]: redis-server and N hubs sharing rooms
cluster: $(HUB_STAMP)
	$(BIN)/python -m hub.localcluster -n $(or $(N),3) --port $(or $(PORT),8001) -- $(HUB_ARGS)

# make sim [PORT=8001 | HUB=ws://HOST:PORT] [CODE=123456] [SIM_ARGS="--script FILE ..."]
sim: $(FW_STAMP)
	$(BIN)/python firmware/host/sim.py $(if $(HUB),--hub $(HUB)) $(if $(PORT),--port $(PORT)) $(if $(CODE),--code $(CODE)) $(SIM_ARGS)

# The published MicroPython 1.29 ESP32 API (stubs) that `make lint` checks firmware/ against:
# installed once from PyPI into build/, then lint runs offline.
ESP32_STUBS  ?= micropython-esp32-stubs==1.29.*
STUBS_DIR    := build/esp32-stubs
STUBS_STAMP  := $(STUBS_DIR)/.installed

$(STUBS_STAMP): Makefile | $(HUB_STAMP)
	rm -rf $(STUBS_DIR)
	$(BIN)/pip install -q --disable-pip-version-check --no-compile --target $(STUBS_DIR) '$(ESP32_STUBS)'
	@touch $@

lint: $(DEV_STAMP) $(STUBS_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/basedpyright --project firmware/pyrightconfig.json --typeshedpath $(STUBS_DIR)

test: $(DEV_STAMP) $(NODE_STAMP) browser lint
	$(BIN)/python -m pytest -q tests
	cd tests && PATH=$(CURDIR)/$(BIN):$$PATH node --test js/

bench: $(DEV_STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

flash: $(FW_STAMP)
	$(BIN)/python firmware/host/flash.py flash --hints make $(if $(PORT),--port $(PORT)) --board $(BOARD) $(FLASH_ARGS)

config: $(FW_STAMP)
	$(BIN)/python firmware/host/flash.py config --hints make --board $(BOARD) $(FLASH_ARGS)

repl: $(FW_STAMP)
	$(BIN)/mpremote $(if $(PORT),connect $(PORT)) repl

hardware: $(HUB_STAMP)
	$(BIN)/python hardware/tools/generate.py

check-config: $(HUB_STAMP)
	$(BIN)/python hardware/tools/check.py $(CONFIG)

clean:
	rm -rf $(VENV) tests/node_modules build *.egg-info .pytest_cache .ruff_cache
