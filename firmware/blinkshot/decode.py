"""Decoders for controller -> hub frames: for tests and host tools. The device never imports
this module (it only decodes hub frames, in codec.decode_hub), which keeps it out of the heap."""

import json
import struct

from blinkshot.codec import (
    _INPUT_FMT,
    _TELEMETRY_FMT,
    INPUT_LEN,
    T_HELLO,
    T_INPUT,
    T_TELEMETRY,
    TELEMETRY_LEN,
)


def decode_input(data):
    """(seq, buttons, [b, s, k], x, y) from an input frame, or None if malformed."""
    if len(data) != INPUT_LEN or data[0] != T_INPUT:
        return None
    _, seq, buttons, b, s, k, x, y = struct.unpack_from(_INPUT_FMT, data, 0)
    if buttons & ~7 or not -1000 <= x <= 1000 or not -1000 <= y <= 1000:
        return None
    return seq, buttons, [b, s, k], x, y


def decode_telemetry(data):
    if len(data) != TELEMETRY_LEN or data[0] != T_TELEMETRY:
        return None
    _, rssi, mv, kb = struct.unpack_from(_TELEMETRY_FMT, data, 0)
    return rssi, mv, kb


def decode_hello(data):
    """(proto, fields dict) or None."""
    if len(data) < 3 or data[0] != T_HELLO:
        return None
    try:
        fields = json.loads(bytes(data[2:]))
    except (ValueError, RuntimeError):  # RuntimeError: nesting too deep (RecursionError)
        return None
    if not isinstance(fields, dict):
        return None
    return data[1], fields
