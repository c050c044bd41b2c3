"""What one hub process knows, without I/O: its rooms, connections and players.

``HubState`` replaces the old bag of dicts on the server object. The shell asks it to ``admit``
a connection (limits, room name, pairing code), hands each session's actions to the network,
steps every room with ``tick(now, t)`` and runs the actions that come back (feedback for
controllers a shot hit). Rooms publish through the ``publish(room, text, key)`` callable given
here, which is the bus's (hub/bus.py).
"""

import functools
import itertools
import secrets

from . import game as rules
from . import maps
from .actions import refusal
from .bots import RoomBots
from .codec import Close
from .config import Config
from .controllersession import ControllerSession
from .pairing import CodeCheck
from .rooms import ROOM_NAME, Room
from .windowsession import WindowSession

PATHS = {"/ws/controller": "controller", "/ws/window": "window"}


class HubState:
    def __init__(self, cfg: Config, publish, room_class=Room):
        self.cfg = cfg
        self.room_class = room_class  # SharedRoom with --redis (hub/cluster.py)
        self.publish = publish  # bus.publish(room, text, key)
        self.rooms: dict[str, Room] = {}
        self.controllers: set[ControllerSession] = set()
        self.windows: set[WindowSession] = set()
        self.watching: dict[str, int] = {}  # room -> windows of this process in it
        self.players: dict[tuple[str, str], ControllerSession] = {}  # (room, pid) -> session
        self.pending: list = []  # actions raised outside of a session's own call (feedback)
        self.public_host, self.port = cfg.host, cfg.port
        self._window_ids = itertools.count(1)
        self.codes = CodeCheck(lambda: cfg.pairing_code)  # wrong codes throttled per address
        # A window's note after its welcome while this process is cut off from Redis (cluster.py)
        self.link_status = lambda room, t: None
        self.room(cfg.room)  # the default room is always there, with or without players

    # Rooms -------------------------------------------------------------------------------------

    def room(self, name: str) -> Room | None:
        """The room called ``name``, made on first use; None when the hub has too many."""
        room = self.rooms.get(name)
        if room is None:
            if len(self.rooms) >= self.cfg.max_rooms:
                return None
            room = self.rooms[name] = self.new_room(name)
        return room

    def new_room(self, name: str) -> Room:
        cfg = self.cfg
        room = self.room_class(
            name,
            publish=functools.partial(self.publish, name),
            feedback=functools.partial(self.feedback, name),
            grace_s=cfg.grace,
            state_hz=cfg.state_hz,
            game=rules.Game(
                score_limit=cfg.score_limit,
                round_ms=cfg.round_seconds * 1000,
                arena=maps.load(cfg.map),
                lobby=cfg.lobby,
            ),
        )
        room.make_bots = functools.partial(RoomBots, room.game.arena, level=cfg.bot_level)
        if cfg.bots:
            room.bots = room.make_bots(cfg.bots)
        return room

    def feedback(self, room: str, pid: str, kind: int, ms: int):
        session = self.players.get((room, pid))
        if session is not None and not session.closed:
            self.pending.append(session.feedback(kind, ms))

    def tick(self, now: float, t: float) -> list:
        """Step every room to ``now``; drop empty rooms; return actions for other sessions."""
        for name, room in list(self.rooms.items()):
            room.tick(now, t)
            if room.idle() and name != self.cfg.room and not self.watching.get(name):
                del self.rooms[name]
        out, self.pending = self.pending, []
        return out

    def new_token(self) -> str:
        """A window player's resume token: random, 24 characters (its own randomness source)."""
        return secrets.token_urlsafe(18)

    def phone_url(self, room: str) -> str:
        q = f"?room={room}&code={self.cfg.pairing_code}" if room else ""
        return f"http://{self.public_host}:{self.port}/phone{q}"

    # Connections -------------------------------------------------------------------------------

    def admit(self, path: str, room: str, code: str, addr: str, now: float, wall: float):
        """A new WebSocket connection: ``(session, ())`` or ``(None, refusal actions)``."""
        kind = PATHS.get(path, "window")
        cfg = self.cfg
        why = None
        if len(self.controllers) + len(self.windows) >= cfg.max_connections:
            why = (Close.FULL, f"hub full ({cfg.max_connections} connections)")
        elif not ROOM_NAME.fullmatch(room):
            why = (Close.MALFORMED, "room must be 1-32 characters of a-z A-Z 0-9 _ -")
        elif (bad := self.codes.refuse(addr.rsplit(":", 1)[0], code, now)) is not None:
            why = (Close.BAD_CODE, bad)  # throttled per address (pairing.py, guard.py)
        if why is not None:
            return None, refusal(kind, addr, *why)
        if kind == "controller":
            session = ControllerSession(self, room, addr, now, wall)
            self.controllers.add(session)
        else:
            session = WindowSession(self, room, addr, now, wall, f"w{next(self._window_ids)}")
            self.windows.add(session)
            self.watching[room] = self.watching.get(room, 0) + 1
        return session, ()

    def release(self, session, now: float, code=None, reason=None) -> tuple:
        """The connection of ``session`` has ended; returns its last actions (the log line)."""
        if session in self.windows:
            self.windows.discard(session)
            left = self.watching.get(session.room_name, 0) - 1
            if left > 0:
                self.watching[session.room_name] = left
            else:
                self.watching.pop(session.room_name, None)
        self.controllers.discard(session)
        return session.disconnected(now, code, reason)
