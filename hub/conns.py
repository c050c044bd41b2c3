"""Per-connection handlers: parse, validate, call the room, answer. One log line per event."""

import asyncio
import hmac
import itertools
import logging
import socket
import time
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed

from . import game as rules
from .codec import (
    PROTO,
    T_HELLO,
    Close,
    ProtocolError,
    decode_controller,
    decode_window,
    encode_feedback,
    encode_welcome,
)
from .fastin import HubConnection
from .logs import TokenBucket, event
from .relay import WindowSink
from .rooms import ROOM_NAME, RoomFull

_window_ids = itertools.count(1)
WINDOW_SNDBUF = 64 * 1024


def now_ms() -> float:
    return time.time() * 1000


def peer(conn) -> str:
    addr = conn.remote_address or ("?", 0)
    return f"{addr[0]}:{addr[1]}"


class Rejected(Exception):
    def __init__(self, code, reason):
        super().__init__(reason)
        self.code, self.reason = code, reason


class Base:
    kind = "?"

    def __init__(self, hub, conn, room_name):
        self.hub, self.conn, self.room_name = hub, conn, room_name
        self.room = None
        self.bucket = TokenBucket(hub.cfg.rate, hub.cfg.rate, time.monotonic())
        self.since = time.time()
        self.frames = 0
        self.fps = 0.0
        self._win_start, self._win_count = time.monotonic(), 0

    def count_frame(self, now):
        self.frames += 1
        self._win_count += 1
        if now - self._win_start >= 1.0:
            self.fps = self._win_count / (now - self._win_start)
            self._win_start, self._win_count = now, 0
        if not self.bucket.take(now):
            raise Rejected(
                Close.RATE_LIMIT,
                f"more than {self.hub.cfg.rate:g} messages/s; send at most 100 input frames/s",
            )

    def frames_per_s(self):
        if time.monotonic() - self._win_start > 2.0:
            return 0.0
        return round(self.fps, 1)

    def rtt_ms(self):
        return round(self.conn.latency * 1000, 2)


class ControllerConn(Base):
    kind = "controller"

    def __init__(self, hub, conn, room_name):
        super().__init__(hub, conn, room_name)
        self.hello = None
        self.pid = None
        self.slot = None
        self.telemetry = {"rssi": 0, "battery_mv": 0, "heap_kb": 0}
        self.failed = None  # an error raised on the short way in, re-raised by run()

    async def run(self):
        try:
            first = await asyncio.wait_for(self.conn.recv(), self.hub.cfg.hello_timeout)
        except TimeoutError:
            raise Rejected(
                Close.NO_HELLO, f"no hello within {self.hub.cfg.hello_timeout:g} s"
            ) from None
        if isinstance(first, str):
            raise Rejected(Close.WRONG_FRAME_KIND, "text frame on /ws/controller; send binary")
        if not first or first[0] != T_HELLO:
            raise Rejected(Close.NO_HELLO, "first message must be a hello (type 0x03)")
        self.hello = hello = decode_controller(first)
        self.pid = f"c-{hello['id']}"
        self.room = self.hub.room(self.room_name)
        if self.room is None:
            raise Rejected(Close.FULL, "hub has too many rooms; use an existing room")
        try:
            seat, prev = self.room.attach(self.pid, hello["kind"], hello["name"], self, now_ms())
        except RoomFull as exc:
            raise Rejected(Close.FULL, str(exc)) from None
        self.slot = seat.slot
        self.hub.players[(self.room_name, self.pid)] = self
        if prev is not None:
            prev.replaced()
        await self.conn.send(encode_welcome(seat.slot, self.room.color(self.pid)))
        event(
            "hello",
            kind=hello["kind"],
            room=self.room_name,
            id=hello["id"],
            name=hello["name"] or f"P{seat.slot + 1}",
            fw=hello["fw"],
            slot=seat.slot,
            reset=hello["reset"],
            resumed=prev is not None or seat.grace_until > 0,
        )
        conn = self.conn
        if isinstance(conn, HubConnection):
            conn.on_binary = self.on_binary  # frames now skip the library's queue (fastin.py)
        try:
            async for data in conn:
                self.on_frame(data)
        except ConnectionClosed:
            if self.failed is None:
                raise
        finally:
            conn.on_binary = None
        if self.failed is not None:
            raise self.failed

    def on_frame(self, data):
        now = time.monotonic()
        self.count_frame(now)
        if isinstance(data, str):
            raise Rejected(Close.WRONG_FRAME_KIND, "text frame on /ws/controller; send binary")
        frame = decode_controller(data)
        kind = frame["type"]
        if kind == "input":
            self.room.input(self.pid, frame, now_ms())
        elif kind == "telemetry":
            del frame["type"]
            self.telemetry = frame
        else:
            raise Rejected(Close.MALFORMED, "hello sent twice on one connection")

    def on_binary(self, data):
        """A frame from the short way in: the same checks; a refusal closes as run() would."""
        if self.failed is not None:
            return
        try:
            self.on_frame(data)
        except Exception as exc:  # re-raised by run(), so handle() logs and closes as usual
            self.failed = exc
            self.conn.on_binary = None
            refused = isinstance(exc, (Rejected, ProtocolError))
            code, reason = (exc.code, exc.reason) if refused else (1011, "hub error")
            asyncio.ensure_future(self.conn.close(code, reason))

    def send_feedback(self, kind, ms):
        if self.conn.protocol.state.name == "OPEN":
            asyncio.ensure_future(self.conn.send(encode_feedback(kind, ms)))

    def replaced(self):
        self.room = None  # our leaving must not start the grace period
        asyncio.ensure_future(
            self.conn.close(Close.REPLACED, "the same device id connected again; this one closes")
        )

    def leave(self):
        key = (self.room_name, self.pid)
        if self.hub.players.get(key) is self:
            del self.hub.players[key]
            self.hub.rooms[self.room_name].detach(self.pid, self, time.monotonic())

    def player_name(self):
        room = self.hub.rooms.get(self.room_name)
        player = room.game.players.get(self.pid) if room else None
        return player.name if player else (self.hello or {}).get("name")

    def info(self):
        h = self.hello or {}
        return {
            "name": self.player_name(),
            "id": h.get("id"),
            "player": self.pid,
            "kind": h.get("kind"),
            "fw": h.get("fw"),
            "reset": h.get("reset"),
            "slot": self.slot,
            **self.telemetry,
            "fps": self.frames_per_s(),
            "frames": self.frames,
            "rtt_ms": self.rtt_ms(),
            "addr": peer(self.conn),
            "connected_s": round(time.time() - self.since, 1),
        }


class WindowConn(Base):
    kind = "window"

    def __init__(self, hub, conn, room_name):
        super().__init__(hub, conn, room_name)
        self.id = f"w{next(_window_ids)}"
        self.sink = None
        self.pid = None
        self.name = None

    async def run(self):
        self.room = room = self.hub.room(self.room_name)
        if room is None:
            raise Rejected(Close.FULL, "hub has too many rooms; use an existing room")
        sock = self.conn.transport.get_extra_info("socket")
        if sock is not None:  # bound what the kernel hides, so "behind" is seen and acted on
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, WINDOW_SNDBUF)
        sink = self.sink = WindowSink(
            self.conn, self.id, stall_s=self.hub.cfg.stall_timeout, on_stall=self.stalled
        )
        t = now_ms()
        sink.send(
            room.stamp(
                {
                    "type": "welcome",
                    "proto": PROTO,
                    "room": self.room_name,
                    "window": self.id,
                    "arena": {"w": rules.ARENA_W, "h": rules.ARENA_H},
                    "tick_hz": rules.TICK_HZ,
                    "state_hz": room.state_hz,
                    "rules": room.game.wire_rules(),  # constants and the map
                    "hub_t": t,
                    "phone_url": self.hub.phone_url(self.room_name),
                },
                t,
            )
        )
        sink.send(room.full_state(t))
        self.hub.fanout.subscribe(self.room_name, sink)
        event("window_open", room=self.room_name, window=self.id, addr=peer(self.conn))
        async for data in self.conn:
            now = time.monotonic()
            self.count_frame(now)
            if not isinstance(data, str):
                raise Rejected(Close.WRONG_FRAME_KIND, "binary frame on /ws/window; send JSON text")
            self.on_message(decode_window(data))

    def on_message(self, msg):
        kind = msg["type"]
        room = self.room
        if kind == "input":
            if self.pid is not None:  # a spectator's (or replaced tab's) input is ignored
                room.input(self.pid, msg, now_ms(), msg.get("aim"))
        elif kind == "ping":
            t = now_ms()
            pong = room.stamp({"type": "pong", "id": msg["id"]}, t)
            pong["t"], pong["hub_t"] = msg["t"], t  # pong echoes the window's clock
            self.sink.send(pong)
        elif kind == "message":
            room.chat(self.name or f"window {self.id}", msg["text"], now_ms())
        elif kind == "join":
            pid = f"k-{msg['id'] or self.id}"
            if self.pid is not None and self.pid != pid:
                room.detach(self.pid, self, time.monotonic())
            try:
                seat, prev = room.attach(pid, msg["kind"], msg["name"], self, now_ms())
            except RoomFull as exc:
                raise Rejected(Close.FULL, str(exc)) from None
            if prev is not None and prev is not self:
                prev.replaced()  # another tab with the same join id takes the player over
            self.pid = pid
            self.name = room.game.players[pid].name
            event("join", room=self.room_name, window=self.id, player=pid, name=self.name)

    def stalled(self, sink, reason):
        self.hub.fanout.unsubscribe(self.room_name, sink)
        if self.hub.bad_log.allow():
            event("window_stalled", logging.WARNING, window=self.id, **sink.lag())
        asyncio.ensure_future(self.conn.close(Close.TOO_SLOW, reason))

    def replaced(self):
        self.pid = None

    def leave(self):
        if self.sink is not None:
            self.sink.close()
            self.hub.fanout.unsubscribe(self.room_name, self.sink)
        if self.pid is not None and self.room_name in self.hub.rooms:
            self.hub.rooms[self.room_name].detach(self.pid, self, time.monotonic())

    def info(self):
        return {
            "id": self.id,
            "player": self.pid,
            "rtt_ms": self.rtt_ms(),
            "fps_in": self.frames_per_s(),
            "addr": peer(self.conn),
            "connected_s": round(time.time() - self.since, 1),
            **(self.sink.lag() if self.sink else {}),
        }


async def handle(hub, conn):
    """Entry point for every WebSocket connection."""
    url = urlsplit(conn.request.path)
    query = parse_qs(url.query)
    room_name = query.get("room", [hub.cfg.room])[0]
    code = query.get("code", [""])[0]
    cls = ControllerConn if url.path == "/ws/controller" else WindowConn
    c = cls(hub, conn, room_name)
    registry = hub.controllers if cls is ControllerConn else hub.windows
    close, registered = None, False
    try:
        if len(hub.controllers) + len(hub.windows) >= hub.cfg.max_connections:
            raise Rejected(Close.FULL, f"hub full ({hub.cfg.max_connections} connections)")
        if not ROOM_NAME.fullmatch(room_name):
            raise Rejected(Close.MALFORMED, "room must be 1-32 characters of a-z A-Z 0-9 _ -")
        if not code:
            raise Rejected(Close.BAD_CODE, "pairing code missing: add ?code=<6 digits>")
        if not hmac.compare_digest(code.encode(), hub.cfg.pairing_code.encode()):
            raise Rejected(Close.BAD_CODE, "wrong pairing code; use the code the hub printed")
        registry[conn] = c
        registered = True
        event("connect", kind=cls.kind, room=room_name, addr=peer(conn))
        await c.run()
    except (Rejected, ProtocolError) as exc:
        close = (exc.code, exc.reason)
    except ConnectionClosed as exc:
        if exc.sent is not None and exc.sent.code == Close.TOO_BIG and hub.bad_log.allow():
            event("rejected", logging.WARNING, kind=cls.kind, addr=peer(conn), code=1009,
                  reason=exc.sent.reason)  # fmt: skip
    finally:
        registry.pop(conn, None)
        c.leave()
    if close is not None:
        if hub.bad_log.allow():
            event(
                "rejected",
                logging.WARNING,
                kind=cls.kind,
                addr=peer(conn),
                code=int(close[0]),
                reason=close[1],
            )
        await conn.close(close[0], close[1])
    if not registered:
        return  # refused at the door: the rate-limited "rejected" line is its only line
    rcvd, sent = conn.close_code, conn.close_reason
    event(
        "disconnect",
        kind=cls.kind,
        room=room_name,
        addr=peer(conn),
        code=rcvd if rcvd is not None else (close[0] if close else None),
        reason=sent or (close[1] if close else ""),
        frames=c.frames,
    )
