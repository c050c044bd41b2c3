"""Helpers for hub tests: an in-process hub on 127.0.0.1:0 and small client shortcuts."""

import asyncio
import collections
import contextlib
import json
import sys
import weakref
from pathlib import Path

from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from hub.codec import encode_hello, encode_input  # noqa: E402
from hub.config import Config  # noqa: E402
from hub.server import Hub  # noqa: E402

VECTORS = json.loads((ROOT / "tests" / "vectors" / "protocol_v1.json").read_text())
CODE = "123456"
TIMEOUT = 5.0  # generous: only stops hangs


def run(coro, timeout=30):
    """Run one async test body with an overall limit."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


@contextlib.asynccontextmanager
async def running_hub(**overrides):
    # The open arena and no lobby: these tests place players by hand and shoot at once; map and
    # lobby tests say what they want.
    cfg = Config(host="127.0.0.1", port=0, pairing_code=CODE, beacon=False, map="open", lobby=False)
    for k, v in overrides.items():
        setattr(cfg, k, v)
    hub = Hub(cfg)
    await hub.start()
    try:
        yield hub
    finally:
        await hub.stop()


def url(hub, kind="window", room="default", code=CODE):
    q = f"?room={room}" + (f"&code={code}" if code else "")
    return f"ws://127.0.0.1:{hub.port}/ws/{kind}{q}"


def hello(dev="a4cf12fe0b1c", name="Ada", **extra):
    return encode_hello({"id": dev, "fw": "0.1.0", "name": name, "reset": "soft", **extra})


async def open_controller(hub, dev="a4cf12fe0b1c", name="Ada", room="default", **kw):
    ws = await connect(url(hub, "controller", room), **kw)
    await ws.send(hello(dev, name))
    welcome = await asyncio.wait_for(ws.recv(), TIMEOUT)
    assert welcome[0] == 0x81, welcome
    return ws, welcome


async def open_window(hub, room="default", **kw):
    ws = await connect(url(hub, "window", room), **kw)
    welcome = await next_msg(ws, "welcome")
    return ws, welcome


def messages(raw):
    """A window message is one object or an array of them."""
    obj = json.loads(raw)
    return obj if isinstance(obj, list) else [obj]


_pending = weakref.WeakKeyDictionary()


async def next_msg(ws, type_, pred=lambda m: True, timeout=TIMEOUT):
    """Read until a message of ``type_`` matching ``pred`` arrives; return it.

    Items of a batch after the match stay queued for the next call.
    """
    queue = _pending.setdefault(ws, collections.deque())

    async def loop():
        while True:
            while queue:
                m = queue.popleft()
                if m["type"] == type_ and pred(m):
                    return m
            queue.extend(messages(await ws.recv()))

    return await asyncio.wait_for(loop(), timeout)


async def expect_close(ws, timeout=TIMEOUT):
    """Drain until the hub closes; return (code, reason)."""

    async def drain():
        with contextlib.suppress(Exception):
            while True:
                await ws.recv()

    await asyncio.wait_for(drain(), timeout)
    return ws.close_code, ws.close_reason


def inp(seq, presses=(0, 0, 0), x=0, y=0, buttons=0):
    return encode_input(seq, buttons, list(presses), x, y)
