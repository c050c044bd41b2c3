"""The module that touches the internals of the `websockets` library (with hub/windowsink.py).

Everything here is transport: the short way in for controller frames, pausing and draining,
message-size limits, socket buffers, a send that does not need a task, pings that prove a peer
reads, and resets; hub/windowsink.py (a window's writes, queue and stall rule) builds on it.
It was written against the library versions in ``TESTED``; ``check_library()`` says what no
longer fits, and the hub runs on the library's public API alone (slower) when something does
not (``Shell.fast``).

The short way in: a controller sends ~100 small binary frames a second. Through the library each
one is parsed by a generator, queued and handed to the handler task a couple of event-loop
passes later; at 16 controllers that fixed cost per frame was about as large as the relay to 64
windows. Once a controller is welcomed, ``HubConnection`` reads what arrives straight from
``data_received`` when a chunk holds only whole, masked, unfragmented binary frames of under 126
bytes (every input and telemetry frame) and nothing is pending in the library's parser or queue.
Anything else (pings, pongs, close, text, partial frames) goes through the library as before,
so the protocol rules stay the library's.
"""

import asyncio
import os
import socket

import websockets
from websockets.asyncio.server import ServerConnection
from websockets.protocol import OPEN
from websockets.streams import StreamReader

from .door import DoorCheck, reset
from .methods import MethodCheck

TESTED = ((17, 0), (18, 0))  # [from, to): keep in step with pyproject.toml
WINDOW_SNDBUF = 64 * 1024  # bound what the kernel hides, so "behind" is seen and acted on
OUTPUT_LIMIT = 128 * 1024  # bytes owed to a peer before the hub stops reading from it
OUTPUT_STALL_S = 10.0  # a peer that reads nothing for this long after that is dropped


def library_version() -> tuple[int, int]:
    major, minor = (websockets.version.version.split(".") + ["0"])[:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


def check_library() -> list[str]:
    """What in the installed `websockets` differs from what this module relies on ([] = fine)."""
    from websockets.asyncio import messages
    from websockets.asyncio.connection import Connection
    from websockets.protocol import SERVER, Protocol
    from websockets.streams import StreamReader

    problems = []
    if not TESTED[0] <= library_version() < TESTED[1]:
        lo, hi = (".".join(map(str, t)) for t in TESTED)
        problems.append(f"websockets {websockets.version.version} is outside >={lo},<{hi}")
    for name in ("data_received", "send_data", "drain", "pause_writing", "acknowledge_pings"):
        if not hasattr(ServerConnection, name):
            problems.append(f"ServerConnection.{name} is gone")
    if "pending_pings" not in Connection.__init__.__code__.co_names:
        problems.append("Connection.pending_pings is gone")
    try:
        probe = Protocol(SERVER)
    except Exception as exc:  # its constructor changed: report, do not guess
        probe = None
        problems.append(f"Protocol(SERVER) failed: {exc!r}")
    for name in ("state", "reader", "expect_continuation_frame", "max_message_size",
                 "send_binary", "send_ping", "close_expected", "parser"):  # fmt: skip
        if probe is not None and not hasattr(probe, name):
            problems.append(f"Protocol.{name} is gone")
    if probe is not None and waiting_in(getattr(probe, "parser", None)) is not _BETWEEN_FRAMES:
        problems.append("the parser no longer waits for a frame in StreamReader.at_eof")
    if not isinstance(getattr(StreamReader(), "buffer", None), bytearray):
        problems.append("StreamReader.buffer is not a bytearray any more")
    problems += check_serve()
    frames = getattr(messages, "SimpleQueue", None)  # Assembler.frames, read by _idle_parser
    if frames is None or not hasattr(frames, "__len__"):
        problems.append("the asyncio Assembler's frame queue has no len() any more")
    return problems


def check_serve() -> list[str]:
    """What ``protocol_factory`` and ``serve_on`` rely on in ``serve`` and its ``Server``."""
    from websockets.asyncio import server

    problems = []
    inner = {c.co_name: c for c in server.serve.__code__.co_consts if hasattr(c, "co_name")}
    if "protocol_factory" not in getattr(inner.get("create_server"), "co_freevars", ()):
        problems.append("serve() has no protocol_factory for its create_server any more")
    if "hasattr" not in server.Server._await.__code__.co_names:
        problems.append("Server no longer starts only without a server of its own")
    return problems


def protocol_factory(ws_server):
    """The factory ``serve`` passes to ``loop.create_server``: one connection per call."""
    make = ws_server.create_server
    cells = dict(zip(make.__code__.co_freevars, make.__closure__ or (), strict=True))
    return cells["protocol_factory"].cell_contents


def serve_on(ws_server, listener):
    """Have the library's ``Server`` (from ``serve``, not awaited yet) use ``listener`` (an
    ``asyncio.Server`` look-alike, hub/listener.py) instead of making a server of its own."""
    ws_server.server = listener


_BETWEEN_FRAMES = StreamReader.at_eof.__code__  # where the library's parser waits for a frame


def waiting_in(gen):
    """The code of the innermost generator ``gen`` is suspended in (through ``yield from``)."""
    while getattr(gen, "gi_yieldfrom", None) is not None:
        gen = gen.gi_yieldfrom
    return getattr(gen, "gi_code", None)


def limit_message_size(conn, size: int):
    """Set the largest message this connection accepts (1009 above it), per path."""
    conn.protocol.max_message_size = size


def bound_send_buffer(conn, size: int = WINDOW_SNDBUF):
    sock = conn.transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)


def send_now(conn, data: bytes) -> bool:
    """Queue one binary message without awaiting (no task); False if the link is not open."""
    if conn.protocol.state is not OPEN:
        return False
    try:
        conn.protocol.send_binary(data)
        conn.send_data()
    except Exception:  # the transport is going away; its close is reported elsewhere
        return False
    return True


def queue_ping(conn, fast: bool = True) -> asyncio.Future | None:
    """Queue a ping behind everything already sent to ``conn``; None if the link is not open.

    The future is done when the pong comes back (or the pong of a later ping: the library
    acknowledges every earlier ping with it), which proves the peer read everything sent before
    the ping. The payload is random, so a peer cannot answer without reading it. With ``fast``
    the ping goes into the transport at once; otherwise through the library's ``ping()`` in a
    task (the public API: it writes at the task's first step, then waits for the buffer).
    """
    if conn.protocol.state is not OPEN:
        return None
    data = os.urandom(8)
    if fast:
        waiter = conn.loop.create_future()
        conn.pending_pings[data] = (waiter, conn.loop.time())  # acknowledge_pings completes it
        try:
            conn.protocol.send_ping(data)
            conn.send_data()
        except Exception:  # the transport is going away; its close is reported elsewhere
            del conn.pending_pings[data]
            return None
    else:
        waiter = asyncio.ensure_future(_pong_of(conn, data))
    waiter.add_done_callback(_seen)
    return waiter


async def _pong_of(conn, data):
    return await (await conn.ping(data))


def _seen(fut):
    if not fut.cancelled():
        fut.exception()  # a link that closed before its pong is not news


CLOSE_BOUND_S = 2.0  # the close handshake, however stuck the peer, ends within this


async def close_within(conn, code: int, reason: str, bound_s: float = CLOSE_BOUND_S):
    """Close with ``code`` and ``reason``; abort the transport if that takes over ``bound_s``.

    The library's ``close`` drains the write buffer before it starts its own close timeout, and
    a peer that does not read never lets that drain finish. The bound covers both, so a stalled
    window's link is gone ``bound_s`` after the decision at the latest.
    """
    task = asyncio.ensure_future(conn.close(code, reason))
    try:
        done, _ = await asyncio.wait((task,), timeout=bound_s)
    except asyncio.CancelledError:  # the hub is stopping: the close goes with it
        task.cancel()
        raise
    if not done:
        reset(conn.transport)  # connection_lost ends the library's close too
        await asyncio.wait((task,), timeout=bound_s)
    if task.done() and not task.cancelled():
        task.exception()  # retrieved: a closing error is not news


def is_open(conn) -> bool:
    return conn.state is OPEN


def split_binary(data: bytes) -> list[bytes] | None:
    """Unmasked payloads if ``data`` is whole small masked binary frames and nothing else."""
    out = []
    i, end = 0, len(data)
    while i < end:
        if end - i < 6 or data[i] != 0x82:
            return None  # not FIN + binary, or too short for a header and mask
        n = data[i + 1] ^ 0x80
        if n > 125:
            return None  # unmasked (n >= 128 after the flip) or a longer length form
        start = i + 6
        stop = start + n
        if stop > end:
            return None  # the rest arrives later: let the library buffer it
        if n:
            mask = data[i + 2 : start] * (n // 4 + 1)
            word = int.from_bytes(data[start:stop], "big") ^ int.from_bytes(mask[:n], "big")
            out.append(word.to_bytes(n, "big"))
        else:
            out.append(b"")
        i = stop
    return out


class HubConnection(DoorCheck, MethodCheck, ServerConnection):
    """``ServerConnection`` with an optional ``on_binary(payload)`` hook for the short way in,
    the penalty box at accept (door.py), 405 for methods other than GET/HEAD before the library
    parses them (methods.py), and a bound on what the hub holds for a peer that does not read.

    Bounded output: every byte the hub owes a peer (pongs the library writes by itself, sends,
    close frames) waits in the transport. Past ``OUTPUT_LIMIT`` bytes the hub stops reading from
    that peer, so a ping flood cannot make it write more; reading resumes once the buffer drains
    below the library's low-water mark. A peer still not reading ``output_stall_s`` later is
    dropped (the transport aborted: a close frame could not reach it anyway). This holds in every
    state: before the hello, after a refusal, during the close.
    """

    on_binary = None
    fast_frames = 0  # frames taken the short way (tests and profiling read it)
    output_stall_s = OUTPUT_STALL_S
    dropped_unread = 0  # connections dropped for not reading (all connections; tests read it)
    _out_timer = None  # while reading is paused because the peer does not read

    def data_received(self, data: bytes) -> None:
        self._take(data)
        transport = self.transport
        if transport.get_write_buffer_size() > OUTPUT_LIMIT:
            transport.pause_reading()  # again if the library resumed it for its own queue
            if self._out_timer is None:
                self._out_timer = self.loop.call_later(self.output_stall_s, self._drop_unread)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._out_timer is not None:
            self._out_timer.cancel()
            self._out_timer = None
            if not getattr(self.recv_messages, "paused", False):  # the library's own pause
                self.transport.resume_reading()

    def _drop_unread(self):
        self._out_timer = None
        HubConnection.dropped_unread += 1
        self.unread = True  # bad input: the door counts it (door.py)
        reset(self.transport)

    def connection_lost(self, exc) -> None:
        if self._out_timer is not None:
            self._out_timer.cancel()
            self._out_timer = None
        super().connection_lost(exc)

    def _take(self, data: bytes) -> None:
        hook = self.on_binary
        if hook is not None and self._idle_parser():
            payloads = split_binary(data)
            if payloads is not None:
                self.fast_frames += len(payloads)
                for payload in payloads:
                    hook(payload)
                    if self.on_binary is None:  # refused: the rest of the chunk is dropped
                        break
                return
        super().data_received(data)

    def _idle_parser(self) -> bool:
        """True when the library holds nothing half-read or unread, so order is kept.

        Its parser must be between frames: waiting in ``StreamReader.at_eof`` for the next
        header, not inside ``Frame.parse`` with a header already taken from an earlier chunk
        (its buffer is empty then too, and the rest of that frame must go to it).
        """
        try:
            p = self.protocol
            return (
                p.state is OPEN
                and waiting_in(p.parser) is _BETWEEN_FRAMES
                and not p.reader.buffer
                and not p.expect_continuation_frame
                and not len(self.recv_messages.frames)
            )
        except AttributeError:  # another websockets version: always take the library's way
            self.on_binary = None
            return False
