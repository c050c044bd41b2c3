"""Rooms: who plays where, identity across reconnects, and the glue between inputs and game.

No sockets here. A ``Room`` is given a ``publish(text, key)`` callable that carries its
encoded messages to its windows (the bus, hub/bus.py) and a ``feedback(pid, kind, ms)``
callable for controllers; times are passed in by the caller (``now`` = monotonic seconds,
``t`` = Unix ms stamped on relayed messages). Every message a room sends carries the room's
own ``seq``, one more than the last, so its windows see one order whichever way it reached
them; the counter is part of the room's state.
"""

import re

from . import game as rules
from .backlog import Backlog
from .codec import FEEDBACK_DEATH, FEEDBACK_HIT, FEEDBACK_RESPAWN
from .relay import encode

ROOM_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_PLAYERS = 16
STATE_HZ = 20  # default; --state-hz sets it per hub
MAX_CATCHUP_TICKS = 10  # a stalled loop skips time instead of spiralling

PALETTE = [
    (230, 57, 70), (69, 123, 157), (244, 162, 97), (131, 56, 236),
    (255, 209, 102), (6, 214, 160), (239, 71, 111), (42, 157, 143),
    (17, 138, 178), (255, 127, 80), (181, 23, 158), (128, 185, 24),
    (0, 180, 216), (230, 111, 81), (155, 93, 229), (96, 108, 56),
]  # fmt: skip


class RoomFull(Exception):
    pass


def hex_color(rgb) -> str:
    r, g, b = rgb
    return f"#{r:02x}{g:02x}{b:02x}"


class Seat:
    """Per-player bookkeeping outside the rules: who holds it, grace deadline, input baseline."""

    def __init__(self, pid, kind, slot):
        self.pid, self.kind, self.slot = pid, kind, slot
        self.owner = None  # connection token holding this player, None while in grace
        self.grace_until = 0.0
        self.last_seq = None
        self.presses = None  # last press counters; None = next input sets the baseline
        self.stick = (0, 0)
        self.pending = False  # --redis: slot not yet confirmed by the room's owner (sharedroom)
        self.attach_no = 0  # --redis: which local attach holds the seat (a remote replace names it)


class Room:
    def __init__(self, name, publish, feedback, grace_s=10.0, game=None, state_hz=STATE_HZ):
        self.name = name
        self.publish = publish
        self.feedback = feedback
        self.grace_s = grace_s
        self.state_hz = state_hz
        self.game = game or rules.Game()
        self.seats: dict[str, Seat] = {}
        self.clock = None  # monotonic seconds up to which the game has been stepped
        self.tick_t = None  # the same moment as hub time (Unix ms): what inputs count from
        self.next_state = 0.0
        self.seq = 0  # of the last message stamped in this room
        self.bots = None  # a bots.RoomBots once the room has bots (--bots, or a window's call)
        self.make_bots = None  # limit -> RoomBots for this room (HubState sets it)
        self.backlog = Backlog()  # recent chat and kill feed for windows that open late

    # Stamping --------------------------------------------------------------------------------

    def emit(self, msg: dict, t: float, key=None) -> dict:
        """Stamp ``msg`` and publish it to every window of the room."""
        self.stamp(msg, t)
        self.publish(encode(msg), key)
        return msg

    def stamp(self, msg: dict, t: float) -> dict:
        """Give ``msg`` the room's next ``seq`` and the time ``t`` (for one window only)."""
        self.seq += 1
        msg["seq"] = self.seq
        msg["t"] = t
        return msg

    # Membership ------------------------------------------------------------------------------

    def _free_slot(self):
        used = {s.slot for s in self.seats.values()}
        for slot in range(MAX_PLAYERS):
            if slot not in used:
                return slot
        raise RoomFull(f"room {self.name!r} already has {MAX_PLAYERS} players")

    def attach(self, pid, kind, name, owner, t) -> tuple[Seat, object]:
        """Give ``owner`` the player ``pid`` (new, in grace, or held by another connection).

        Returns the seat and the previous owner token (to close with 4008), or None.
        """
        seat = self.seats.get(pid)
        previous = None
        if seat is None:
            seat = Seat(pid, kind, self._free_slot())
            self.seats[pid] = seat
            color = PALETTE[seat.slot]
            name = name or f"P{seat.slot + 1}"
            self.game.add_player(pid, name, seat.slot, hex_color(color), kind)
            self.backlog.system(f"{self.game.players[pid].name} joined", t)
        else:
            previous = seat.owner
            if name:
                self.game.rename(pid, name)
        seat.owner = owner
        seat.last_seq = None
        seat.presses = None
        self.game.set_connected(pid, True)
        self.emit({"type": "create_player", "player": self.player_dict(pid)}, t)
        return seat, previous

    def detach(self, pid, owner, now):
        """The connection ``owner`` left; the player waits ``grace_s`` for its owner to return."""
        seat = self.seats.get(pid)
        if seat is None or seat.owner is not owner:
            return
        seat.owner = None
        seat.stick = (0, 0)
        seat.grace_until = now + self.grace_s
        self.game.set_connected(pid, False)

    def color(self, pid):
        return PALETTE[self.seats[pid].slot]

    def player_dict(self, pid):
        return self.game.players[pid].to_dict(self.game.now)

    # Inputs ----------------------------------------------------------------------------------

    def input(self, pid, frame, t, aim=None):
        """Apply one input frame: stale seq dropped, moves relayed, presses applied at once."""
        seat = self.seats.get(pid)
        if seat is None:
            return
        seq = frame["seq"]
        if seat.last_seq is not None and not 1 <= (seq - seat.last_seq) & 0xFFFF <= 32767:
            return
        seat.last_seq = seq
        x, y = frame["x"], frame["y"]
        self.game.set_stick(pid, x, y, aim)
        if (x, y) != seat.stick:
            seat.stick = (x, y)
            move = {"type": "move", "id": pid, "cseq": seq, "x": x, "y": y, "tick_t": self.tick_t}
            self.emit(move, t, ("m", pid))
        presses = frame["presses"]
        old, seat.presses = seat.presses, presses
        if old is None:
            return
        for _ in range(min((presses[0] - old[0]) & 0xFF, 4)):
            ev = self.game.blink(pid)
            if ev:
                ev["cseq"], ev["tick_t"] = seq, self.tick_t
                self.emit(ev, t)
        for _ in range(min((presses[1] - old[1]) & 0xFF, 4)):
            ev = self.game.shoot(pid)
            if ev:
                ev["cseq"], ev["tick_t"] = seq, self.tick_t
                self.emit(ev, t)

    def set_bots(self, count, make_bots, t) -> bool:
        """A window asked for ``count`` bots (the same number as ``--bots``: what a lone human
        meets). ``make_bots(limit)`` builds the room's RoomBots the first time. Returns whether
        anything changed."""
        if self.bots is None:
            if count == 0:
                return False
            self.bots = make_bots(count)
        elif self.bots.limit == count:
            return False
        self.bots.limit = count
        self.bots.sync(self, t)
        self.announce(f"Bots set to {count}." if count else "Bots off.", t)
        return True

    def bot_limit(self) -> int:
        return self.bots.limit if self.bots is not None else 0

    def chat(self, sender, text, t):
        """A player's line. Never ``system``: only ``announce`` sets it, so no name can fake it."""
        self.backlog.chat(sender, text, t)
        self.emit({"type": "message", "from": sender, "text": text}, t)

    def announce(self, text, t):
        """A line from the hub itself, marked ``system: true`` on the wire (and in the backlog)."""
        self.backlog.system(text, t)
        self.emit({"type": "message", "from": "hub", "system": True, "text": text}, t)

    # Clock -----------------------------------------------------------------------------------

    def tick(self, now, t):
        """Run the fixed-step game up to ``now``; send state at ``state_hz``; expire grace."""
        if self.clock is None or now < self.clock:  # first tick, or a clock that went back
            self.clock = now
        if self.bots is not None:
            self.bots.tick(self, t)  # bots join, leave and press like controllers
        steps = int((now - self.clock) * rules.TICK_HZ)
        if steps > MAX_CATCHUP_TICKS:  # a stall: play a few steps, skip the rest of the gap
            steps = MAX_CATCHUP_TICKS
            self.clock = now - steps / rules.TICK_HZ
        self.clock += steps / rules.TICK_HZ
        # Hub time of the game clock: windows predict from it (docs/protocol.md, tick_t).
        self.tick_t = round(t - (now - self.clock) * 1000, 3)
        for i in range(steps):
            for ev in self.game.step():
                if ev["type"] == "hit":
                    ev["tick_t"] = round(self.tick_t - (steps - 1 - i) * rules.TICK_MS, 3)
                self._on_event(ev, t)
        for pid, seat in list(self.seats.items()):
            if seat.owner is None and now >= seat.grace_until:
                self.remove(pid, t)
        if now >= self.next_state:
            self.next_state += 1 / self.state_hz
            if self.next_state <= now:
                self.next_state = now + 1 / self.state_hz
            snap = self.game.snapshot()
            snap["tick_t"] = self.tick_t
            snap["bots"] = self.bot_limit()
            self.emit(snap, t, "state")

    def _on_event(self, ev, t):
        kind = ev["type"]
        if kind == "hit":
            self.emit(ev, t)
            self.feedback(ev["id"], FEEDBACK_HIT, 150)
            if ev.get("dead"):
                self.backlog.system(f"{self._name(ev['by'])} knocked out {self._name(ev['id'])}", t)
        elif kind == "death":
            self.feedback(ev["id"], FEEDBACK_DEATH, 600)
        elif kind == "respawn":
            self.feedback(ev["id"], FEEDBACK_RESPAWN, 100)
        elif kind == "round":
            winner = self.game.players.get(ev["winner"]) if ev["winner"] else None
            text = f"{winner.name} wins the round!" if winner else "Round over: no winner."
            self.announce(f"{text} Round {ev['round']}.", t)

    def _name(self, pid):
        p = self.game.players.get(pid)
        return p.name if p else str(pid)

    def remove(self, pid, t):
        if pid in self.game.players:
            self.backlog.system(f"{self._name(pid)} left", t)
        self.seats.pop(pid, None)
        self.game.remove_player(pid)
        self.emit({"type": "remove_player", "id": pid}, t)

    def idle(self) -> bool:
        """No player left, not even one in grace: the room may end if no window watches."""
        return not self.seats

    def full_state(self, t) -> dict:
        snap = self.game.snapshot()
        snap["tick_t"] = self.tick_t
        snap["bots"] = self.bot_limit()
        return self.stamp(snap, t)

    def summary(self):
        return {
            "players": len(self.seats),
            "tick": self.game.tick,
            "round": self.game.round_info(),
            "history": self.game.history,  # the last rounds: winner, scores
        }
