"""The bus: how a room's messages reach the windows watching it.

A room publishes each message as encoded JSON text with an optional coalescing key
(``publish(room, text, key)``); every hub process delivers what the bus carries to its own
windows, which it registers with ``subscribe`` / ``unsubscribe``. A window is anything with
``deliver(frame, entries)``: ``frame`` is one WebSocket text frame holding the batch,
``entries`` the same batch as ``(key, text)`` pairs for a window that has to queue it. How a
window writes (directly to its socket, or into its outbox) is the window's business, not the
bus's.

``LocalBus`` is the bus of one process: what is published in one event-loop pass goes out as
one batch per room, encoded and framed once. A bus between processes (Redis) publishes the
entries to the other processes and hands what it receives to a ``Windows`` registry like the
one here; rooms and sessions do not change.

Limits: no backpressure towards the room (a window that cannot keep up is the window's problem:
it queues, coalesces, and is closed 4006 when too far behind); a window subscribed to a room
gets only what is published after it subscribed.
"""

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Protocol

from .relay import batch_text, text_frame


class Window(Protocol):
    def deliver(self, frame: bytes, entries: list[tuple[object, str]]) -> None: ...


class Bus(ABC):
    """Carries a room's encoded messages to every window of that room, in publish order."""

    @abstractmethod
    def publish(self, room: str, text: str, key=None) -> None:
        """Send ``text`` (one JSON object) to the room's windows; ``key`` marks it coalescible
        (a later message with the same key may replace it for a window that is behind)."""

    @abstractmethod
    def subscribe(self, room: str, window: Window) -> None:
        """Deliver ``room``'s messages to ``window`` (a window of this process) from now on."""

    @abstractmethod
    def unsubscribe(self, room: str, window: Window) -> None:
        """Stop delivering to ``window``; unknown windows are ignored."""

    async def close(self) -> None:  # noqa: B027 (optional to override)
        """Release what the bus holds (connections, tasks). Nothing for the local bus."""


def deliver_each(windows, frame: bytes, entries: list[tuple[object, str]]):
    for window in tuple(windows):  # a delivery may unsubscribe a window (stall)
        window.deliver(frame, entries)


class Windows:
    """The windows of this process, by room, and the delivery of one batch to them.

    ``deliver_all(windows, frame, entries)`` hands one batch to a room's windows; the default
    calls each window's ``deliver``. The hub passes the shell's unrolled form of it
    (``windowsink.deliver_batch``), which saves a call per window on the hot path.
    """

    def __init__(self, deliver_all=None):
        self.rooms: dict[str, set] = {}
        self.deliver_all = deliver_all or deliver_each

    def add(self, room: str, window: Window):
        self.rooms.setdefault(room, set()).add(window)

    def discard(self, room: str, window: Window):
        windows = self.rooms.get(room)
        if windows is not None:
            windows.discard(window)
            if not windows:
                del self.rooms[room]

    def deliver(self, room: str, entries: list[tuple[object, str]]):
        """Frame the batch once and hand the same bytes to every window of ``room``."""
        windows = self.rooms.get(room)
        if not windows:
            return
        frame = text_frame(batch_text([text for _, text in entries]).encode())
        self.deliver_all(windows, frame, entries)


class LocalBus(Bus):
    """The bus of one process. ``schedule(callback)`` runs the flush after the current
    event-loop pass (default: the running loop's ``call_soon``); tests pass their own.
    ``deliver_all``: see ``Windows``."""

    def __init__(
        self, schedule: Callable[[Callable[[], None]], object] | None = None, deliver_all=None
    ):
        self.windows = Windows(deliver_all)
        self.pending: dict[str, list[tuple[object, str]]] = {}
        self.scheduled = False
        self.published = 0
        self._schedule = schedule

    def subscribe(self, room: str, window: Window):
        self.windows.add(room, window)

    def unsubscribe(self, room: str, window: Window):
        self.windows.discard(room, window)

    def publish(self, room: str, text: str, key=None):
        self.published += 1
        batch = self.pending.get(room)
        if batch is None:
            self.pending[room] = [(key, text)]
        else:
            batch.append((key, text))
        self.flush_soon()

    def flush_soon(self):
        """Flush after the current event-loop pass (once, however often it is asked)."""
        if not self.scheduled:
            self.scheduled = True
            schedule = self._schedule or asyncio.get_running_loop().call_soon
            schedule(self.flush)

    def flush(self):
        """Deliver everything published since the last flush, one batch per room."""
        self.scheduled = False
        pending, self.pending = self.pending, {}
        deliver = self.windows.deliver
        for room, entries in pending.items():
            deliver(room, entries)
