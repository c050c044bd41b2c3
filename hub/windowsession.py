"""A browser window's connection: the welcome and full state first, then the room's messages;
it may join as a keyboard player, chat, ping and set the room's bots. No I/O (hub/session.py)."""

import hashlib
import logging

from . import game as rules
from .actions import NOTHING, Log, Refused, Send, Watch
from .codec import PROTO, Close, ProtocolError, decode_window
from .logs import TokenBucket
from .relay import encode
from .rooms import RoomFull
from .session import Session

JOIN_RATE, JOIN_BURST = 1.0, 5  # joins per second per window connection, and the burst
BOT_CALLS_PER_S, BOT_CALLS_BURST = 2.0, 4


def player_id(token: str) -> str:
    """The public id of a window's player: a hash its resume token cannot be read back from."""
    return "k-" + hashlib.sha256(token.encode()).hexdigest()[:16]


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
        hello = Send(encode(room.stamp(welcome, t)))
        note = self.state.link_status(room, t)  # cut off from Redis: said before the state
        notes = () if note is None else (Send(encode(note)),)
        return (
            hello,
            *notes,
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
