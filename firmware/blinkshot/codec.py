"""Wire protocol v1 codec for the controller side (see docs/protocol.md).

Pure: bytes in, values out; no socket, asyncio or machine import. The frames sent at input
rate are packed into caller-owned buffers with struct.pack_into, so they allocate nothing.
"""

import struct

from micropython import const

PROTO = const(1)

T_INPUT = const(0x01)
T_TELEMETRY = const(0x02)
T_HELLO = const(0x03)
T_WELCOME = const(0x81)
T_FEEDBACK = const(0x82)

INPUT_LEN = const(11)
TELEMETRY_LEN = const(6)
WELCOME_LEN = const(6)
FEEDBACK_LEN = const(4)

BTN_BLINK = const(1)
BTN_SHOOT = const(2)
BTN_STICK = const(4)

_INPUT_FMT = ">BHBBBBhh"
_TELEMETRY_FMT = ">BbHH"


def pack_input(buf, off, seq, buttons, presses, x, y):
    """Write an 11-byte input frame into buf at off. presses: 3 counters (any ints)."""
    struct.pack_into(
        _INPUT_FMT,
        buf,
        off,
        T_INPUT,
        seq & 0xFFFF,
        buttons & 7,
        presses[0] & 0xFF,
        presses[1] & 0xFF,
        presses[2] & 0xFF,
        x,
        y,
    )


def pack_telemetry(buf, off, rssi, battery_mv, heap_kb):
    if rssi < -128 or rssi > 127:
        rssi = 0
    struct.pack_into(
        _TELEMETRY_FMT,
        buf,
        off,
        T_TELEMETRY,
        rssi,
        max(0, min(65535, battery_mv)),
        max(0, min(65535, heap_kb)),
    )


# Results of decode_hub: (kind, a, b, c). kind is T_WELCOME (slot, (r, g, b), proto) or
# T_FEEDBACK (kind, ms, 0); None when the frame is malformed or unknown.


def decode_hub(data, n=None):
    """Decode a hub -> controller frame from data[:n]. Never raises on bad bytes."""
    if n is None:
        n = len(data)
    if n < 1:
        return None
    t = data[0]
    if t == T_WELCOME and n == WELCOME_LEN:
        return (T_WELCOME, data[2], (data[3], data[4], data[5]), data[1])
    if t == T_FEEDBACK and n == FEEDBACK_LEN:
        return (T_FEEDBACK, data[1], (data[2] << 8) | data[3], 0)
    return None
