"""Load and validate pin maps (hardware/pinmaps/*.json), the single source of the wiring.

A pin map names a board, its chip, and which GPIO each part of the controller is wired to.
Everything else is generated from it: the firmware's defaults, the wiring diagrams and the pin
tables in hardware/README.md.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PINMAPS = ROOT / "hardware" / "pinmaps"
DEFAULT_BOARD = "esp32-devkit"

sys.path.insert(0, str(ROOT / "firmware"))
from blinkshot import pinrules  # noqa: E402

KEYS = {"board", "title", "chip", "pins", "external_pullup", "off_by_default", "power_in", "notes"}


class PinMapError(ValueError):
    """A pin map file that is not shaped like one; the message says what to fix."""


def board_names():
    """Board names in a stable order, the reference board first."""
    names = sorted(p.stem for p in PINMAPS.glob("*.json"))
    names.remove(DEFAULT_BOARD)
    return [DEFAULT_BOARD] + names


def load(board):
    where = f"hardware/pinmaps/{board}.json"
    try:
        data = json.loads((PINMAPS / f"{board}.json").read_text())
    except json.JSONDecodeError as e:
        raise PinMapError(f"{where}: not valid JSON at line {e.lineno} column {e.colno}") from e
    return parse(data, where)


def parse(data, where="pin map"):
    """Check the shape of a pin map dict (not the pin rules) and return it."""
    if not isinstance(data, dict):
        raise PinMapError(f"{where}: expected a JSON object")
    missing = {"board", "title", "chip", "pins"} - data.keys()
    if missing:
        raise PinMapError(f"{where}: missing {', '.join(sorted(missing))}")
    unknown = data.keys() - KEYS
    if unknown:
        raise PinMapError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(KEYS))}"
        )
    if not isinstance(data["pins"], dict):
        raise PinMapError(f"{where}: pins must be an object of name -> GPIO number")
    for key in ("external_pullup", "off_by_default", "notes"):
        if not isinstance(data.get(key, []), list):
            raise PinMapError(f"{where}: {key} must be a list")
    for name in data.get("off_by_default", []):
        if name not in pinrules.OPTIONAL:
            raise PinMapError(
                f"{where}: off_by_default lists {name!r}; only optional parts "
                f"({', '.join(pinrules.OPTIONAL)}) can be off by default"
            )
    return data


def problems(pinmap):
    return pinrules.check_pins(
        pinmap["pins"], pinmap["chip"], tuple(pinmap.get("external_pullup", ()))
    )


def warnings(pinmap):
    return pinrules.warn_pins(
        pinmap["pins"], pinmap["chip"], tuple(pinmap.get("external_pullup", ()))
    )


def firmware_defaults(pinmap):
    """The pins the firmware uses when config.json names none: optional parts that are off by
    default read as None (not fitted), so nothing reports a floating pin as a battery."""
    off = set(pinmap.get("off_by_default", ()))
    pins = {name: pinmap["pins"].get(name) for name in pinrules.FIELDS}
    defaults = {name: (None if name in off else pin) for name, pin in pins.items()}
    optional = {name: pins[name] for name in pinrules.FIELDS if name in off}
    return defaults, optional
