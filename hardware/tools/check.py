"""Check a device config.json or a pin map against the ESP32 pin rules before flashing.

    python hardware/tools/check.py FILE [--board esp32-devkit]   (make check-config CONFIG=FILE)
    python hardware/tools/check.py                               (every pin map in hardware/pinmaps)

A pin map is recognised by its "board" and "chip" keys; anything else is read as a config.json
and checked whole by the firmware's own validator (firmware/blinkshot/config.py), exactly as the
board checks it at boot: WiFi fields, code, hub, room, name, every setting and the pins. With
--board other than esp32-devkit, the config's pins fill in over that board's default pins, as
`make config BOARD=...` writes them. --pins-only checks only the wiring of a draft config.
Exit status: 0 = fine (warnings may be printed), 1 = the board would refuse it, 2 = the file
cannot be read.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pinmap  # noqa: E402
from blinkshot import config as device_config  # noqa: E402  (pinmap put firmware/ on the path)
from pinmap import pinrules  # noqa: E402


def read_json(path):
    """(data, None) or (None, error message)."""
    try:
        text = Path(path).read_text()
    except OSError as e:
        return None, f"{path}: cannot read it ({e.strerror}); check the path"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as e:
        return None, f"{path}: not valid JSON at line {e.lineno} column {e.colno}: {e.msg}"


def is_pinmap(data):
    return isinstance(data, dict) and "board" in data and "chip" in data


def resolve(data, board=None):
    """(pins, chip, external_pullup, label) to check, from a pin map or a config dict.

    Raises pinmap.PinMapError for a malformed pin map or an unknown board.
    """
    if is_pinmap(data):
        pm = pinmap.parse(data)
        return pm["pins"], pm["chip"], pm.get("external_pullup", []), f"pin map {pm['board']}"
    if not isinstance(data, dict):
        raise pinmap.PinMapError("expected a JSON object (a config.json or a pin map)")
    board = board or pinmap.DEFAULT_BOARD
    if board not in pinmap.board_names():
        raise pinmap.PinMapError(
            f"unknown board {board!r}; use one of {', '.join(pinmap.board_names())}"
        )
    defaults, _ = pinmap.firmware_defaults(pinmap.load(board))
    pins = data.get("pins")
    if pins is None:
        pins = {}
    if isinstance(pins, dict):
        pins = {**defaults, **pins}
    chip = data.get("chip", pinmap.load(board)["chip"])
    return pins, chip, data.get("external_pullup", []), f"config for board {board}"


def check_config(path, data, board=None, out=print, err=print):
    """Check a config.json with the firmware's validator; returns the exit status."""
    board = board or pinmap.DEFAULT_BOARD
    raw = data
    if board != pinmap.DEFAULT_BOARD and isinstance(data, dict):
        pm = pinmap.load(board)
        defaults, _ = pinmap.firmware_defaults(pm)
        given = data.get("pins", {})
        raw = dict(data, pins={**defaults, **given}) if isinstance(given, dict) else dict(data)
        raw.setdefault("chip", pm["chip"])
        raw.setdefault("external_pullup", pm.get("external_pullup", []))
    cfg, problems = device_config.validate(raw)
    secret = data.get("wifi_password") if isinstance(data, dict) else None
    for _, message in problems:
        if isinstance(secret, str) and secret:  # messages quote values; never this one
            message = message.replace(repr(secret), "'********'").replace(secret, "********")
        err(f"{path}: error: {message}")
    if problems:
        err(f"{path}: {len(problems)} problem(s); the board would refuse this config at boot")
        return 1
    for _, message in pinrules.warn_pins(cfg["pins"], cfg["chip"], cfg["external_pullup"]):
        out(f"{path}: warning: {message}")
    used = ", ".join(f"{k} {v}" for k, v in cfg["pins"].items() if v is not None)
    out(
        f"{path}: OK (config for board {board}, {cfg['chip']}): wifi {cfg['wifi_ssid']!r}, "
        f"hub {cfg['hub']}, room {cfg['room']}; pins {used}"
    )
    return 0


def check_file(path, board=None, out=print, err=None, pins_only=False):
    """Check one file; returns the exit status."""
    err = err or (lambda line: print(line, file=sys.stderr))
    data, problem = read_json(path)
    if problem:
        err(problem)
        return 2
    if not pins_only and not is_pinmap(data):
        return check_config(path, data, board, out, err)
    try:
        pins, chip, pullups, label = resolve(data, board)
    except pinmap.PinMapError as e:
        err(f"{path}: {e}")
        return 1
    pullups = tuple(pullups) if isinstance(pullups, list) else pullups
    bad = pinrules.check_pins(pins, chip, pullups)
    for _, message in bad:
        err(f"{path}: error: {message}")
    if bad:
        err(f"{path}: {len(bad)} problem(s); fix them before flashing")
        return 1
    for _, message in pinrules.warn_pins(pins, chip, pullups):
        out(f"{path}: warning: {message}")
    used = ", ".join(f"{k} {v}" for k, v in pins.items() if v is not None)
    out(f"{path}: OK ({label}, {chip}): {used}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="config.json or pin map (default: all pin maps)")
    parser.add_argument("--board", choices=pinmap.board_names(), help="defaults for a config")
    parser.add_argument(
        "--pins-only", action="store_true", help="check only a config's wiring (a draft)"
    )
    args = parser.parse_args(argv)
    files = args.files or [str(pinmap.PINMAPS / f"{b}.json") for b in pinmap.board_names()]
    return max(check_file(f, args.board, pins_only=args.pins_only) for f in files)


if __name__ == "__main__":
    sys.exit(main())
