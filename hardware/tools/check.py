"""Check a device config.json or a pin map against the ESP32 pin rules before flashing.

    python hardware/tools/check.py FILE [--board esp32-devkit]   (make check-config CONFIG=FILE)
    python hardware/tools/check.py                               (every pin map in hardware/pinmaps)

A pin map is recognised by its "board" and "chip" keys; anything else is read as a config.json,
whose pins fill in over the default pins of --board's pin map (default esp32-devkit) one by
one, as the firmware does. Exit status: 0 = fine (warnings may be printed), 1 = a pin cannot
work, 2 = the file cannot be read.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pinmap  # noqa: E402
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


def check_file(path, board=None, out=print, err=None):
    """Check one file; returns the exit status."""
    err = err or (lambda line: print(line, file=sys.stderr))
    data, problem = read_json(path)
    if problem:
        err(problem)
        return 2
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
    args = parser.parse_args(argv)
    files = args.files or [str(pinmap.PINMAPS / f"{b}.json") for b in pinmap.board_names()]
    return max(check_file(f, args.board) for f in files)


if __name__ == "__main__":
    sys.exit(main())
