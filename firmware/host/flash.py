"""Write a controller's config.json and flash the firmware to a board with mpremote.

    python firmware/host/flash.py config --ssid NET --password PW --code 123456 [...]
    python firmware/host/flash.py flash [--port /dev/ttyUSB0] [config flags]

`make config` and `make flash` call these. Every config flag can also come from a make
variable of the same meaning (SSID, PASSWORD, HUB, HUB_NAME, ROOM, CODE, PLAYER, PINS, WDT).
The WiFi password is never printed. See docs/flashing.md.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boardlink  # noqa: E402
import flashconfig  # noqa: E402
import flashplan  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware"
CONFIG = FIRMWARE / "config.json"
PINMAPS = ROOT / "hardware" / "pinmaps"
BUILD = ROOT / "build" / "firmware"
ENV = {
    "ssid": "SSID",
    "password": "PASSWORD",
    "hub": "HUB",
    "hub_name": "HUB_NAME",
    "room": "ROOM",
    "code": "CODE",
    "name": "PLAYER",
    "pins": "PINS",
    "wdt": "WDT",
}
DEFAULTS = {"hub": "auto", "room": "default", "name": "", "external_pullup": []}
DEFAULTS.update({"invert_x": False, "invert_y": False, "wdt": False})


class Refused(Exception):
    """A problem the user must fix; the message says what and how. Exit code 2."""


def load_firmware_checks():
    """(pinrules, firmware config validator or None), imported from firmware/blinkshot/."""
    sys.path.insert(0, str(FIRMWARE))
    try:
        from blinkshot import pinrules
    except ImportError as exc:
        raise Refused(f"firmware/blinkshot/pinrules.py is missing or broken ({exc})") from exc
    finally:
        sys.path.pop(0)
    sys.path.insert(0, str(FIRMWARE))
    try:
        from blinkshot import config as device_config
    except ImportError:  # the firmware's own check is a second opinion; ours still runs
        device_config = None
    finally:
        sys.path.pop(0)
    return pinrules, getattr(device_config, "validate", None)


def load_pinmap(board):
    path = PINMAPS / f"{board}.json"
    if not path.exists():
        known = sorted(p.stem for p in PINMAPS.glob("*.json")) or ["(none)"]
        raise Refused(f"board: no pin map {path}; known boards: {', '.join(known)} (BOARD=...)")
    try:
        return json.loads(path.read_text())
    except ValueError as exc:
        raise Refused(f"board: {path} is not valid JSON ({exc})") from exc


def updates_from(args, env):
    """Config changes from the flags, then the make variables; None = not given."""

    def pick(key):
        value = getattr(args, key)
        if value is None and ENV[key] in env:
            value = env[ENV[key]]
        return value

    problems = []
    pins = list(args.pin or [])
    if not pins and env.get("PINS"):
        pins = [p for p in env["PINS"].replace(" ", ",").split(",") if p]
    pin_updates, problems = flashconfig.parse_pin_overrides(pins)
    wdt = args.wdt
    if wdt is None and "WDT" in env:
        wdt = env["WDT"].strip().lower() in ("1", "true", "yes", "on")
    updates = {
        "wifi_ssid": pick("ssid"),
        "wifi_password": pick("password"),
        "hub": pick("hub"),
        "hub_name": pick("hub_name"),
        "room": pick("room"),
        "code": pick("code"),
        "name": pick("name"),
        "pins": pin_updates or None,
        "external_pullup": args.external_pullup,
        "invert_x": args.invert_x,
        "invert_y": args.invert_y,
        "wdt": wdt,
    }
    return updates, problems


def hints_for(args, env):
    """How each field is set, spelled as the user typed it: a flag they passed, a make
    variable they set, else the way they run us (`make config` passes --hints make)."""
    make = getattr(args, "hints", "flags") == "make"
    hints = dict(flashconfig.MAKE_HINTS if make else flashconfig.FLAG_HINTS)
    for key, field in (("ssid", "wifi_ssid"), ("password", "wifi_password"), ("hub", "hub")):
        _spell(hints, args, env, key, field)
    for key in ("room", "code"):
        _spell(hints, args, env, key, key)
    if hints["wifi_password"] == flashconfig.MAKE_HINTS["wifi_password"]:
        hints["open"] = flashconfig.MAKE_HINTS["open"]
    elif hints["wifi_password"] == flashconfig.FLAG_HINTS["wifi_password"]:
        hints["open"] = flashconfig.FLAG_HINTS["open"]
    return hints


def _spell(hints, args, env, key, field):
    if getattr(args, key, None) is not None:
        hints[field] = flashconfig.FLAG_HINTS[field]
    elif ENV[key] in env:
        hints[field] = flashconfig.MAKE_HINTS[field]


def build_config(args, env, existing, prompt=None):
    """The config to write: defaults, the board's pins, the existing file, then updates."""
    pinmap = load_pinmap(args.board)
    pins, chip, pullup = flashconfig.pins_from_pinmap(pinmap)
    base = dict(DEFAULTS, pins=pins, external_pullup=pullup, chip=chip)
    if existing.get("chip", chip) != chip:  # another chip: its own pin map, not the old pins
        existing = {k: v for k, v in existing.items() if k not in ("pins", "external_pullup")}
    updates, problems = updates_from(args, env)
    config = flashconfig.merge(flashconfig.merge(base, existing), updates)
    if "wifi_password" not in config and prompt is not None and config.get("wifi_ssid"):
        config["wifi_password"] = prompt(f"WiFi password for {config['wifi_ssid']!r}: ")
    pinrules, device_validate = load_firmware_checks()
    problems += flashconfig.check_config(config, pinrules, chip, hints_for(args, env))
    if device_validate is not None:
        # What the board itself would refuse at boot, so make config refuses it first.
        _, device_problems = device_validate(config)
        problems += flashconfig.new_problems(problems, device_problems)
    secret = config.get("wifi_password")
    if isinstance(secret, str) and secret:  # messages may quote values; never this one
        problems = [(f, m.replace(repr(secret), "'********'")) for f, m in problems]
        problems = [(f, m.replace(secret, "********")) for f, m in problems]
    return config, problems


def read_existing(path):
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        raise Refused(f"{path} is not valid JSON ({exc}); fix it or delete it") from exc
    if not isinstance(data, dict):
        raise Refused(f"{path} must hold a JSON object; fix it or delete it")
    return data


def write_config(path, config):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds a password
    with os.fdopen(fd, "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def describe(config):
    pins = ", ".join(f"{k}={v}" for k, v in config.get("pins", {}).items())
    password = "set" if config.get("wifi_password") else "none (open network)"
    return (
        f"  wifi {config.get('wifi_ssid')!r}, password {password}\n"
        f"  hub {config.get('hub')}, room {config.get('room')}, code {config.get('code')}, "
        f"name {config.get('name') or '(hub picks)'}\n"
        f"  pins {pins}; wdt {'on' if config.get('wdt') else 'off'}"
    )


def config_given(args, env):
    updates, problems = updates_from(args, env)
    return problems or any(v is not None for v in updates.values())


def cmd_config(args, env):
    path = Path(args.config)
    prompt = _getpass if sys.stdin.isatty() else None
    config, problems = build_config(args, env, read_existing(path), prompt)
    if problems:
        raise Refused(f"config not written, {len(problems)} problem(s):\n{_lines(problems)}")
    write_config(path, config)
    print(f"wrote {_show(path)}:\n{describe(config)}", flush=True)
    return config


def cmd_flash(args, env):
    path = Path(args.config)
    if config_given(args, env) or not path.exists():
        if not path.exists() and not config_given(args, env):
            raise Refused(
                f"no {_show(path)} yet: run make config SSID=... PASSWORD=... CODE=... first "
                "(or give the same variables to make flash)"
            )
        cmd_config(args, env)
    else:
        _, problems = build_config(args, {}, read_existing(path))
        if problems:
            raise Refused(f"{_show(path)} has problems; fix with make config:\n{_lines(problems)}")
    link = boardlink.BoardLink(args.port, resume=args.resume, timeout=args.timeout)
    uploads = flashplan.plan(firmware_sources(), mpy=not args.no_mpy)
    check_upload_set(uploads)
    info = link.probe()
    print(f"board: MicroPython {info.version} on {info.platform}", flush=True)
    built = boardlink.compile_all(uploads, FIRMWARE, Path(args.build_dir))
    if built:
        problem = flashplan.check_compatible(
            flashplan.parse_board_mpy(info.mpy), built, info.version, boardlink.mpy_cross_version()
        )
        if problem:
            raise Refused(problem)
    if info.stray:
        print(f"removing stray files that shadow built-ins: {', '.join(info.stray)}", flush=True)
    files = [(_local(up, Path(args.build_dir)), up.target) for up in uploads]
    files.append((path, "config.json"))
    link.upload(files, remove=info.stray, reset=args.reset)
    print(f"flashed {len(files)} files; " + _after(args.reset), flush=True)


def firmware_sources():
    return [p.relative_to(FIRMWARE).as_posix() for p in FIRMWARE.rglob("*.py")]


def check_upload_set(uploads):
    """Refuse to send test fakes or modules that would shadow the board's built-ins."""
    heads = {up.source: (FIRMWARE / up.source).read_text()[:400] for up in uploads}
    problems = flashplan.forbidden(uploads, heads)
    if problems:
        raise Refused("refusing to flash:\n  " + "\n  ".join(problems))


def _local(upload, build_dir):
    return build_dir / upload.target if upload.compile else FIRMWARE / upload.source


def _after(reset):
    if reset == "hard":
        return "the board is restarting into the firmware (make repl PORT=... to watch it)"
    return "not reset; press the board's EN/RESET button to start it"


def _lines(problems):
    """One line per problem, led by its field unless the message already names it."""
    out = []
    for field, message in problems:
        out.append(f"  {message}" if message.startswith(field) else f"  {field}: {message}")
    return "\n".join(out)


def _show(path):
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _getpass(prompt):
    import getpass

    return getpass.getpass(prompt)


def parser():
    p = argparse.ArgumentParser(prog="flash.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name, help_ in (("config", "write firmware/config.json"), ("flash", "flash a board")):
        s = sub.add_parser(name, help=help_)
        s.add_argument("--config", default=str(CONFIG), help="config file (firmware/config.json)")
        s.add_argument("--board", default="esp32-devkit", help="pin map in hardware/pinmaps/")
        s.add_argument(
            "--hints",
            choices=("flags", "make"),
            default="flags",
            help="spell fixes as flags or as make variables (make config passes make)",
        )
        s.add_argument("--ssid", help="WiFi network name (make var SSID)")
        s.add_argument("--password", help="WiFi password, '' for open (make var PASSWORD)")
        s.add_argument("--hub", help="ws://HOST:PORT or auto (default auto; make var HUB)")
        s.add_argument(
            "--hub-name", help="with hub auto: the hub's beacon name to pick (make var HUB_NAME)"
        )
        s.add_argument("--room", help="room name (default 'default'; make var ROOM)")
        s.add_argument("--code", help="the hub's 6-digit pairing code (make var CODE)")
        s.add_argument("--name", help="player name, up to 16 characters (make var PLAYER)")
        s.add_argument("--pin", action="append", help="NAME=GPIO or NAME=none (make var PINS)")
        s.add_argument("--external-pullup", action="append", metavar="BUTTON", default=None)
        for flag in ("invert-x", "invert-y", "wdt"):
            s.add_argument(f"--{flag}", action=argparse.BooleanOptionalAction, default=None)
        if name == "flash":
            s.add_argument("--port", help="serial port; default: mpremote finds the board")
            s.add_argument("--resume", action="store_true", help="no soft reset (sim board)")
            s.add_argument("--no-mpy", action="store_true", help="copy .py sources instead")
            s.add_argument("--reset", choices=("hard", "none"), default="hard")
            s.add_argument("--build-dir", default=str(BUILD))
            s.add_argument("--timeout", type=float, default=120.0, help="per mpremote call, s")
    return p


def main(argv=None, env=None):
    args = parser().parse_args(argv)
    env = os.environ if env is None else env
    try:
        if args.command == "config":
            cmd_config(args, env)
        else:
            cmd_flash(args, env)
    except Refused as exc:
        print(f"{args.command}: {exc}", file=sys.stderr, flush=True)
        return 2
    except boardlink.BoardError as exc:
        print(f"{args.command}: {exc}", file=sys.stderr, flush=True)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
