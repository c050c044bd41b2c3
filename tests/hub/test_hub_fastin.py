"""The short way in for controller frames (hub/wsshell.py): same results whatever the chunking.

A raw TCP controller writes frames in chunks the `websockets` client never produces (several
frames in one write, a frame split over two writes, a ping between inputs), so both the short
way and the library's way are exercised against a real hub and real window clients.
"""

import asyncio

from hostile import masked, raw_controller
from hubkit import CODE, TIMEOUT, hello, inp, next_msg, open_window, run, running_hub

from hub.wsshell import HubConnection, split_binary

# The parser -----------------------------------------------------------------------------------


def test_split_binary_unmasks_whole_frames_in_order():
    a, b = inp(1, x=5), inp(2, x=-7)
    assert split_binary(masked(a) + masked(b, mask=b"\x00\x01\x02\x03")) == [a, b]
    assert split_binary(masked(b"")) == [b""]


def test_split_binary_leaves_everything_else_to_the_library():
    frame = masked(inp(1))
    assert split_binary(frame[:-1]) is None  # partial
    assert split_binary(frame + frame[:3]) is None  # whole frame then a partial one
    assert split_binary(masked(b"hi", opcode=0x1)) is None  # text
    assert split_binary(frame + masked(b"", opcode=0x9)) is None  # a ping after an input
    assert split_binary(bytes((0x02, 0x8B)) + frame[2:]) is None  # not FIN (fragmented)
    unmasked = bytes((0x82, 11)) + inp(1)
    assert split_binary(unmasked) is None
    long = masked(bytes(126))
    assert split_binary(long) is None  # 126 uses the 16-bit length form


# Against a real hub ---------------------------------------------------------------------------


def raw(hub):
    """A controller over a bare TCP stream (hostile.raw_controller), past its welcome."""
    return raw_controller(hub.port, CODE, hello("fa57fa57fa57", "Raw"))


def connection_of(hub) -> HubConnection:
    (conn,) = hub.controllers
    assert isinstance(conn, HubConnection)
    return conn


async def read_close(reader):
    """Read until the hub closes the connection; return its close frame's code and the frame."""
    data = await asyncio.wait_for(reader.read(), TIMEOUT)
    close = data[data.index(b"\x88") :]
    return int.from_bytes(close[2:4], "big"), close


async def moves(win, count):
    got = []
    while len(got) < count:
        m = await next_msg(win, "move")
        got.append((m["cseq"], m["x"]))
    return got


def test_every_chunking_relays_every_frame_in_order():
    async def body():
        async with running_hub() as hub:
            win, _ = await open_window(hub)
            reader, writer = await raw(hub)
            conn = connection_of(hub)
            writer.write(masked(inp(1)))  # centred stick: nothing to relay
            await asyncio.sleep(0.05)
            # three frames in one write: the short way, all three relayed in order
            writer.write(b"".join(masked(inp(s, x=10 * s)) for s in (2, 3, 4)))
            assert await moves(win, 3) == [(2, 20), (3, 30), (4, 40)]
            fast = conn.fast_frames
            assert fast >= 4
            # a frame split over two writes: the library buffers it, nothing is lost
            frame = masked(inp(5, x=50))
            writer.write(frame[:4])
            await writer.drain()
            await asyncio.sleep(0.05)
            writer.write(frame[4:] + masked(inp(6, x=60)))
            # a ping between inputs: the whole chunk goes the library's way, pong comes back
            writer.write(masked(inp(7, x=70)) + masked(b"p1", opcode=0x9) + masked(inp(8, x=80)))
            assert await moves(win, 4) == [(5, 50), (6, 60), (7, 70), (8, 80)]
            pong = await asyncio.wait_for(reader.readexactly(4), TIMEOUT)
            assert pong == b"\x8a\x02p1"
            assert conn.fast_frames == fast  # those chunks did not take the short way
            # and once the library's queue is empty again, the short way is back
            writer.write(masked(inp(9, x=90)))
            assert await moves(win, 1) == [(9, 90)]
            assert conn.fast_frames == fast + 1
            writer.close()
            await win.close()

    run(body())


def test_refusals_on_the_short_way_close_with_their_code():
    async def body():
        async with running_hub() as hub:
            win, _ = await open_window(hub)
            reader, writer = await raw(hub)
            writer.write(masked(inp(1)) + masked(b"\x01\x00"))  # a truncated input frame
            code, close = await read_close(reader)
            assert code == 4001, close
            assert b"input" in close, close
            assert not hub.controllers
            # the window is unaffected and a well-behaved controller still plays
            writer.close()
            _, w2 = await raw(hub)
            w2.write(masked(inp(1)) + masked(inp(2, x=3)))
            assert await moves(win, 1) == [(2, 3)]
            w2.close()
            await win.close()

    run(body())


def test_flood_on_the_short_way_is_closed_4005():
    async def body():
        async with running_hub(rate=50.0) as hub:
            # unbounded queue: this window reads nothing, yet its close must not wait on that
            win, _ = await open_window(hub, max_queue=None)
            reader, writer = await raw(hub)
            writer.write(b"".join(masked(inp(s, x=s)) for s in range(1, 200)))
            code, close = await read_close(reader)
            assert code == 4005, close
            await asyncio.sleep(0.2)
            assert win.close_code is None  # the window stays open
            await win.close()

    run(body())
