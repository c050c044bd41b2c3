"""Helpers shared by the firmware tests, which run under CPython (pytest) and under the
MicroPython unix port (mprun.py). Plain functions only: no pytest, no pathlib, no tempfile."""

import json
import os

import machine
import network

HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
ROOT = HERE + "/../.."
VECTORS = ROOT + "/tests/vectors/protocol_v1.json"

GOOD_CONFIG = {
    "wifi_ssid": "blinkshot-test",
    "wifi_password": "secret-pass",
    "hub": "ws://127.0.0.1:8000",
    "room": "default",
    "code": "123456",
    "name": "Ada",
}


def vectors():
    with open(VECTORS) as f:
        return json.load(f)


def unhex(s):
    return bytes(int(s[i : i + 2], 16) for i in range(0, len(s), 2))


def fresh():
    """Reset the fake hardware between tests."""
    machine.fake_reset()
    network.fake_reset()


def tmpdir():
    base = os.getenv("TMPDIR") or "/tmp"
    name = base + "/bs-fw-" + "".join(f"{b:02x}" for b in os.urandom(6))
    os.mkdir(name)
    return name


def write_config(cfg, text=None):
    """Write a config.json into a fresh temp dir and return its path."""
    path = tmpdir() + "/config.json"
    with open(path, "w") as f:
        f.write(text if text is not None else json.dumps(cfg))
    return path


def config_with(**changes):
    cfg = {}
    for k in GOOD_CONFIG:
        cfg[k] = GOOD_CONFIG[k]
    for k in changes:
        if changes[k] is None:
            cfg.pop(k, None)
        else:
            cfg[k] = changes[k]
    return cfg


def raises(exc, fn, *args):
    try:
        fn(*args)
    except exc as e:
        return e
    raise AssertionError(f"expected {exc.__name__}")
