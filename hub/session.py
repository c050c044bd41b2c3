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
"""

import hashlib
import logging

from . import game as rules
from .actions import NOTHING, CloseLink, Log, Refused, Send, Watch, refusal
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
from .logs import TokenBucket
from .relay import encode
from .rooms import RoomFull

JOIN_RATE, JOIN_BURST = 1.0, 5  # joins per second per window connection, and the burst


def player_id(token: str) -> str:
    """The public id of a window's player: a hash its resume token cannot be read back from."""
    return "k-" + hashlib.sha256(token.encode()).hexdigest()[:16]


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


class ControllerSession(Session):
    """A controller (or phone): hello first, within the deadline, then input and telemetry."""

    kind = "controller"

    def __init__(self, state, room_name, addr, now, wall):
        super().__init__(state, room_name, addr, now, wall)
        self.deadline = now + state.cfg.hello_timeout
        self.hello = None
        self.slot = None
        self.telemetry = {"rssi": 0, "battery_mv": 0, "heap_kb": 0}

    @property
    def playing(self) -> bool:
        return self.room is not None and not self.closed

    def timeout(self, now):
        return max(0.0, self.deadline - now) if self.hello is None else None

    def expire(self, now):
        if self.hello is None and now >= self.deadline:
            return self._refuse(
                Close.NO_HELLO, f"no hello within {self.state.cfg.hello_timeout:g} s"
            )
        return NOTHING

    def receive(self, data, now: float, t: float) -> tuple:
        if self.closed:
            return NOTHING
        try:
            if self.hello is None:
                return self._on_hello(data, now, t)
            self.meter.count(now)
            if type(data) is str:
                raise Refused(Close.WRONG_FRAME_KIND, "text frame on /ws/controller; send binary")
            frame = decode_controller(data)
            kind = frame["type"]
            if kind == "input":
                self.room.input(self.pid, frame, t)
            elif kind == "telemetry":
                del frame["type"]
                self.telemetry = frame
            else:
                raise Refused(Close.MALFORMED, "hello sent twice on one connection")
        except (Refused, ProtocolError) as exc:
            return self._refuse(exc.code, exc.reason)
        return NOTHING

    def _on_hello(self, data, now, t) -> tuple:
        if type(data) is str:
            raise Refused(Close.WRONG_FRAME_KIND, "text frame on /ws/controller; send binary")
        if not data or data[0] != T_HELLO:
            raise Refused(Close.NO_HELLO, "first message must be a hello (type 0x03)")
        self.hello = hello = decode_controller(data)
        pid = f"c-{hello['id']}"
        room = self.state.room(self.room_name)
        if room is None:
            raise Refused(Close.FULL, "hub has too many rooms; use an existing room")
        try:
            seat, prev = room.attach(pid, hello["kind"], hello["name"], self, t)
        except RoomFull as exc:
            raise Refused(Close.FULL, str(exc)) from None
        self.room, self.pid, self.slot = room, pid, seat.slot
        self.state.players[(self.room_name, pid)] = self
        # A room owned by another process (--redis) confirms the slot later: welcomed() then.
        out = [] if seat.pending else [Send(encode_welcome(seat.slot, room.color(pid)))]
        if prev is not None:
            out += prev.replaced()
        fields = {"kind": hello["kind"], "room": self.room_name, "id": hello["id"]}
        fields.update(name=hello["name"] or f"P{seat.slot + 1}", fw=hello["fw"], slot=seat.slot)
        fields.update(reset=hello["reset"], resumed=prev is not None or seat.grace_until > 0)
        out.append(Log("hello", logging.INFO, fields))
        return tuple(out)

    def welcomed(self, slot: int, color) -> Send:
        """The welcome, once the room's owner has given this player its slot (--redis)."""
        self.slot = slot
        return Send(encode_welcome(slot, color), to=self)

    def feedback(self, kind: int, ms: int) -> Send:
        return Send(encode_feedback(kind, ms), to=self)

    def replaced(self) -> tuple:
        """Another connection took this player: close this one (its leaving starts no grace)."""
        self.room = None
        self.closed = True
        reason = "the same device id connected again; this one closes"
        return (CloseLink(Close.REPLACED, reason, self),)

    def leave(self, now):
        key = (self.room_name, self.pid)
        if self.state.players.get(key) is self:
            del self.state.players[key]
            room = self.state.rooms.get(self.room_name)
            if room is not None:
                room.detach(self.pid, self, now)

    def info(self, now: float, wall: float) -> dict:
        h = self.hello or {}
        room = self.state.rooms.get(self.room_name)
        player = room.game.players.get(self.pid) if room else None
        return {
            "name": player.name if player else h.get("name"),
            "id": h.get("id"),
            "player": self.pid,
            "kind": h.get("kind"),
            "fw": h.get("fw"),
            "reset": h.get("reset"),
            "slot": self.slot,
            **self.telemetry,
            "fps": self.meter.per_s(now),
            "frames": self.meter.frames,
            "connected_s": round(wall - self.since, 1),
        }


BOT_CALLS_PER_S, BOT_CALLS_BURST = 2.0, 4


class WindowSession(Session):
    """A browser window: watches a room; may join it as a keyboard player, chat and ping."""

    kind = "window"

    def __init__(self, state, room_name, addr, now, wall, wid: str):
        super().__init__(state, room_name, addr, now, wall)
        self.id = wid
        self.name = None
        # Bot changes from the lobby: a few clicks at once, then one every half second.
        self.bot_calls = TokenBucket(BOT_CALLS_PER_S, BOT_CALLS_BURST, now)
        self.joins = TokenBucket(JOIN_RATE, JOIN_BURST, now)  # each join is news to every window

    def open(self, now: float, t: float) -> tuple:
        """The first messages: welcome and the full state, then the room's messages."""
        self.room = room = self.state.room(self.room_name)
        if room is None:
            return self._refuse(Close.FULL, "hub has too many rooms; use an existing room")
        welcome = {
            "type": "welcome",
            "proto": PROTO,
            "room": self.room_name,
            "window": self.id,
            "arena": {"w": rules.ARENA_W, "h": rules.ARENA_H},
            "tick_hz": rules.TICK_HZ,
            "state_hz": room.state_hz,
            "rules": room.game.wire_rules(),  # constants and the map
            "hub_t": t,
            "phone_url": self.state.phone_url(self.room_name),
        }
        fields = {"room": self.room_name, "window": self.id, "addr": self.addr}
        return (
            Send(encode(room.stamp(welcome, t))),
            Send(encode(room.full_state(t))),
            Send(encode(room.stamp(room.backlog.message(), t))),  # recent chat and kill feed
            Watch(self.room_name),
            Log("window_open", logging.INFO, fields),
        )

    def receive(self, data, now: float, t: float) -> tuple:
        if self.closed:
            return NOTHING
        try:
            self.meter.count(now)
            if type(data) is not str:
                raise Refused(Close.WRONG_FRAME_KIND, "binary frame on /ws/window; send JSON text")
            return self._on_message(decode_window(data), now, t)
        except (Refused, ProtocolError) as exc:
            return self._refuse(exc.code, exc.reason)

    def _on_message(self, msg, now, t) -> tuple:
        kind = msg["type"]
        room = self.room
        if kind == "input":
            if self.pid is not None:  # a spectator's (or replaced tab's) input is ignored
                room.input(self.pid, msg, t, msg.get("aim"))
        elif kind == "ping":
            pong = room.stamp({"type": "pong", "id": msg["id"]}, t)
            pong["t"], pong["hub_t"] = msg["t"], t  # pong echoes the window's clock
            return (Send(encode(pong)),)
        elif kind == "message":
            room.chat(self.chat_name(), msg["text"], t)
        elif kind == "join":
            return self._join(msg, now, t)
        elif kind == "bots":
            return self._bots(msg["count"], now, t)
        return NOTHING

    def chat_name(self) -> str:
        """The player's name as the room has it now (--redis: a follower learns the unique
        name the owner gave, e.g. "Kim 2", from its states), else the last one, else the id."""
        player = self.room.game.players.get(self.pid) if self.pid is not None else None
        return player.name if player is not None else self.name or f"window {self.id}"

    def _bots(self, count, now, t) -> tuple:
        """Any window of the room may set its bots (a LAN party's lobby), within 0..MAX_BOTS
        (the codec) and a per-window rate; a call over the rate is answered, not applied."""
        if not self.bot_calls.take(now):
            text = "Too many bot changes; wait a moment."
            note = {"type": "message", "from": "hub", "system": True, "text": text}
            return (Send(encode(self.room.stamp(note, t))),)
        if not self.room.set_bots(count, self.room.make_bots, t):
            return NOTHING
        fields = {"room": self.room_name, "window": self.id, "bots": count}
        return (Log("bots", logging.INFO, fields),)

    def _join(self, msg, now, t) -> tuple:
        """Play as a keyboard/gamepad player: one seat per connection, resumable by token.

        The token is the secret: ``id`` if given, else a random one the hub makes (144 bits).
        The public player id is a one-way hash of it (``player_id``), so ids seen in states,
        /healthz or the dashboard resume nothing. The "joined" answer, to this window only,
        carries both. A second join with another token releases this connection's earlier
        player at once (no grace), so one connection never holds two seats.
        """
        if not self.joins.take(now):
            raise Refused(
                Close.RATE_LIMIT, f"more than {JOIN_BURST} joins in a row; join once, then play"
            )
        room = self.room
        token = msg["id"] or self.state.new_token()
        pid = player_id(token)
        if self.pid is not None and self.pid != pid:
            if self.pid in room.seats and room.seats[self.pid].owner is self:
                room.remove(self.pid, t)
            self.pid = None
        try:
            _, prev = room.attach(pid, msg["kind"], msg["name"], self, t)
        except RoomFull as exc:
            raise Refused(Close.FULL, str(exc)) from None
        out = []
        if prev is not None and prev is not self:
            out += prev.replaced()  # the token's holder (a reloaded tab) takes the player over
        self.pid = pid
        self.name = room.game.players[pid].name
        joined = room.stamp({"type": "joined", "player": pid, "token": token}, t)
        out.append(Send(encode(joined)))
        fields = {"room": self.room_name, "window": self.id, "player": pid, "name": self.name}
        out.append(Log("join", logging.INFO, fields))
        return tuple(out)

    def replaced(self) -> tuple:
        self.pid = None
        return NOTHING

    def leave(self, now):
        if self.pid is not None and self.room_name in self.state.rooms:
            self.state.rooms[self.room_name].detach(self.pid, self, now)
        self.pid = None

    def info(self, now: float, wall: float) -> dict:
        return {
            "id": self.id,
            "player": self.pid,
            "fps_in": self.meter.per_s(now),
            "connected_s": round(wall - self.since, 1),
        }
