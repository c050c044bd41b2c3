"""Wire codec for protocol v1: controller binary frames and window JSON messages.

Pure functions: bytes or text in, plain dicts out, ``ProtocolError`` (with the close code the
connection must get) on anything invalid. No sockets, no asyncio.
"""

import json
import math
import re
import struct
from enum import IntEnum

PROTO = 1
CONTROLLER_MAX_BYTES = 1024 + 2
WINDOW_MAX_BYTES = 4096
HELLO_JSON_MAX = 1024
JSON_MAX_DEPTH = 32  # nesting of arrays/objects; real messages use 2
NAME_MAX = 64  # characters a client may send as a player name; kept: the first NAME_KEPT
NAME_KEPT = 16
MAX_BOTS = 15  # a room holds 16 players; one seat is always kept for a human
NAME_RULE = f"a string of at most {NAME_MAX} characters (names are cut to {NAME_KEPT})"

T_INPUT, T_TELEMETRY, T_HELLO = 0x01, 0x02, 0x03
T_WELCOME, T_FEEDBACK = 0x81, 0x82

FEEDBACK_HIT, FEEDBACK_DEATH, FEEDBACK_RESPAWN = 1, 2, 3

_INPUT = struct.Struct(">BHBBBBhh")
_TELEMETRY = struct.Struct(">BbHH")
_WELCOME = struct.Struct(">BBBBBB")
_FEEDBACK = struct.Struct(">BBH")

_HEX_ID = re.compile(r"[0-9a-f]{4,32}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{4,32}")
RESET_CAUSES = ("power_on", "hard", "wdt", "deepsleep", "soft", "unknown")
WINDOW_PLAYER_KINDS = ("keyboard", "gamepad")  # a window's players: its keyboard, its pads


class Close(IntEnum):
    """Close codes, documented in docs/protocol.md."""

    GOING_AWAY = 1001
    WRONG_FRAME_KIND = 1003
    TOO_BIG = 1009
    BAD_VERSION = 4000
    MALFORMED = 4001
    UNKNOWN_TYPE = 4002
    NO_HELLO = 4003
    BAD_CODE = 4004
    RATE_LIMIT = 4005
    TOO_SLOW = 4006
    FULL = 4007
    REPLACED = 4008


class ProtocolError(Exception):
    """A frame the hub refuses; ``code`` is the close code, ``reason`` the readable why."""

    def __init__(self, code: Close, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _malformed(reason: str) -> ProtocolError:
    return ProtocolError(Close.MALFORMED, reason)


# JSON from clients ---------------------------------------------------------------------------

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """Deepest nesting of arrays and objects in ``text`` (strings skipped; no parsing)."""
    if text.count("[") + text.count("{") <= JSON_MAX_DEPTH:
        return 0  # cannot be too deep: skip the scan on the common path
    depth = deepest = 0
    for m in _BRACKET.finditer(_STRING.sub("", text)):
        if m.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _finite(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise ValueError(f"number {text[:20]} is out of range")
    return v


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def loads(text: str):
    """``json.loads`` for untrusted text: ValueError for nesting deeper than JSON_MAX_DEPTH,
    NaN, Infinity and numbers too large for a float (they would not survive a round trip)."""
    if json_depth(text) > JSON_MAX_DEPTH:
        raise ValueError(f"JSON nested deeper than {JSON_MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:  # belt and braces: the depth scan should make this impossible
        raise ValueError("JSON nested too deeply") from None


# Controller -> hub ---------------------------------------------------------------------------


def decode_controller(data: bytes) -> dict:
    """Decode one binary controller message into a dict with a ``type``."""
    if not data:
        raise _malformed("empty frame; every message starts with its type byte")
    kind = data[0]
    if kind == T_INPUT:
        return _decode_input(data)
    if kind == T_TELEMETRY:
        if len(data) != _TELEMETRY.size:
            raise _malformed(f"telemetry must be {_TELEMETRY.size} bytes, got {len(data)}")
        _, rssi, mv, heap = _TELEMETRY.unpack(data)
        return {"type": "telemetry", "rssi": rssi, "battery_mv": mv, "heap_kb": heap}
    if kind == T_HELLO:
        return decode_hello(data)
    raise ProtocolError(Close.UNKNOWN_TYPE, f"unknown message type 0x{kind:02x}; see protocol v1")


def _decode_input(data: bytes) -> dict:
    if len(data) != _INPUT.size:
        raise _malformed(f"input frame must be {_INPUT.size} bytes, got {len(data)}")
    _, seq, buttons, pb, ps, pk, x, y = _INPUT.unpack(data)
    if buttons & ~0x07:
        raise _malformed(f"input buttons 0x{buttons:02x} has bits other than 0-2 set")
    if not (-1000 <= x <= 1000 and -1000 <= y <= 1000):
        raise _malformed(f"joystick ({x}, {y}) out of range -1000..1000")
    return {
        "type": "input",
        "seq": seq,
        "buttons": buttons,
        "presses": [pb, ps, pk],
        "x": x,
        "y": y,
    }


def decode_hello(data: bytes) -> dict:
    """Decode and validate a hello frame (type, version, JSON)."""
    if len(data) < 2:
        raise _malformed("hello too short: needs type, version and a JSON object")
    if data[1] != PROTO:
        raise ProtocolError(
            Close.BAD_VERSION,
            f"protocol version {data[1]} not supported; this hub speaks {PROTO}: update firmware",
        )
    body = data[2:]
    if len(body) > HELLO_JSON_MAX:
        raise _malformed(f"hello JSON is {len(body)} bytes; the limit is {HELLO_JSON_MAX}")
    try:
        obj = loads(body.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError is one too
        raise _malformed(f"hello is not valid UTF-8 JSON ({_why(exc)})") from None
    if not isinstance(obj, dict):
        raise _malformed("hello JSON must be an object")
    dev = obj.get("id")
    if not isinstance(dev, str) or not _HEX_ID.fullmatch(dev):
        raise _malformed("hello needs 'id': 4-32 lowercase hex digits (machine.unique_id())")
    fw = obj.get("fw", "")
    name = obj.get("name", "")
    reset = obj.get("reset", "unknown")
    kind = obj.get("kind", "controller")
    if not isinstance(fw, str) or len(fw) > 32:
        raise _malformed("hello 'fw' must be a string of at most 32 characters")
    if not isinstance(name, str) or len(name) > NAME_MAX:
        raise _malformed(f"hello 'name' must be {NAME_RULE}")
    if reset not in RESET_CAUSES:
        reset = "unknown"
    if kind not in ("controller", "phone"):
        raise _malformed("hello 'kind' must be 'controller' or 'phone'")
    config = obj.get("config", {})
    if not isinstance(config, dict):
        raise _malformed("hello 'config' must be an object")
    return {
        "type": "hello",
        "proto": PROTO,
        "id": dev,
        "fw": fw,
        "name": clean_name(name),
        "reset": reset,
        "kind": kind,
        "config": config,
    }


def clean_name(name: str) -> str:
    """Trim a player name to 1-16 printable characters ('' means: use the default)."""
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:NAME_KEPT]


# Hub -> controller ---------------------------------------------------------------------------


def encode_welcome(slot: int, color: tuple[int, int, int]) -> bytes:
    return _WELCOME.pack(T_WELCOME, PROTO, slot, *color)


def encode_feedback(kind: int, ms: int) -> bytes:
    return _FEEDBACK.pack(T_FEEDBACK, kind, ms)


def encode_input(seq, buttons, presses, x, y) -> bytes:
    """Build an input frame (used by tests and the load generator)."""
    return _INPUT.pack(T_INPUT, seq & 0xFFFF, buttons, *(p & 0xFF for p in presses), x, y)


def encode_hello(obj: dict, proto: int = PROTO) -> bytes:
    return bytes([T_HELLO, proto]) + json.dumps(obj, separators=(",", ":")).encode()


# Window -> hub -------------------------------------------------------------------------------


def _why(exc: ValueError) -> str:
    """A short, client-safe reason (close reasons are limited to 123 bytes)."""
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    return str(exc).split(":", 1)[0][:48]


def _int_in(obj, key, lo, hi):
    v = obj.get(key)
    if type(v) is not int or not lo <= v <= hi:
        raise _malformed(f"'{key}' must be an integer in {lo}..{hi}")
    return v


def decode_window(text: str) -> dict:
    """Parse and validate one JSON message from a window."""
    try:
        obj = loads(text)
    except ValueError as exc:
        why = _why(exc)
        raise _malformed(f"not valid JSON ({why}); send one JSON object per message") from None
    if not isinstance(obj, dict):
        raise _malformed("a message must be a JSON object with a 'type'")
    kind = obj.get("type")
    if kind == "input":
        out = {"type": "input", "seq": _int_in(obj, "seq", 0, 65535)}
        out["buttons"] = _int_in(obj, "buttons", 0, 7)
        presses = obj.get("presses")
        if (
            not isinstance(presses, list)
            or len(presses) != 3
            or any(type(p) is not int or not 0 <= p <= 255 for p in presses)
        ):
            raise _malformed("'presses' must be a list of three integers 0..255")
        out["presses"] = presses
        out["x"] = _int_in(obj, "x", -1000, 1000)
        out["y"] = _int_in(obj, "y", -1000, 1000)
        aim = obj.get("aim")
        if aim is not None:
            if (
                not isinstance(aim, list)
                or len(aim) != 2
                or any(type(a) not in (int, float) or not -1000 <= a <= 1000 for a in aim)
            ):
                raise _malformed("'aim' must be [x, y] with numbers in -1000..1000")
            out["aim"] = aim
        return out
    if kind == "join":
        name = obj.get("name", "")
        if not isinstance(name, str) or len(name) > NAME_MAX:
            raise _malformed(f"'name' must be {NAME_RULE}")
        token = obj.get("id")
        if token is not None and (not isinstance(token, str) or not _TOKEN.fullmatch(token)):
            raise _malformed("'id' must be 4-32 characters of A-Z a-z 0-9 _ -")
        kind = obj.get("kind", "keyboard")
        if kind not in WINDOW_PLAYER_KINDS:
            raise _malformed("join 'kind' must be 'keyboard' or 'gamepad'")
        return {"type": "join", "name": clean_name(name), "id": token, "kind": kind}
    if kind == "message":
        text_ = obj.get("text")
        if not isinstance(text_, str) or not 1 <= len(text_.strip()) <= 200 or len(text_) > 200:
            raise _malformed("chat 'text' must be 1-200 characters")
        return {"type": "message", "text": text_.strip()}
    if kind == "bots":
        return {"type": "bots", "count": _int_in(obj, "count", 0, MAX_BOTS)}
    if kind == "ping":
        pid = obj.get("id")
        t = obj.get("t")
        if type(pid) not in (int, str) or type(t) not in (int, float):
            raise _malformed("ping needs 'id' and a numeric 't'")
        return {"type": "ping", "id": pid, "t": t}
    if isinstance(kind, str):
        shown = kind[:32]
        raise ProtocolError(Close.UNKNOWN_TYPE, f"unknown message type {shown!r}; see protocol v1")
    raise _malformed("a message must have a string 'type'")
