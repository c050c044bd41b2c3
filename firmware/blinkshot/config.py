"""config.json: load, fill defaults, validate. Every problem is (field, message) where the
message says what is wrong and how to fix it. Schema: docs/firmware.md."""

import json

from blinkshot import default_pins, pinrules
from blinkshot.net import parse_hub

PATH = "config.json"
DEFAULTS = {
    "hub": "auto",
    "hub_name": "",
    "room": "default",
    "name": "",
    "external_pullup": [],
    "invert_x": False,
    "invert_y": False,
    "deadzone": 80,
    "wdt": False,
    "battery_ratio": 2.0,
    "beacon_port": 47810,
    "chip": default_pins.CHIP,
}
REQUIRED = ("wifi_ssid", "wifi_password", "code")
KNOWN = REQUIRED + tuple(DEFAULTS) + ("pins",)
_FIX = "; set it with `make config` (see docs/firmware.md)"
_ROOM_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"


def load(path=PATH):
    """(config, problems). config is None when the file is missing or not JSON."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None, [("config.json", "no " + path + " on the device" + _FIX)]
    try:
        raw = json.loads(text)
    except ValueError:
        return None, [("config.json", path + " is not valid JSON" + _FIX)]
    return validate(raw)


def _is_str(v):
    return isinstance(v, str)


def _is_bool(v):
    return v is True or v is False


def _is_int(v):
    return isinstance(v, int) and not _is_bool(v)


def validate(raw):
    """(config with defaults filled in, problems)."""
    if not isinstance(raw, dict):
        return None, [("config.json", "config.json must be a JSON object {...}" + _FIX)]
    problems = []
    cfg = {}
    for k in DEFAULTS:
        cfg[k] = DEFAULTS[k]
    for k in raw:
        if k not in KNOWN:
            problems.append(
                (k, "unknown setting {!r}; known settings: {}".format(k, ", ".join(KNOWN)))
            )
        else:
            cfg[k] = raw[k]
    for k in REQUIRED:
        if k not in raw:
            problems.append((k, f"{k} is missing{_FIX}"))

    def check(key, ok, fix):
        if key in cfg and not ok(cfg[key]):
            problems.append((key, f"{key} = {cfg[key]!r}: {fix}"))

    check("wifi_ssid", lambda v: _is_str(v) and 0 < len(v) <= 32, "give the WiFi name, 1-32 chars")
    check(
        "wifi_password",
        lambda v: _is_str(v) and (v == "" or 8 <= len(v) <= 64),
        'WPA passwords are 8-64 characters ("" for an open network)',
    )
    check(
        "code",
        lambda v: _is_str(v) and len(v) == 6 and v.isdigit(),
        'use the hub\'s 6-digit pairing code as a string, e.g. "123456" (the hub prints it)',
    )
    check(
        "hub",
        lambda v: v == "auto" or parse_hub(v) is not None,
        'use "auto" (find the hub on the LAN) or "ws://HOST:PORT", e.g. "ws://192.168.1.20:8000"',
    )
    check(
        "hub_name",
        lambda v: _is_str(v) and len(v) <= 32,
        'the name in the hub\'s beacon (its --name), up to 32 characters; "" takes any hub',
    )
    check(
        "room",
        lambda v: _is_str(v) and 0 < len(v) <= 32 and all(c in _ROOM_CHARS for c in v),
        "room names are 1-32 characters of a-z A-Z 0-9 _ -",
    )
    check("name", lambda v: _is_str(v) and len(v.strip()) <= 16, "player names are 0-16 chars")
    for key in ("invert_x", "invert_y", "wdt"):
        check(key, _is_bool, "use true or false")
    check("deadzone", lambda v: _is_int(v) and 0 <= v <= 500, "use a whole number 0-500 (of 1000)")
    check(
        "battery_ratio",
        lambda v: (_is_int(v) or isinstance(v, float)) and 1 <= v <= 20,
        "the divider ratio (Vbat / Vpin), e.g. 2.0 for two equal resistors",
    )
    check("beacon_port", lambda v: _is_int(v) and 0 < v < 65536, "a UDP port, normally 47810")
    check("chip", lambda v: v in pinrules.CHIPS, "use one of " + ", ".join(pinrules.CHIPS))

    pins = {}
    for k in default_pins.PINS:
        pins[k] = default_pins.PINS[k]
    given = cfg.get("pins", {})
    if not isinstance(given, dict):
        problems.append(("pins", 'pins must be an object like {"blink": 26, "x": 34}'))
    else:
        for k in given:
            pins[k] = given[k]
    cfg["pins"] = pins
    pullup = cfg["external_pullup"]
    if isinstance(pullup, (list, tuple)) and not pullup:
        pullup = list(default_pins.EXTERNAL_PULLUP)
        cfg["external_pullup"] = pullup
    if cfg["chip"] in pinrules.CHIPS:
        problems += pinrules.check_pins(pins, cfg["chip"], pullup)
    return cfg, problems
