"""The hello message (docs/protocol.md): type, version, then JSON. Built once at boot, after
which this module is unloaded again (docs/firmware.md, Memory): its key tables and the encoder
are not needed for the rest of the run.
"""

import json

from micropython import const

HELLO_JSON_MAX = const(1024)

# Fixed key orders: MicroPython dicts do not keep insertion order, and the shared vectors
# are exact bytes, so the hello JSON is written in this order on both interpreters.
HELLO_KEYS = ("id", "fw", "name", "reset", "config")
CONFIG_KEYS = (
    "hub",
    "room",
    "name",
    "pins",
    "external_pullup",
    "invert_x",
    "invert_y",
    "deadzone",
    "wdt",
    "battery_ratio",
    "wifi_ssid",
)
PIN_KEYS = ("blink", "shoot", "stick", "x", "y", "led", "motor", "battery")
SECRET_KEYS = ("wifi_password", "code")
_ORDERS = {"config": CONFIG_KEYS, "pins": PIN_KEYS}


def _dump(value, order=None):
    """JSON text of value, dict keys in `order` first (then sorted), secrets left out. Each
    level joins a short list, so the peak is small (a long list of pieces needs one big
    block, which a fragmented 64 KB heap may not have)."""
    if isinstance(value, dict):
        keys = [k for k in (order or ()) if k in value]
        keys += sorted(k for k in value if k not in keys)
        return (
            "{"
            + ",".join(
                json.dumps(k) + ":" + _dump(value[k], _ORDERS.get(k))
                for k in keys
                if k not in SECRET_KEYS
            )
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    return json.dumps(value)


def encode_hello(device_id, fw, name, reset, config):
    """The hello message (bytes). Secrets are dropped from config even if the caller forgot."""
    # The type and version bytes are ASCII, so one encode() makes the whole message: a 64 KB
    # heap has few free blocks of the hello's size, so it is never copied again.
    msg = (
        "\x03\x01"  # T_HELLO, PROTO
        + _dump(
            {"id": device_id, "fw": fw, "name": name, "reset": reset, "config": config}, HELLO_KEYS
        )
    ).encode()
    if len(msg) - 2 > HELLO_JSON_MAX:
        raise ValueError("hello JSON longer than 1024 bytes")
    return msg


def for_device(machine, cfg):
    """The hello of this board with this (validated) config, as an unmasked WebSocket frame
    for Client.send_built: built at boot, when the heap still has a free block its size."""
    import binascii

    from blinkshot import VERSION
    from blinkshot.hw import reset_name
    from blinkshot.ws import OP_BINARY, build_frame

    device_id = binascii.hexlify(machine.unique_id()).decode()
    msg = encode_hello(device_id, VERSION, cfg["name"], reset_name(machine), cfg)
    return build_frame(OP_BINARY, msg, False)
