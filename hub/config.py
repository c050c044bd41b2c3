"""Hub settings: command line, with environment variables as defaults."""

import argparse
import os
from dataclasses import dataclass, field

from .game import ROUND_MS, SCORE_LIMIT

MAX_SCORE_LIMIT = 1000
MAX_ROUND_SECONDS = 24 * 3600


@dataclass
class Config:
    host: str = "0.0.0.0"
    port: int = 8000
    room: str = "default"
    pairing_code: str | None = None  # None: the one in state_dir, else random (persist.py)
    grace: float = 10.0
    log_level: str = "info"
    log_format: str = "text"
    allow_origin: list[str] = field(default_factory=list)
    beacon: bool = True
    beacon_addr: str = "255.255.255.255:47810"
    name: str = "blinkshot"
    max_connections: int = 256
    max_rooms: int = 32
    hello_timeout: float = 5.0
    handshake_timeout: float = 5.0
    stall_timeout: float = 5.0
    rate: float = 250.0  # messages per second per connection (burst the same)
    score_limit: int = SCORE_LIMIT  # kills that end a round
    round_seconds: float = ROUND_MS / 1000  # a round also ends after this long
    loop: str = "auto"  # event loop: uvloop when installed, else asyncio's own
    state_hz: float = 20.0  # full authoritative states per second to every window
    # Persistence and Redis (persist.py, statedir.py, redisstore.py). No state dir by default,
    # so a hub built in-process (tests) reads and writes no files; the CLI picks one.
    state_dir: str | None = None
    new_pairing_code: bool = False
    redis: str | None = None


ENV = "BLINKSHOT_"


def _env(name, default):
    return os.environ.get(ENV + name, default)


def _num(name, default, kind=float):
    raw = os.environ.get(ENV + name)
    if raw is None:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise SystemExit(f"hub: {ENV}{name} must be a number, got {raw!r}") from None


def parser() -> argparse.ArgumentParser:
    d = Config()
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
    a = p.add_argument
    a(
        "--host",
        default=_env("HOST", d.host),
        help="address to listen on; 0.0.0.0 = every "
        "interface so LAN controllers can reach it, 127.0.0.1 = this machine only"
        " (default: %(default)s) [BLINKSHOT_HOST]",
    )
    a(
        "--port",
        type=int,
        default=_num("PORT", d.port, int),
        help="TCP port for HTTP and WebSocket; 0 picks a free one"
        " (default: %(default)s) [BLINKSHOT_PORT]",
    )
    a(
        "--room",
        default=_env("ROOM", d.room),
        help="default room for clients that name none (default: %(default)s) [BLINKSHOT_ROOM]",
    )
    a(
        "--pairing-code",
        default=_env("PAIRING_CODE", None),
        metavar="CODE",
        help="6-digit code clients must present; given, it replaces the stored one and is "
        "kept; not given, the code from the last run is kept (random the first time)"
        " [BLINKSHOT_PAIRING_CODE]",
    )
    a(
        "--new-pairing-code",
        action="store_true",
        default=_env("NEW_PAIRING_CODE", "") not in ("", "0"),
        help="draw a new random code and keep it: every controller needs `make config CODE=...`"
        " again [BLINKSHOT_NEW_PAIRING_CODE=1]",
    )
    a(
        "--state-dir",
        default=_env("STATE_DIR", None),
        metavar="DIR",
        help="where rooms (players, slots, colours, scores) and the pairing code are kept across"
        " restarts (default: $XDG_STATE_HOME/blinkshot/hub-PORT, else"
        " ~/.local/state/blinkshot/hub-PORT; none with --port 0) [BLINKSHOT_STATE_DIR]",
    )
    a(
        "--no-state",
        action="store_true",
        default=_env("NO_STATE", "") not in ("", "0"),
        help="keep nothing across restarts [BLINKSHOT_NO_STATE=1]",
    )
    a(
        "--redis",
        default=_env("REDIS", None),
        metavar="URL",
        help="Redis shared by several hub processes, e.g. redis://127.0.0.1:6379/0"
        " (docs/scaling.md) [BLINKSHOT_REDIS]",
    )
    a(
        "--grace",
        type=float,
        default=_num("GRACE", d.grace),
        metavar="SECONDS",
        help="how long a disconnected player keeps its slot, colour, score and position "
        "(default: %(default)s) [BLINKSHOT_GRACE]",
    )
    a(
        "--log-level",
        default=_env("LOG_LEVEL", d.log_level),
        choices=["debug", "info", "warning", "error"],
        help="(default: %(default)s) [BLINKSHOT_LOG_LEVEL]",
    )
    a(
        "--log-format",
        default=_env("LOG_FORMAT", d.log_format),
        choices=["text", "json"],
        help="one line per event as text or as JSON objects"
        " (default: %(default)s) [BLINKSHOT_LOG_FORMAT]",
    )
    a(
        "--loop",
        default=_env("LOOP", d.loop),
        choices=["auto", "asyncio", "uvloop"],
        help="event loop: uvloop costs less CPU per relayed frame (docs/performance.md);"
        " auto uses it when it is installed (default: %(default)s) [BLINKSHOT_LOOP]",
    )
    a(
        "--allow-origin",
        action="append",
        default=None,
        metavar="ORIGIN",
        help="extra browser Origin allowed to connect, e.g. http://game.local:8080 (repeatable; "
        "same host and loopback are always allowed) [BLINKSHOT_ALLOW_ORIGIN, comma-separated]",
    )
    a(
        "--no-beacon",
        action="store_true",
        default=_env("NO_BEACON", "") not in ("", "0"),
        help="do not announce the hub on the LAN [BLINKSHOT_NO_BEACON=1]",
    )
    a(
        "--beacon-addr",
        default=_env("BEACON_ADDR", d.beacon_addr),
        metavar="HOST:PORT",
        help="where to send the UDP discovery beacon"
        " (default: %(default)s) [BLINKSHOT_BEACON_ADDR]",
    )
    a(
        "--name",
        default=_env("NAME", d.name),
        help="hub name in the beacon (default: %(default)s) [BLINKSHOT_NAME]",
    )
    a(
        "--max-connections",
        type=int,
        default=_num("MAX_CONNECTIONS", d.max_connections, int),
        help="controllers + windows at once; more get close code 4007"
        " (default: %(default)s) [BLINKSHOT_MAX_CONNECTIONS]",
    )
    a(
        "--max-rooms",
        type=int,
        default=_num("MAX_ROOMS", d.max_rooms, int),
        help="rooms at once (default: %(default)s) [BLINKSHOT_MAX_ROOMS]",
    )
    a(
        "--hello-timeout",
        type=float,
        default=_num("HELLO_TIMEOUT", d.hello_timeout),
        metavar="SECONDS",
        help="a controller must send its hello this fast"
        " (default: %(default)s) [BLINKSHOT_HELLO_TIMEOUT]",
    )
    a(
        "--handshake-timeout",
        type=float,
        default=_num("HANDSHAKE_TIMEOUT", d.handshake_timeout),
        metavar="SECONDS",
        help="HTTP/WebSocket opening handshake limit"
        " (default: %(default)s) [BLINKSHOT_HANDSHAKE_TIMEOUT]",
    )
    a(
        "--stall-timeout",
        type=float,
        default=_num("STALL_TIMEOUT", d.stall_timeout),
        metavar="SECONDS",
        help="a window behind this long is closed with 4006"
        " (default: %(default)s) [BLINKSHOT_STALL_TIMEOUT]",
    )
    a(
        "--rate",
        type=float,
        default=_num("RATE", d.rate),
        metavar="PER_SECOND",
        help="messages per second per connection before close code 4005"
        " (default: %(default)s) [BLINKSHOT_RATE]",
    )
    a(
        "--score-limit",
        type=int,
        default=_num("SCORE_LIMIT", d.score_limit, int),
        metavar="KILLS",
        help=f"a round ends when a player has this many kills, 1..{MAX_SCORE_LIMIT}"
        " (default: %(default)s) [BLINKSHOT_SCORE_LIMIT]",
    )
    a(
        "--round-seconds",
        type=float,
        default=_num("ROUND_SECONDS", d.round_seconds),
        metavar="SECONDS",
        help="a round also ends after this long; the most kills wins, none = no winner"
        f", 1..{MAX_ROUND_SECONDS} (default: %(default)g) [BLINKSHOT_ROUND_SECONDS]",
    )
    a(
        "--state-hz",
        type=float,
        default=_num("STATE_HZ", d.state_hz),
        metavar="HZ",
        help="authoritative full states per second to every window, 1..120"
        " (default: %(default)g) [BLINKSHOT_STATE_HZ]",
    )
    return p  # fmt: skip


def from_args(argv=None) -> Config:
    p = parser()
    ns = p.parse_args(argv)
    origins = ns.allow_origin
    if origins is None:
        origins = [o.strip() for o in _env("ALLOW_ORIGIN", "").split(",") if o.strip()]
    code = ns.pairing_code
    if code is not None and not (len(code) == 6 and code.isdigit()):
        p.error(f"--pairing-code must be six digits, got {code!r}")
    from .rooms import ROOM_NAME

    if not ROOM_NAME.fullmatch(ns.room):
        p.error("--room must be 1-32 characters of a-z A-Z 0-9 _ -")
    if not 0 <= ns.port < 65536:
        p.error("--port must be 0..65535")
    if not 1 <= ns.score_limit <= MAX_SCORE_LIMIT:
        p.error(
            f"--score-limit must be a whole number of kills from 1 to {MAX_SCORE_LIMIT}, "
            f"got {ns.score_limit} [BLINKSHOT_SCORE_LIMIT]"
        )
    if not 1 <= ns.round_seconds <= MAX_ROUND_SECONDS:  # also false for nan
        p.error(
            f"--round-seconds must be from 1 to {MAX_ROUND_SECONDS} seconds, "
            f"got {ns.round_seconds:g} [BLINKSHOT_ROUND_SECONDS]"
        )
    if not 1 <= ns.state_hz <= 120:  # also false for nan
        p.error(f"--state-hz must be from 1 to 120, got {ns.state_hz:g} [BLINKSHOT_STATE_HZ]")
    state_dir, redis_url = _state_options(p, ns, code)
    cfg = Config(
        host=ns.host,
        port=ns.port,
        room=ns.room,
        grace=ns.grace,
        log_level=ns.log_level,
        log_format=ns.log_format,
        allow_origin=origins,
        beacon=not ns.no_beacon,
        beacon_addr=ns.beacon_addr,
        name=ns.name,
        max_connections=ns.max_connections,
        max_rooms=ns.max_rooms,
        hello_timeout=ns.hello_timeout,
        handshake_timeout=ns.handshake_timeout,
        stall_timeout=ns.stall_timeout,
        rate=ns.rate,
        score_limit=ns.score_limit,
        round_seconds=ns.round_seconds,
        loop=ns.loop,
        state_hz=ns.state_hz,
        state_dir=state_dir,
        new_pairing_code=ns.new_pairing_code,
        redis=redis_url,
    )
    if code is not None:
        cfg.pairing_code = code
    return cfg


def _state_options(p, ns, code):
    """--state-dir / --no-state / --new-pairing-code / --redis, checked (persist.py)."""
    from .redisstore import check_url
    from .statedir import default_dir

    if ns.new_pairing_code and code is not None:
        p.error("give --pairing-code CODE or --new-pairing-code, not both")
    state_dir = None
    if not ns.no_state:
        state_dir = ns.state_dir or default_dir(os.environ, ns.port)
    if ns.new_pairing_code and state_dir is None and not ns.redis:
        p.error("--new-pairing-code replaces the kept code; there is none without a state dir")
    if ns.redis is not None:
        problem = check_url(ns.redis)
        if problem:
            p.error(f"--redis {ns.redis!r}: {problem} [BLINKSHOT_REDIS]")
    return (str(state_dir) if state_dir else None), ns.redis
