"""The asyncio shell around sessions: one ``Link`` per WebSocket connection.

A link feeds its session what arrives and the passing of time, and carries out the actions it
gets back: sends, closes (as tasks the hub keeps until they finish), bus subscriptions and log
lines. It reads the clocks; the session does not. Everything it does to the connection beyond
the library's public API goes through hub/wsshell.py.
"""

import asyncio
import logging
import time
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed

from .actions import CloseLink, Log, Send, Watch
from .codec import Close
from .logs import event
from .windowsink import WindowSink
from .wsshell import bound_send_buffer, close_within, is_open, send_now


def peer(conn) -> str:
    addr = conn.remote_address or ("?", 0)
    return f"{addr[0]}:{addr[1]}"


def now_ms() -> float:
    return time.time() * 1000


class Link:
    """One connection and its session (None while it is being refused)."""

    def __init__(self, hub, conn, session=None):
        self.hub, self.conn, self.session = hub, conn, session
        self.sink: WindowSink | None = None
        self.closing: asyncio.Task | None = None

    @property
    def room_name(self):
        return self.session.room_name

    def run(self, actions):
        """Carry out ``actions``; an action for another session goes to that session's link."""
        for a in actions:
            to = getattr(a, "to", None)
            link = self if to is None or to is self.session else self.hub.link_of(to)
            if link is not None:
                link.apply(a)

    def apply(self, a):
        if type(a) is Send:
            if self.sink is not None:
                self.sink.send(a.data, a.key)
            elif not is_open(self.conn):
                pass
            elif self.hub.fast:
                send_now(self.conn, a.data)
            else:
                self.hub.spawn(self.conn.send(a.data))
        elif type(a) is CloseLink:
            self.close(a.code, a.reason)
        elif type(a) is Log:
            if not a.limited or self.hub.bad_log.allow():
                event(a.event, a.level, **a.fields)
        elif type(a) is Watch:
            self.watch(a.room)

    def watch(self, room):
        self.hub.bus.subscribe(room, self.sink)

    def close(self, code, reason):
        """Start the close handshake once, bounded (wsshell.close_within); the hub keeps the
        task until it is done."""
        self.conn.on_binary = None
        if self.sink is not None:
            self.hub.bus.unsubscribe(self.session.room_name, self.sink)
        if self.closing is None:
            self.closing = self.hub.spawn(close_within(self.conn, code, reason))

    def on_binary(self, payload):
        """A frame from the short way in: the same session, the same actions."""
        actions = self.session.receive(payload, time.monotonic(), now_ms())
        if actions:
            self.run(actions)

    def stalled(self, sink, reason):
        if self.hub.bad_log.allow():
            event("window_stalled", logging.WARNING, window=self.session.id, **sink.lag())
        self.close(Close.TOO_SLOW, reason)

    def info(self) -> dict:
        out = self.session.info(time.monotonic(), time.time())
        out["rtt_ms"] = round(self.conn.latency * 1000, 2)
        out["addr"] = peer(self.conn)
        if self.sink is not None:
            out.update(self.sink.lag())
        return out

    async def serve(self):
        """Feed the session until the connection ends."""
        session, conn = self.session, self.conn
        if session.kind == "window":
            bound_send_buffer(conn)
            self.sink = WindowSink(
                conn, stall_s=self.hub.cfg.stall_timeout, on_stall=self.stalled,
                direct=self.hub.fast,
            )  # fmt: skip
            self.run(session.open(time.monotonic(), now_ms()))
            self.sink.start()  # read checks: a window that stops reading is seen at once
        fast, hooked = self.hub.fast, False
        while not session.closed:
            timeout = session.timeout(time.monotonic())
            try:
                data = await asyncio.wait_for(conn.recv(), timeout)
            except TimeoutError:
                self.run(session.expire(time.monotonic()))
                continue
            self.run(session.receive(data, time.monotonic(), now_ms()))
            if fast and not hooked and session.kind == "controller" and session.playing:
                conn.on_binary = self.on_binary  # frames now skip the library's queue
                hooked = True
        if self.closing is not None:
            await self.closing


async def handle(hub, conn):
    """Entry point for every WebSocket connection."""
    url = urlsplit(conn.request.path)
    query = parse_qs(url.query)
    room = query.get("room", [hub.cfg.room])[0]
    code = query.get("code", [""])[0]
    addr = peer(conn)
    session, refused = hub.state.admit(url.path, room, code, addr, time.monotonic(), time.time())
    link = Link(hub, conn, session)
    if session is None:
        link.run(refused)  # refused at the door: the rate-limited "rejected" line is its only line
        await link.closing
        return
    hub.links[session] = link
    event("connect", kind=session.kind, room=room, addr=addr)
    try:
        await link.serve()
    except ConnectionClosed as exc:
        if exc.sent is not None and exc.sent.code == Close.TOO_BIG and hub.bad_log.allow():
            event("rejected", logging.WARNING, kind=session.kind, addr=addr, code=1009,
                  reason=exc.sent.reason)  # fmt: skip
    finally:
        conn.on_binary = None
        del hub.links[session]
        if link.sink is not None:
            link.sink.close()
            hub.bus.unsubscribe(room, link.sink)
        last = hub.state.release(session, time.monotonic(), conn.close_code, conn.close_reason)
        link.run(last)
