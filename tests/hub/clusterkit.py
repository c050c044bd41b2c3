"""Helpers for tests of several real hub processes on one real redis-server (``--redis``)."""

import asyncio
import contextlib
import math

from hubkit import hello, inp, messages
from hubproc import HubProcess
from websockets.asyncio.client import connect

ADA, BOB = "a4cf12fe0b1c", "0badc0ffee00"


@contextlib.contextmanager
def hubs(url, n, *args, grace=10):
    """``n`` hub processes on the Redis at ``url``, stopped by PID at the end."""
    started = []
    try:
        for _ in range(n):
            started.append(HubProcess("--redis", url, "--grace", str(grace), *args).start())
        yield started
        for h in started:  # trouble is said in WARNING lines; an ERROR is a bug (a traceback)
            errors = [line for line in h.output().splitlines() if " ERROR " in line]
            assert not errors, f"hub on port {h.port} logged errors:\n" + "\n".join(errors)
    except BaseException:
        for i, h in enumerate(started):  # pytest shows this with the failure: the hubs' side
            print(f"--- hub {i} (port {h.port}) log ---\n{h.output()}")
        raise
    finally:
        for h in started:
            h.stop()


class Watcher:
    """A window connection that records every message it is sent, in order."""

    def __init__(self, ws):
        self.ws, self.msgs = ws, []
        self.task = asyncio.get_running_loop().create_task(self._pump())

    async def _pump(self):
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                self.msgs.extend(messages(raw))

    def of(self, kind):
        return [m for m in self.msgs if m["type"] == kind]

    def last_state(self):
        states = self.of("state")
        return states[-1] if states else None

    async def close(self):
        await self.ws.close()
        self.task.cancel()


async def watch(hub):
    return Watcher(await connect(hub.ws_url("window")))


async def until(check, timeout=8.0, what="condition"):
    for _ in range(int(timeout / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{what} not met within {timeout} s")


async def join(hub, dev, name):
    c = await connect(hub.ws_url("controller"))
    await c.send(hello(dev, name))
    welcome = await asyncio.wait_for(c.recv(), 5)
    return c, welcome


async def score_a_kill(shooter, sid, tid, w):
    """``shooter`` (a controller connection, player ``sid``) walks up to ``tid`` and shoots
    until it has one kill, judged by the window ``w``'s states."""
    seq, shots = 1, 0
    await shooter.send(inp(seq))  # the first frame sets the press baseline
    for _ in range(200):
        await asyncio.sleep(0.1)
        players = {p["id"]: p for p in w.last_state()["players"]}
        a, b = players[f"c-{sid}"], players[f"c-{tid}"]
        if a["score"] >= 1:
            return
        dx, dy = b["x"] - a["x"], b["y"] - a["y"]
        dist = math.hypot(dx, dy) or 1
        ux, uy = dx / dist, dy / dist
        seq += 1
        if dist > 300:
            await shooter.send(inp(seq, (0, shots, 0), round(ux * 1000), round(uy * 1000)))
            continue
        shots += 1
        await shooter.send(inp(seq, (0, shots, 0), round(ux * 100), round(uy * 100)))
        seq += 1
        await shooter.send(inp(seq, (0, shots, 0), 0, 0))
        await asyncio.sleep(0.35)
    raise AssertionError("no kill")


def owner_of(hs, room="default"):
    """The hub whose output says it took the room last (None if none did)."""
    best, when = None, -1
    for h in hs:
        out = h.output()
        i = out.rfind("room_taken")
        lost = out.rfind("room_lost")
        if i > when and i > lost:
            best, when = h, i
    return best
