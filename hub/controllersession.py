"""A controller's connection (ESP32 or phone): hello first, within the deadline, then input
and telemetry frames, fed to its seat in the room. No I/O (hub/session.py)."""

import logging

from .actions import NOTHING, CloseLink, Log, Refused, Send
from .codec import T_HELLO, Close, ProtocolError, decode_controller, encode_feedback, encode_welcome
from .rooms import RoomFull
from .session import Session


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
