# ruff: noqa: F821  (metadata, include, package: given by the MicroPython build)
# Freeze the controller firmware into a MicroPython build (docs/flashing.md, "Install with mip
# or freeze it"): in the port's directory,
#     make BOARD=ESP32_GENERIC FROZEN_MANIFEST=/path/to/blinkshot/firmware/manifest.py
# Frozen bytecode runs from flash, so the firmware's code no longer takes heap. main.py and
# boot.py stay on the board's filesystem (copied by `make flash` or mpremote), with
# config.json. Keep in step with package.json (tests/flash/test_packaging.py checks both).
metadata(description="Blinkshot controller firmware", version="0.1.0")
include("$(PORT_DIR)/boards/manifest.py")
package("blinkshot")
