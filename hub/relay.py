"""Fan-out of hub messages to a room's windows.

Hot path (the part to profile): a room's messages are encoded to JSON once, wrapped once in a
WebSocket text frame, and those same bytes are written to every window whose queue is empty and
whose transport is not paused. Windows that are behind get the messages in their ``Outbox``
instead (moves and state coalesce, latest wins; button events and chat never drop) and a
flusher task sends everything queued as one JSON array when the transport drains. A window
behind for longer than ``stall_s`` or with too many queued events is closed with 4006.

``LocalFanout`` is the one interface between rooms and windows; a backplane (e.g. Redis) can
replace it with the same ``subscribe`` / ``unsubscribe`` / ``publish`` methods.
"""

import asyncio
import json
import os
import struct
import time

from websockets.protocol import OPEN

_encode = json.JSONEncoder(separators=(",", ":")).encode
_U16 = struct.Struct(">BBH")
_U64 = struct.Struct(">BBQ")


def text_frame(payload: bytes) -> bytes:
    """One unmasked, unfragmented server-to-client text frame (RFC 6455 section 5.2)."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return _U16.pack(0x81, 126, n) + payload
    return _U64.pack(0x81, 127, n) + payload


def batch_text(texts: list[str]) -> str:
    """Several JSON objects as one message: a JSON array, in order."""
    return texts[0] if len(texts) == 1 else "[" + ",".join(texts) + "]"


class Outbox:
    """Per-window queue of encoded messages. Entries with a key coalesce (latest wins)."""

    def __init__(self):
        self.items: list[str | None] = []
        self.keys: dict[object, int] = {}
        self.live = 0

    def __len__(self):
        return self.live

    def push(self, key, text: str):
        if key is not None:
            old = self.keys.get(key)
            if old is not None:
                self.items[old] = None  # the newer one replaces it, at the end
                self.live -= 1
            self.keys[key] = len(self.items)
        self.items.append(text)
        self.live += 1
        if len(self.items) > 1024 and len(self.items) > 4 * self.live:
            self._compact()  # coalesced moves leave holes; keep memory bounded by live items

    def _compact(self):
        keyed = {i: k for k, i in self.keys.items()}
        items, keys = [], {}
        for i, text in enumerate(self.items):
            if text is None:
                continue
            if i in keyed:
                keys[keyed[i]] = len(items)
            items.append(text)
        self.items, self.keys = items, keys

    def take(self) -> list[str]:
        out = [t for t in self.items if t is not None]
        self.items, self.keys, self.live = [], {}, 0
        return out


class WindowSink:
    """One window connection as seen by the fan-out."""

    def __init__(self, conn, wid: str, stall_s: float = 5.0, max_queued: int = 2000, on_stall=None):
        self.conn = conn
        self.id = wid
        self.transport = conn.transport
        self.protocol = conn.protocol
        sock = conn.transport.get_extra_info("socket")
        self.fd = sock.fileno() if sock is not None else -1  # for the fan-out's direct write
        self.outbox = Outbox()
        self.stall_s, self.max_queued = stall_s, max_queued
        self.on_stall = on_stall
        self.behind_since = 0.0
        self.flusher: asyncio.Task | None = None
        self.closed = False
        self.delivered = 0  # messages handed to the transport
        self.batches = 0

    def deliver(self, frame: bytes, entries: list[tuple[object, str]]):
        """Write ``frame`` now if nothing is queued and the socket keeps up; else queue."""
        if self.closed:
            return
        if self.conn.protocol.state is not OPEN:  # never write after a close frame
            self.closed = True
            return
        if not self.outbox.live and not self.conn.paused:
            try:
                self.transport.write(frame)
            except RuntimeError:  # the transport already sent EOF: the window is going away
                self.closed = True
                return
            self.delivered += len(entries)
            return
        if not self.outbox.live:
            self.behind_since = time.monotonic()
        for key, text in entries:
            self.outbox.push(key, text)
        if self.flusher is None:
            self.flusher = asyncio.get_running_loop().create_task(self._flush())
        self._check_stall()

    def send(self, msg: dict, key=None):
        """Send one message to this window only, in order with the room's messages."""
        text = _encode(msg)
        self.deliver(text_frame(text.encode()), [(key, text)])

    def _check_stall(self):
        behind = time.monotonic() - self.behind_since
        if self.outbox.live > self.max_queued or behind > self.stall_s:
            self.closed = True
            if self.on_stall:
                self.on_stall(self, f"window stayed {behind:.1f} s behind; reconnect to resync")

    async def _flush(self):
        try:
            while self.outbox.live and not self.closed:
                await self.conn.drain()
                if self.closed or self.conn.protocol.state is not OPEN:
                    break
                texts = self.outbox.take()
                try:
                    self.transport.write(text_frame(batch_text(texts).encode()))
                except RuntimeError:  # EOF already written: the window is going away
                    self.closed = True
                    break
                self.delivered += len(texts)
                self.batches += 1
        except (ConnectionError, asyncio.CancelledError):
            self.closed = True
        finally:
            self.flusher = None

    def lag(self) -> dict:
        """How far behind: queued messages, bytes waiting in the transport, seconds behind."""
        return {
            "queued": self.outbox.live,
            "buffered_bytes": self.transport.get_write_buffer_size(),
            "behind_s": round(time.monotonic() - self.behind_since, 3) if self.outbox.live else 0,
        }

    def close(self):
        self.closed = True
        if self.flusher is not None:
            self.flusher.cancel()


class LocalFanout:
    """In-process fan-out: messages published in one event-loop pass go out as one batch."""

    def __init__(self):
        self.rooms: dict[str, set] = {}
        self.pending: dict[str, list[tuple[object, dict]]] = {}
        self.scheduled = False
        self.published = 0

    def subscribe(self, room: str, sink):
        self.rooms.setdefault(room, set()).add(sink)

    def unsubscribe(self, room: str, sink):
        sinks = self.rooms.get(room)
        if sinks is not None:
            sinks.discard(sink)

    def has_subscribers(self, room: str) -> bool:
        return bool(self.rooms.get(room))

    def publish(self, room: str, msg: dict, key=None):
        """Queue ``msg`` for every window of ``room``; ``key`` marks it coalescible."""
        self.published += 1
        batch = self.pending.get(room)
        if batch is None:
            self.pending[room] = [(key, msg)]
        else:
            batch.append((key, msg))
        if not self.scheduled:
            self.scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self):
        """Encode each pending message once per room and hand the same bytes to every window."""
        self.scheduled = False
        pending, self.pending = self.pending, {}
        for room, batch in pending.items():
            sinks = self.rooms.get(room)
            if not sinks:
                continue
            entries = [(key, _encode(msg)) for key, msg in batch]
            frame = text_frame(batch_text([t for _, t in entries]).encode())
            size, count = len(frame), len(entries)
            write = os.write
            for sink in tuple(sinks):
                # The common case, kept tight: an open window with nothing queued anywhere gets
                # the bytes straight from one write(2). Event loops mark a transport closing
                # before they close its socket, so while it is not closing the fd is still this
                # window's. Everything else, and a short write, goes through deliver().
                transport = sink.transport
                if (
                    sink.protocol.state is OPEN
                    and not sink.outbox.live
                    and not transport.get_write_buffer_size()
                    and not transport.is_closing()
                    and not sink.closed
                ):
                    try:
                        n = write(sink.fd, frame)
                    except OSError:
                        n = 0  # EAGAIN, or an error the transport will report and close on
                    if n == size:
                        sink.delivered += count
                        continue
                    if n:
                        transport.write(frame[n:])  # the transport keeps the order now
                        sink.delivered += count
                        continue
                sink.deliver(frame, entries)
