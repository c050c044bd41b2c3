"""Hub settings: command line, with environment variables as defaults.

Each option is declared once, in ``OPTIONS``; that one declaration yields the ``Config`` field
and its default, the command-line flag, the ``BLINKSHOT_*`` environment variable, the help
line and the range check (whose error names the flag and the variable).
"""

import argparse
import math
import os
from dataclasses import dataclass, field, make_dataclass

from . import maps
from .bots import DEFAULT_LEVEL as DEFAULT_BOT_LEVEL
from .bots import LEVELS as BOT_LEVELS
from .codec import MAX_BOTS
from .game import ROUND_MS, SCORE_LIMIT
from .hosts import host_of
from .rooms import ROOM_NAME

MAX_SCORE_LIMIT = 1000
MAX_ROUND_SECONDS = 24 * 3600
ENV = "BLINKSHOT_"


@dataclass(frozen=True)
class Option:
    """One setting. ``kind`` is str, int, float, bool (a --no-X switch that turns it off; with
    a False default, a --X switch that turns it on) or list (a repeatable flag; comma-separated
    in the environment). ``ok(value)`` false gives "``flag`` ``rule``, got ``value``"."""

    name: str
    default: object
    help: str
    kind: type = str
    flag: str = ""
    env: str = ""
    metavar: str | None = None
    choices: tuple | None = None
    ok: object = None
    rule: str = ""
    show_default: bool = True

    @property
    def flag_(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def env_(self) -> str:
        return ENV + (self.env or self.name.upper())


def _seconds(v) -> bool:
    return math.isfinite(v) and v > 0


OPTIONS = [
    Option("host", "0.0.0.0", "address to listen on; 0.0.0.0 = every interface so LAN "
           "controllers can reach it, 127.0.0.1 = this machine only"),
    Option("port", 8000, "TCP port for HTTP and WebSocket; 0 picks a free one", int,
           ok=lambda v: 0 <= v < 65536, rule="must be 0..65535"),
    Option("room", "default", "default room for clients that name none",
           ok=ROOM_NAME.fullmatch, rule="must be 1-32 characters of a-z A-Z 0-9 _ -"),
    Option("pairing_code", None, "6-digit code clients must present; given, it replaces the "
           "kept one and is kept; not given, the code from the last run is kept (random the "
           "first time; persist.py)", metavar="CODE", show_default=False,
           ok=lambda v: len(v) == 6 and v.isdigit(), rule="must be six digits"),
    Option("new_pairing_code", False, "draw a new random code and keep it: every controller "
           "needs `make config CODE=...` again", bool, show_default=False),
    Option("grace", 10.0, "how long a disconnected player keeps its slot, colour, score and "
           "position", float, metavar="SECONDS",
           ok=lambda v: math.isfinite(v) and v >= 0, rule="must be 0 or more seconds"),
    Option("log_level", "info", "", choices=("debug", "info", "warning", "error")),
    Option("log_format", "text", "one line per event as text or as JSON objects",
           choices=("text", "json")),
    Option("loop", "auto", "event loop: uvloop costs less CPU per relayed frame "
           "(docs/performance.md); auto uses it when it is installed",
           choices=("auto", "asyncio", "uvloop")),
    Option("allow_origin", list, "extra browser Origin allowed to connect, e.g. "
           "http://game.local:8080 (repeatable; same host and loopback are always allowed)",
           list, metavar="ORIGIN", show_default=False),
    Option("allow_host", list, "extra host name (or address) players may use to reach the hub, "
           "e.g. a DNS name or the public address of a port forward (repeatable; localhost, "
           "loopback, this machine's addresses and host name are always allowed; '*' allows "
           "any name and gives up the DNS-rebinding defence)", list, metavar="NAME",
           show_default=False, ok=lambda v: all(h == "*" or host_of(h) for h in v),
           rule="takes host names or addresses (e.g. game.lan or 192.168.1.5), not URLs"),
    Option("beacon", True, "do not announce the hub on the LAN", bool, flag="--no-beacon",
           env="NO_BEACON", show_default=False),
    Option("beacon_addr", "255.255.255.255:47810", "where to send the UDP discovery beacon",
           metavar="HOST:PORT"),
    Option("name", "blinkshot", "hub name in the beacon"),
    Option("max_connections", 256, "controllers + windows at once; more get close code 4007",
           int, ok=lambda v: v >= 1, rule="must be 1 or more"),
    Option("max_rooms", 32, "rooms at once", int, ok=lambda v: v >= 1, rule="must be 1 or more"),
    Option("hello_timeout", 5.0, "a controller must send its hello this fast", float,
           metavar="SECONDS", ok=_seconds, rule="must be a number of seconds above 0"),
    Option("handshake_timeout", 5.0, "HTTP/WebSocket opening handshake limit", float,
           metavar="SECONDS", ok=_seconds, rule="must be a number of seconds above 0"),
    Option("stall_timeout", 5.0, "a window behind this long is closed with 4006", float,
           metavar="SECONDS", ok=_seconds, rule="must be a number of seconds above 0"),
    Option("rate", 250.0, "messages per second per connection before close code 4005", float,
           metavar="PER_SECOND", ok=_seconds, rule="must be a number above 0"),
    Option("score_limit", SCORE_LIMIT, "a round ends when a player has this many kills, "
           f"1..{MAX_SCORE_LIMIT}", int, metavar="KILLS", ok=lambda v: 1 <= v <= MAX_SCORE_LIMIT,
           rule=f"must be a whole number of kills from 1 to {MAX_SCORE_LIMIT}"),
    Option("round_seconds", ROUND_MS / 1000, "a round also ends after this long; the most "
           f"kills wins, none = no winner, 1..{MAX_ROUND_SECONDS}", float, metavar="SECONDS",
           ok=lambda v: 1 <= v <= MAX_ROUND_SECONDS,
           rule=f"must be from 1 to {MAX_ROUND_SECONDS} seconds"),
    Option("state_hz", 30.0, "authoritative full states per second to every window, 1..120",
           float, metavar="HZ", ok=lambda v: 1 <= v <= 120, rule="must be from 1 to 120"),
    # The game (issue 14): the arena's map, the lobby, bots.
    Option("map", maps.DEFAULT, "the arena: walls and pillars that block moves, shots and "
           "blinks; open = none", choices=maps.NAMES, ok=lambda v: v in maps.NAMES,
           rule=f"must be one of {', '.join(maps.NAMES)}"),
    Option("lobby", True, "no waiting for a second player, countdown or podium: rounds follow "
           "each other at once", bool, flag="--no-lobby", env="NO_LOBBY", show_default=False),
    Option("bots", 0, "server-side players: a lone human meets N bots, each further human "
           f"takes one's place, none play an empty room; 0..{MAX_BOTS}", int, metavar="N",
           ok=lambda v: 0 <= v <= MAX_BOTS, rule=f"must be from 0 to {MAX_BOTS}"),
    Option("bot_level", DEFAULT_BOT_LEVEL, "how well bots play", choices=tuple(BOT_LEVELS),
           ok=lambda v: v in BOT_LEVELS, rule=f"must be one of {', '.join(BOT_LEVELS)}"),
    # Persistence and Redis (persist.py, statedir.py, redisstore.py; docs/scaling.md). A Config
    # built in-process has no state_dir, so it reads and writes no files; from_args picks one.
    Option("state_dir", None, "where rooms (players, slots, colours, scores) and the pairing "
           "code are kept across restarts (default: $XDG_STATE_HOME/blinkshot/hub-PORT, else "
           "~/.local/state/blinkshot/hub-PORT; none with --port 0)", metavar="DIR",
           show_default=False),
    Option("state", True, "keep nothing across restarts", bool, flag="--no-state",
           env="NO_STATE", show_default=False),
    Option("redis", None, "Redis shared by several hub processes, e.g. "
           "redis://127.0.0.1:6379/0 (docs/scaling.md)", metavar="URL", show_default=False),
]  # fmt: skip


def _field(o: Option):
    if callable(o.default) and not isinstance(o.default, type) or o.default is list:
        return field(default_factory=o.default)
    return field(default=o.default)


Config = make_dataclass(
    "Config", [(o.name, o.kind if o.kind is not list else list[str], _field(o)) for o in OPTIONS]
)
Config.__module__ = __name__
Config.__doc__ = "Every hub setting, as fields named after the options (see OPTIONS)."


def _from_env(o: Option):
    """The environment's value for ``o`` (None = not set); a bad number exits naming it."""
    raw = os.environ.get(o.env_)
    if raw is None:
        return None
    if o.kind is bool:
        return raw not in ("", "0")
    if o.kind is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    if o.kind in (int, float):
        try:
            return o.kind(raw)
        except ValueError:
            raise SystemExit(f"hub: {o.env_} must be a number, got {raw!r}") from None
    return raw


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m hub",
        description=(
            "Blinkshot hub: serves the arena game, relays controllers to browser windows. "
            "Every option can also be set with an environment variable (shown in brackets)."
        ),
        epilog=(
            "examples:\n"
            "  python -m hub                          # LAN game on port 8000, code kept\n"
            "  python -m hub --new-pairing-code       # new code: reconfigure controllers\n"
            "  python -m hub --port 9000 --pairing-code 424242\n"
            "  BLINKSHOT_LOG_FORMAT=json python -m hub --grace 30\n"
            "  python -m hub --host 127.0.0.1 --no-beacon   # this machine only\n"
            "  python -m hub --score-limit 3 --round-seconds 60   # short rounds"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for o in OPTIONS:
        env = _from_env(o)
        text = o.help
        if o.show_default:
            text += " (default: %(default)g)" if o.kind is float else " (default: %(default)s)"
        if o.kind is list:
            text += f" [{o.env_}, comma-separated]"
        elif o.kind is bool:
            text += f" [{o.env_}=1]"
        else:
            text += f" [{o.env_}]"
        text = text.strip()
        kw = {"help": text, "dest": o.name}
        if o.kind is bool and o.default is False:  # the flag turns the setting on
            kw.update(action="store_true", default=env if env is not None else False)
        elif o.kind is bool:  # the flag turns the setting off
            kw.update(action="store_false", default=not env if env is not None else o.default)
        elif o.kind is list:
            kw.update(action="append", default=None, metavar=o.metavar)
        else:
            default = o.default() if callable(o.default) else o.default
            if not o.show_default:
                default = None  # e.g. the pairing code: chosen at start unless given
            kw.update(default=env if env is not None else default, metavar=o.metavar)
            if o.kind is not str:
                kw["type"] = o.kind
            if o.choices:
                kw["choices"] = list(o.choices)
        p.add_argument(o.flag_, **kw)
    return p


def _shown(v) -> str:
    return f"{v:g}" if isinstance(v, float) else repr(v) if isinstance(v, str) else str(v)


def from_args(argv=None) -> Config:
    """Parse ``argv`` (and the environment) into a Config; a bad value exits with status 2."""
    p = parser()
    ns = p.parse_args(argv)
    values = {}
    for o in OPTIONS:
        v = getattr(ns, o.name)
        if o.kind is list and v is None:
            v = _from_env(o) or []
        if v is None:
            continue  # a field with its own default (the random pairing code)
        if o.ok is not None and not o.ok(v):
            p.error(f"{o.flag_} {o.rule}, got {_shown(v)} [{o.env_}]")
        values[o.name] = v
    cfg = Config(**values)
    _settle_state(p, cfg)
    return cfg


def _settle_state(p, cfg):
    """The state directory's default, and the checks that span options (persist.py)."""
    from .redisstore import check_url
    from .statedir import default_dir

    if cfg.new_pairing_code and cfg.pairing_code is not None:
        p.error("give --pairing-code CODE or --new-pairing-code, not both")
    if not cfg.state:
        cfg.state_dir = None
    elif cfg.state_dir is None:
        where = default_dir(os.environ, cfg.port)
        cfg.state_dir = str(where) if where else None
    if cfg.new_pairing_code and cfg.state_dir is None and not cfg.redis:
        p.error("--new-pairing-code replaces the kept code; there is none without a state dir")
    if cfg.redis is not None and check_url(cfg.redis):
        p.error(f"--redis {check_url(cfg.redis)}, got {cfg.redis!r} [BLINKSHOT_REDIS]")
