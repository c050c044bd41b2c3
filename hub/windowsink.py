"""A window connection as the bus sees it: the fan-out's writes, its queue, its stall rule.

Writing: a room's batch goes straight to the window's socket when nothing is queued for it
(``deliver_batch``); a window that is behind keeps messages in its ``Outbox`` (moves and states
coalesce) and gets them as one batch when its transport drains.

The stall rule counts from when the window stopped reading, not from when the hub noticed.
Twice a second the hub queues a WebSocket ping behind everything already sent to the window
(``wsshell.queue_ping``); its pong proves the window read all of that. A window that leaves a
ping unanswered for ``stall_s`` (the ping's queue time counts, however long the kernel's buffers
hid it) is closed with 4006, ``stall_s`` + ``READ_CHECK_S`` at most after it stopped reading.
Browsers answer pings in their network code, so a background tab or a busy page still answers;
docs/security.md ("stalled windows") says what an honest window's worst case is.
"""

import asyncio
import os
import time

from websockets.protocol import OPEN

from .relay import Outbox, batch_text, text_frame
from .wsshell import queue_ping

_write = os.write
READ_CHECK_S = 0.5  # how often a window is asked to prove that it reads


def deliver_batch(windows, frame: bytes, entries: list[tuple[object, str]]):
    """``WindowSink.deliver`` for each of a room's windows, unrolled: no call per window.

    The common case is kept tight: an open window with nothing queued anywhere gets the frame
    straight from one ``write(2)``. Event loops mark a transport closing before they close its
    socket, so while it is not closing the cached fd is still this window's. A short write
    leaves the rest to the transport (which keeps the order from then on); everything else
    takes the window's queueing path.
    """
    size = len(frame)
    for w in tuple(windows):  # a delivery may unsubscribe a window (stall)
        transport = w.transport
        if (
            w.fd >= 0
            and not w.outbox.live
            and not w.closed
            and w.protocol.state is OPEN
            and not transport.get_write_buffer_size()
            and not transport.is_closing()
        ):
            try:
                n = _write(w.fd, frame)
            except OSError:
                n = 0  # EAGAIN, or an error the transport will report and close on
            if n == size:
                continue
            if n:
                transport.write(frame[n:])
                continue
        w._deliver_slow(frame, entries)


class WindowSink:
    """One window connection as the bus sees it: ``deliver`` writes or queues a batch.

    With ``direct``, a batch goes straight to the socket when nothing is queued (see
    ``deliver_batch``). A window that is behind keeps entries in its ``Outbox`` and a flusher
    task sends them as one batch when the transport drains. ``start()`` begins the read checks
    (module docstring). A window that leaves a read check unanswered for ``stall_s``, is behind
    for that long, or has more than ``max_queued`` entries queued gets ``on_stall(sink,
    reason)``, once.
    """

    __slots__ = ("conn", "transport", "protocol", "fd", "outbox", "stall_s", "max_queued",
                 "on_stall", "clock", "behind_since", "flusher", "closed", "direct", "check",
                 "check_at", "timer")  # fmt: skip

    def __init__(
        self, conn, stall_s=5.0, max_queued=2000, on_stall=None, direct=True, clock=time.monotonic
    ):
        self.conn = conn
        self.transport = conn.transport
        self.protocol = conn.protocol
        sock = conn.transport.get_extra_info("socket")
        self.fd = sock.fileno() if sock is not None and direct else -1  # -1: no direct write
        self.outbox = Outbox()
        self.stall_s, self.max_queued = stall_s, max_queued
        self.on_stall = on_stall
        self.clock = clock
        self.behind_since = 0.0
        self.flusher: asyncio.Task | None = None
        self.closed = False
        self.direct = direct
        self.check: asyncio.Future | None = None  # the read check in flight (its pong)
        self.check_at = 0.0  # when it was queued
        self.timer: asyncio.TimerHandle | None = None

    def start(self):
        """Ask the window to prove it reads, now and every ``READ_CHECK_S`` (module docstring)."""
        self._read_check()

    def _read_check(self):
        self.timer = None
        if self.closed:
            return
        now = self.clock()
        wait = READ_CHECK_S
        if self.check is None or self.check.done():
            self.check = queue_ping(self.conn, self.direct)
            self.check_at = now
        else:
            unread = now - self.check_at
            if unread >= self.stall_s:
                self._stall(unread)
                return
            wait = min(wait, self.stall_s - unread)
        self.timer = asyncio.get_running_loop().call_later(wait, self._read_check)

    def deliver(self, frame: bytes, entries: list[tuple[object, str]]):
        """Write ``frame`` now if nothing is queued and the socket keeps up; else queue."""
        deliver_batch((self,), frame, entries)

    def _deliver_slow(self, frame, entries):
        if self.closed:
            return
        if self.protocol.state is not OPEN:  # never write after a close frame
            self.closed = True
            return
        if not self.outbox.live and not self.conn.paused:
            try:
                self.transport.write(frame)
            except RuntimeError:  # the transport already sent EOF: the window is going away
                self.closed = True
                return
            return
        if not self.outbox.live:
            self.behind_since = self.clock()
        for key, text in entries:
            self.outbox.push(key, text)
        if self.flusher is None:
            self.flusher = asyncio.get_running_loop().create_task(self._flush())
        self._check_stall()

    def send(self, text: str, key=None):
        """Send one encoded message to this window only, in order with the room's messages."""
        self.deliver(text_frame(text.encode()), [(key, text)])

    def _check_stall(self):
        behind = self.clock() - self.behind_since
        if self.outbox.live > self.max_queued or behind > self.stall_s:
            self._stall(behind)

    def _stall(self, behind: float):
        self.closed = True
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.on_stall:
            self.on_stall(self, f"window stayed {behind:.1f} s behind; reconnect to resync")

    async def _flush(self):
        try:
            while self.outbox.live and not self.closed:
                await self.conn.drain()
                if self.closed or self.protocol.state is not OPEN:
                    break
                texts = self.outbox.take()
                try:
                    self.transport.write(text_frame(batch_text(texts).encode()))
                except RuntimeError:  # EOF already written: the window is going away
                    self.closed = True
                    break
        except (ConnectionError, asyncio.CancelledError):
            self.closed = True
        finally:
            self.flusher = None

    def lag(self) -> dict:
        """How far behind: queued messages, bytes waiting in the transport, seconds behind, and
        seconds the read check in flight has waited for its answer."""
        now = self.clock()
        waiting = self.check is not None and not self.check.done()
        return {
            "queued": self.outbox.live,
            "buffered_bytes": self.transport.get_write_buffer_size(),
            "behind_s": round(now - self.behind_since, 3) if self.outbox.live else 0,
            "unread_s": round(now - self.check_at, 3) if waiting else 0,
        }

    def close(self):
        self.closed = True
        if self.flusher is not None:
            self.flusher.cancel()
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
