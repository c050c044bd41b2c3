"""A room shared by several hub processes (``--redis``): the game runs where the lease is.

``SharedRoom`` is a ``Room`` that is either **owned** (this process holds the room's lease: it
steps the game, publishes, and applies what other processes forward) or **followed** (another
process owns it, or nobody does yet). Sessions call the same methods either way, so they do not
know which it is. While followed:

- ``attach`` / ``input`` / ``detach`` / ``chat`` are sent to the owner as ops (``forward``:
  the room's input stream, hub/redisbus.py). ``attach`` answers at once with the player's slot
  and colour: the one the room's last state gives the player, or the lowest slot free in it,
  which the owner keeps if it is still free when the op arrives.
- the game is not stepped; ``full_state`` is the last state seen on the bus (the bus sends the
  stored latest state to a new window as soon as it subscribes).
- ``stamp`` does not count: a window's own messages (welcome, pong) carry the last ``seq`` seen.

While owned, what concerns a client on another process goes back to that process as an op, so
that client gets what it would get here (hub/remoteclients.py: feedback, a replaced or refused
connection).

No I/O here: ``forward(room, op)`` and ``tell(room, op)`` are given, and ``owner.py`` calls
``take`` / ``lose``.
"""

import itertools
import json

from . import snapshot
from .remoteclients import RemoteClients, RemoteConn
from .rooms import MAX_PLAYERS, PALETTE, Room, RoomFull, Seat, hex_color


class SharedRoom(RemoteClients, Room):
    def __init__(self, name, publish, feedback, forward, tell=None, later=None, **kw):
        super().__init__(name, publish, self._feedback, **kw)
        self.local_feedback = feedback  # feedback(pid, kind, ms) for a controller here
        self.forward = forward  # forward(room_name, op_dict): to the owner
        self.send_op = tell or (lambda room, op: None)  # tell(room_name, op): to op["to"]
        self.later = later or (lambda action: None)  # later(action): run by the hub's clock
        self.attaches = itertools.count(1)
        self.info: dict | None = None  # followed: the owner's summary, from the room registry
        self.elsewhere: set[str] = set()  # other processes with clients in it (the registry)
        self.owned = False
        self.lease = None
        self.last_state: dict | None = None  # followed: the newest state seen on the bus
        self.last_heard = float("-inf")  # monotonic time of the owner's last message
        self.remote: dict[tuple[str, str], RemoteConn] = {}
        self.asked: dict[tuple[str, str], float] = {}  # (process, pid) -> when we asked again
        self._want_slot = None

    # Followed: what the bus shows us -----------------------------------------------------------

    def seen(self, seq: int, state_text: str | None, created=()):
        """The bus delivered messages up to ``seq`` from the owner: maybe a full state, and the
        ``created`` players (``create_player``'s player dicts). Confirms waiting players."""
        if self.owned:
            return
        self.seq = max(self.seq, seq)
        players = list(created)
        if state_text is not None:
            self.last_state = json.loads(state_text)
            players += self.last_state.get("players", ())
        for p in players:
            mirror = self.game.players.get(p.get("id"))
            if mirror is not None and isinstance(p.get("name"), str):
                mirror.name = p["name"]  # the owner's (unique) name, for chat lines from here
            seat = self.seats.get(p.get("id"))
            if seat is not None and seat.pending and isinstance(p.get("slot"), int):
                seat.pending = False
                seat.slot = p["slot"]
                if hasattr(seat.owner, "welcomed"):
                    self.later(seat.owner.welcomed(seat.slot, self.color(p["id"])))

    def stamp(self, msg, t):
        if self.owned:
            return super().stamp(msg, t)
        msg["seq"], msg["t"] = self.seq, t
        return msg

    def full_state(self, t):
        if self.owned or self.last_state is None:
            return super().full_state(t)
        snap = dict(self.last_state)
        snap["t"] = t
        return snap

    def _known_slot(self, pid):
        players = (self.last_state or {}).get("players", ())
        used = {p["slot"] for p in players if p["id"] != pid}
        used |= {s.slot for p, s in self.seats.items() if p != pid}
        for p in players:
            if p["id"] == pid and p["slot"] not in used:
                return p["slot"]
        for slot in range(MAX_PLAYERS):
            if slot not in used:
                return slot
        raise RoomFull(f"room {self.name!r} already has {MAX_PLAYERS} players")

    # Sessions' calls ---------------------------------------------------------------------------

    def attach(self, pid, kind, name, owner, t, slot=None):
        if self.owned:
            self._want_slot = slot
            try:
                return super().attach(pid, kind, name, owner, t)
            finally:
                self._want_slot = None
        seat = self.seats.get(pid)
        previous = seat.owner if seat is not None else None
        if seat is None:
            seat = self.seats[pid] = Seat(pid, kind, self._known_slot(pid))
            # A controller is welcomed with its slot once the owner has placed it (``seen``).
            seat.pending = getattr(owner, "kind", None) == "controller"
        if pid not in self.game.players:  # a local mirror, so sessions can read the name
            known = {p["id"]: p for p in (self.last_state or {}).get("players", ())}
            shown = name or known.get(pid, {}).get("name") or f"P{seat.slot + 1}"
            self.game.add_player(pid, shown, seat.slot, hex_color(PALETTE[seat.slot]), kind)
        seat.owner = owner
        seat.attach_no = next(self.attaches)
        self.forward(self.name, {"op": "attach", "pid": pid, "kind": kind, "name": name,
                                 "slot": seat.slot, "c": seat.attach_no, "t": t})  # fmt: skip
        return seat, previous

    def _free_slot(self):
        used = {s.slot for s in self.seats.values()}
        if self._want_slot is not None and self._want_slot not in used:
            return self._want_slot
        return super()._free_slot()

    def detach(self, pid, owner, now):
        if self.owned:
            return super().detach(pid, owner, now)
        seat = self.seats.get(pid)
        if seat is None or seat.owner is not owner:
            return
        del self.seats[pid]
        self.game.players.pop(pid, None)
        self.forward(self.name, {"op": "detach", "pid": pid})

    def input(self, pid, frame, t, aim=None):
        if self.owned:
            return super().input(pid, frame, t, aim)
        if pid in self.seats:
            op = {"op": "input", "pid": pid, "t": t, "aim": aim}
            op["frame"] = {"seq": frame["seq"], "x": frame["x"], "y": frame["y"],
                           "presses": list(frame["presses"])}  # fmt: skip
            self.forward(self.name, op)

    def remove(self, pid, t):
        """A window gave up its player for another one (a new token): gone at once."""
        if self.owned:
            return super().remove(pid, t)
        if self.seats.pop(pid, None) is not None:
            self.game.players.pop(pid, None)
            self.forward(self.name, {"op": "remove", "pid": pid})

    def chat(self, sender, text, t):
        if self.owned:
            return super().chat(sender, text, t)
        self.forward(self.name, {"op": "chat", "from": sender, "text": text, "t": t})

    def tick(self, now, t):
        if self.owned:
            super().tick(now, t)

    def set_bots(self, count, make_bots, t) -> bool:
        """A window's bot setting: applied by the owner, so a follower forwards it (the window's
        rate limit was taken where the window is). True if it changes what the room shows."""
        if self.owned:
            return super().set_bots(count, make_bots, t)
        self.forward(self.name, {"op": "bots", "count": count, "t": t})
        return count != (self.last_state or {}).get("bots")

    def idle(self) -> bool:
        """Owned: no player anywhere and no client on another process (hub/registry.py)."""
        return not self.seats and not (self.owned and self.elsewhere)

    def summary(self):
        if self.owned:
            return super().summary()
        if self.info is not None:
            return self.info
        players = (self.last_state or {}).get("players", ())
        return {"players": len(players), "tick": (self.last_state or {}).get("tick", 0),
                "round": (self.last_state or {}).get("round") or self.game.round_info(),
                "history": []}  # fmt: skip

    def local_seats(self) -> dict:
        """pid -> seat of the players whose connection is on this process."""
        return {p: s for p, s in self.seats.items() if s.owner is not None
                and not isinstance(s.owner, RemoteConn)}  # fmt: skip

    def announce_local(self, t, only=None):
        """A new owner appeared (or asks about ``only``): tell it the players connected here."""
        for pid, seat in self.local_seats().items():
            if only is not None and pid != only:
                continue
            name = self.game.players[pid].name if pid in self.game.players else None
            self.forward(self.name, {"op": "attach", "pid": pid, "kind": seat.kind, "name": name,
                                     "slot": seat.slot, "c": seat.attach_no, "t": t})  # fmt: skip

    # Ownership ---------------------------------------------------------------------------------

    def take(self, lease, snap: dict | None, last_seq: int, now: float, t: float):
        """This process now holds the room: start from ``snap`` (the last snapshot, parsed), with
        ``seq`` past everything any window has seen, and give the local players back."""
        local = self.local_seats()
        self.seats.clear()
        self.game.players.clear()
        self.game.projectiles.clear()
        self.remote.clear()
        self.asked.clear()
        self.clock = None
        if snap is not None:
            snapshot.apply(self, snap, now)
        self.seq = max(self.seq, last_seq) + 1
        self.owned, self.lease = True, lease
        for pid, seat in local.items():
            placed, _ = self.attach(pid, seat.kind, None, seat.owner, t, seat.slot)
            if seat.pending and hasattr(seat.owner, "welcomed"):
                self.later(seat.owner.welcomed(placed.slot, self.color(pid)))

    def lose(self):
        """The lease is gone: stop running the game at once; keep only local players' seats."""
        self.owned, self.lease = False, None
        local = self.local_seats()
        self.seats = dict(local)
        for pid in list(self.game.players):
            if pid not in local:
                del self.game.players[pid]
        self.game.projectiles.clear()
        self.remote.clear()
        self.asked.clear()

    def dump(self, t) -> dict:
        return snapshot.dump(self, saved_at=t, epoch=self.lease.epoch if self.lease else None)
