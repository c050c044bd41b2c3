"""Build and check a controller's config.json on the PC, before it goes to the board.

Pure logic: callers pass the pin map they read and the pinrules module; nothing here reads
files or the environment. Every problem is a (field, message) pair; the message says what is
wrong and how to fix it, like pinrules.check_pins.
"""

import re

PIN_NAMES = ("blink", "shoot", "stick", "x", "y", "led", "motor", "battery")
BUTTONS = ("blink", "shoot", "stick")
_ROOM = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_CODE = re.compile(r"^[0-9]{6}$")
_HUB = re.compile(r"^ws://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(:([0-9]{1,5}))?(/[^\s]*)?$")


def pins_from_pinmap(pinmap):
    """(pins, chip, external_pullup) from a hardware/pinmaps/*.json document."""
    pins = pinmap.get("pins", pinmap)
    off = pinmap.get("off_by_default", [])  # wired on the map, but most builds leave it out
    chip = pinmap.get("chip", "esp32")
    pullup = pinmap.get("external_pullup", [])
    pins = {k: (None if k in off else pins.get(k)) for k in PIN_NAMES if k in pins}
    return pins, chip, list(pullup)


def parse_pin_overrides(items):
    """['blink=25', 'motor=none'] -> ({'blink': 25, 'motor': None}, problems)."""
    pins, problems = {}, []
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in PIN_NAMES:
            problems.append(
                ("pins", f"{item!r} is not NAME=GPIO; NAME is one of {', '.join(PIN_NAMES)}")
            )
            continue
        value = value.strip().lower()
        if value in ("", "none", "-"):
            pins[name] = None
        elif value.isdigit():
            pins[name] = int(value)
        else:
            problems.append(
                (f"pins.{name}", f"{value!r} is not a GPIO number; write e.g. {name}=25 or none")
            )
    return pins, problems


def merge(base, updates):
    """A new config: base with every update that is not None applied (pins merged by name)."""
    config = dict(base)
    for key, value in updates.items():
        if value is None:
            continue
        if key == "pins":
            config["pins"] = {**config.get("pins", {}), **value}
        else:
            config[key] = value
    return config


# How a user sets each field, spelled as they would type it: flash.py's flags, or the make
# variables of `make config` / `make flash` (issue 15: a hint names what the user typed).
FLAG_HINTS = {
    "wifi_ssid": "--ssid NAME",
    "wifi_password": "--password PW",
    "open": "--password ''",
    "hub": "--hub ws://192.168.1.20:8000",
    "room": "--room default",
    "code": "--code 123456",
}
MAKE_HINTS = {
    "wifi_ssid": "SSID=NAME",
    "wifi_password": "PASSWORD=PW",
    "open": "PASSWORD=''",
    "hub": "HUB=ws://192.168.1.20:8000",
    "room": "ROOM=default",
    "code": "CODE=123456",
}


def check_config(config, pinrules, chip="esp32", hints=None):
    """Every problem with a config as (field, message); an empty list means it is fine.
    hints maps a field to how the user sets it (FLAG_HINTS, the default, or MAKE_HINTS)."""
    how = FLAG_HINTS if hints is None else hints
    problems = []
    ssid = config.get("wifi_ssid")
    if not isinstance(ssid, str) or not ssid:
        problems.append(("wifi_ssid", f"missing: give the WiFi network name, {how['wifi_ssid']}"))
    elif len(ssid.encode()) > 32:
        problems.append(("wifi_ssid", "longer than 32 bytes, which WiFi does not allow"))
    password = config.get("wifi_password")
    if not isinstance(password, str):
        problems.append(
            (
                "wifi_password",
                f"missing: give {how['wifi_password']} (use {how['open']} for an open network)",
            )
        )
    elif password and not 8 <= len(password.encode()) <= 64:
        problems.append(
            ("wifi_password", "a WPA2 password has 8 to 63 characters (or 64 hex digits)")
        )
    hub = config.get("hub")
    if hub != "auto" and not (isinstance(hub, str) and _hub_ok(hub)):
        problems.append(("hub", f"{hub!r} is not 'auto' or ws://HOST:PORT, e.g. {how['hub']}"))
    room = config.get("room")
    if not isinstance(room, str) or not _ROOM.match(room):
        problems.append(("room", f"{room!r}: use 1-32 of a-z A-Z 0-9 _ -, e.g. {how['room']}"))
    code = config.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        problems.append(
            (
                "code",
                f"missing or not 6 digits: {how['code']} with the pairing code make hub prints",
            )
        )
    name = config.get("name", "")
    if not isinstance(name, str) or len(name.strip()) > 16:
        problems.append(("name", "the player name has at most 16 characters"))
    for key in ("invert_x", "invert_y", "wdt"):
        if key in config and not isinstance(config[key], bool):
            problems.append((key, f"must be true or false, not {config[key]!r}"))
    problems += _check_pins(config, pinrules, chip)
    return problems


def _hub_ok(hub):
    match = _HUB.match(hub)
    return bool(match) and (match.group(3) is None or 0 < int(match.group(3)) < 65536)


def _check_pins(config, pinrules, chip):
    pins = config.get("pins", {})
    pullup = config.get("external_pullup", [])
    if not isinstance(pins, dict):
        return [("pins", 'must be an object like {"blink": 25, ...}')]
    if not isinstance(pullup, list) or any(b not in BUTTONS for b in pullup):
        return [("external_pullup", f"must be a list of button names from {', '.join(BUTTONS)}")]
    problems = []
    for name, value in pins.items():
        if name not in PIN_NAMES:
            problems.append((f"pins.{name}", f"unknown pin; known: {', '.join(PIN_NAMES)}"))
        elif value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            problems.append((f"pins.{name}", f"{value!r} is not a GPIO number or null"))
    if problems:
        return problems
    full = {k: pins.get(k) for k in PIN_NAMES}
    return [(_pin_field(f), m) for f, m in pinrules.check_pins(full, chip, tuple(pullup))]


def _pin_field(field):
    return f"pins.{field}" if field in PIN_NAMES else field


def new_problems(known, more):
    """The problems in `more` about fields `known` does not already cover."""
    seen = {f.removeprefix("pins.") for f, _ in known}
    return [(_pin_field(f), m) for f, m in more if f.removeprefix("pins.") not in seen]


def redacted(config):
    """The config as it may be shown: the WiFi password replaced, never printed."""
    shown = dict(config)
    if shown.get("wifi_password"):
        shown["wifi_password"] = "********"
    return shown
