"""Connection rules without I/O: one session per WebSocket connection.

After python-websockets' ``Protocol``: a session is fed what arrives (``receive(data, now, t)``)
and the passing of time (``expire(now)``), and returns what the shell must do, as a tuple of
actions (hub/actions.py): ``Send`` bytes or text, ``CloseLink`` with a code and a reason,
``Watch`` a room (start delivering its messages to this window), ``Log`` an event. An action
with ``to`` set is for another session's connection (a replaced controller, a hit controller's
feedback). Sessions act on their room directly (rooms are plain objects too) and the room
publishes through the bus. No socket, clock, or asyncio here: ``now`` is monotonic seconds and
``t`` Unix ms, both passed in.

A refused frame returns ``Log("rejected")`` (rate-limited by the shell) and ``Close``; the
session is then ``closed`` and ignores everything after.

What every session shares is here (``Session``, the ``Meter``); the two kinds are
``ControllerSession`` (hub/controllersession.py) and ``WindowSession`` (hub/windowsession.py).
"""

import logging

from .actions import NOTHING, CloseLink, Log, Refused, refusal
from .codec import Close
from .logs import TokenBucket


class Meter:
    """Frames counted, frames per second over ~1 s windows, and the rate limit."""

    def __init__(self, rate: float, now: float):
        self.rate = rate
        self.bucket = TokenBucket(rate, rate, now)
        self.frames, self.fps = 0, 0.0
        self._start, self._count = now, 0

    def count(self, now: float):
        self.frames += 1
        self._count += 1
        if now - self._start >= 1.0:
            self.fps = self._count / (now - self._start)
            self._start, self._count = now, 0
        if not self.bucket.take(now):
            raise Refused(
                Close.RATE_LIMIT,
                f"more than {self.rate:g} messages/s; send at most 100 input frames/s",
            )

    def per_s(self, now: float) -> float:
        return 0.0 if now - self._start > 2.0 else round(self.fps, 1)


class Session:
    kind = "?"

    def __init__(self, state, room_name: str, addr: str, now: float, wall: float):
        self.state, self.room_name, self.addr = state, room_name, addr
        self.room = None
        self.pid = None
        self.meter = Meter(state.cfg.rate, now)
        self.since = wall  # Unix seconds, for "connected_s"
        self.refused = None  # (code, reason) once a rule said no
        self.closed = False

    def _refuse(self, code, reason) -> tuple:
        if self.closed:
            return NOTHING
        self.closed = True
        self.refused = (code, reason)
        return refusal(self.kind, self.addr, code, reason)

    def refused_later(self, code, reason) -> tuple:
        """A rule said no after this session's own call returned (--redis: the room's owner
        found the room full): the same close as then, addressed to this session's link."""
        return tuple(CloseLink(a.code, a.reason, self) for a in self._refuse(code, reason)
                     if type(a) is CloseLink)  # fmt: skip

    def timeout(self, now: float) -> float | None:
        """Seconds until ``expire`` must be called, or None."""
        return None

    def expire(self, now: float) -> tuple:
        return NOTHING

    def disconnected(self, now: float, code, reason) -> tuple:
        """The link is gone: let go of the player (grace starts) and say so in the log."""
        self.leave(now)
        if self.refused is not None:
            code = code if code is not None else self.refused[0]
            reason = reason or self.refused[1]
        fields = {"kind": self.kind, "room": self.room_name, "addr": self.addr, "code": code}
        fields.update(reason=reason or "", frames=self.meter.frames)
        return (Log("disconnect", logging.INFO, fields),)

    def leave(self, now):
        raise NotImplementedError
