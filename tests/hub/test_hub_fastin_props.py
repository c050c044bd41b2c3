"""Property test for the short way in (hub/wsshell.py): for random streams of valid and invalid
controller frames cut into random chunks, a hub taking the short way relays the same moves,
answers the same pongs and closes with the same frame as a hub on the library's parser alone.

Both hubs are real and are fed over real TCP with Nagle off and a pause between chunks, so each
chunk arrives as its own read.
"""

import asyncio
import contextlib

from hostile import masked, raw_controller
from hubkit import CODE, hello, inp, messages, open_window, run
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hub.config import Config
from hub.server import Hub


def frame_of(kind: str, n: int, tricky: bool) -> bytes:
    """One client frame: valid inputs and pings, and the kinds of bad frame a hub must refuse.

    A ``tricky`` input's mask makes its tail (after the 2-byte header) look like a whole
    binary frame of its own, as a hostile client would choose it.
    """
    if kind == "input":
        payload = inp(n, x=(n * 37) % 2000 - 1000)
        if tricky:
            return masked(payload, mask=bytes((0x82, 0x80 | (len(payload) - 2), n, 0x5A)))
        return masked(payload)
    if kind == "ping":
        return masked(b"p%d" % n, opcode=0x9)
    if kind == "text":
        return masked(b"hi", opcode=0x1)
    if kind == "short":
        return masked(inp(n)[:-3])  # a truncated input frame
    if kind == "unmasked":
        return bytes((0x82, 11)) + inp(n)
    if kind == "rsv":
        return bytes((0xC2,)) + masked(inp(n))[1:]  # a reserved bit set
    long = bytes((0x82, 0x80 | 126, 0, 130)) + b"\x00" * 4 + bytes(130)  # 16-bit length form
    return long


KINDS = st.sampled_from(["input"] * 6 + ["ping"] * 2 + ["text", "short", "unmasked", "rsv", "long"])


@contextlib.asynccontextmanager
async def hub_with(fast: bool):
    cfg = Config(host="127.0.0.1", port=0, pairing_code=CODE, beacon=False, map="open", lobby=False)
    hub = Hub(cfg)
    hub.fast = hub.fast and fast  # False: the library's parser for every frame
    await hub.start()
    try:
        yield hub
    finally:
        await hub.stop()


async def outcome(fast: bool, stream: bytes, cuts: list[int]):
    async with hub_with(fast) as hub:
        win, _ = await open_window(hub)
        reader, writer = await raw_controller(hub.port, CODE, hello("c0ffeec0ffee", "Prop"))
        writer.write(masked(inp(0)))  # the baseline, so the short way is in use from here
        await writer.drain()
        await asyncio.sleep(0.02)
        start = 0
        for cut in [*cuts, len(stream)]:
            if cut > start:
                writer.write(stream[start:cut])
                await writer.drain()
                await asyncio.sleep(0.003)
            start = max(start, cut)
        writer.write(masked(b"end", opcode=0x9))
        got = b""
        with contextlib.suppress(TimeoutError, ConnectionError):
            while b"\x8a\x03end" not in got:  # until the last pong, or the hub's close
                chunk = await asyncio.wait_for(reader.read(4096), 2)
                if not chunk:
                    break
                got += chunk
        moves = []
        loop = asyncio.get_running_loop()
        until = loop.time() + 0.15  # moves go out within an event-loop pass; states keep coming
        with contextlib.suppress(TimeoutError):
            while (left := until - loop.time()) > 0:
                for m in messages(await asyncio.wait_for(win.recv(), left)):
                    if m["type"] == "move":
                        moves.append((m["cseq"], m["x"]))
        writer.close()
        await win.close()
        return moves, got


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    frames=st.lists(st.tuples(KINDS, st.booleans(), st.booleans()), min_size=1, max_size=12),
    cuts=st.lists(st.integers(0, 12 * 140), max_size=6),
)
@example(frames=[("input", False, False), ("input", True, True), ("input", False, False)], cuts=[])
def test_short_way_and_library_agree_on_any_chunking(frames, cuts):
    parts = [frame_of(k, n, tricky) for n, (k, tricky, _) in enumerate(frames, start=1)]
    stream = b"".join(parts)
    cuts = [c for c in cuts if c <= len(stream)]
    start = 0
    for part, (_, _, after_header) in zip(parts, frames, strict=True):
        if after_header:
            cuts.append(start + 2)  # a header alone in its segment, the rest in the next
        start += len(part)
    cuts.sort()

    async def body():
        return await outcome(True, stream, cuts), await outcome(False, stream, cuts)

    fast, slow = run(body(), timeout=60)
    assert fast == slow
