"""A shared room's rules without ports or Redis: what the owner sends back to a follower about
its clients, and what a follower does with it. Two SharedRooms stand for two processes; the
ops they exchange are handed over by hand."""

import random

from hub import game as rules
from hub.actions import CloseLink
from hub.bots import RoomBots
from hub.codec import FEEDBACK_HIT, Close
from hub.remoteclients import PRESENT_GRACE_S, RemoteConn
from hub.rooms import MAX_PLAYERS
from hub.sharedroom import SharedRoom

PID = "c-a4cf12fe0b1c"


class Conn:
    """A local connection (what a session is to a room)."""

    kind = "controller"

    def __init__(self, name):
        self.name, self.closed = name, False

    def replaced(self):
        self.closed = True
        return (CloseLink(Close.REPLACED, "again", self),)

    def refused_later(self, code, reason):
        self.closed = True
        return (CloseLink(code, reason, self),)


class Process:
    """One room object with everything it sends recorded."""

    def __init__(self, token):
        self.token = token
        self.forwarded, self.told, self.later, self.felt = [], [], [], []
        self.room = SharedRoom(
            "arena",
            publish=lambda text, key: None,
            feedback=lambda pid, kind, ms: self.felt.append((pid, kind, ms)),
            forward=lambda room, op: self.forwarded.append(dict(op, p=token)),
            tell=lambda room, op: self.told.append(op),
            later=self.later.append,
            game=rules.Game(rng=random.Random(1)),
        )


def owner_and_follower():
    a, b = Process("A"), Process("B")
    a.room.take(lease=None, snap=None, last_seq=0, now=0.0, t=0.0)
    return a, b


def deliver(frm: Process, to: Process, now=1.0):
    for op in frm.forwarded:
        to.room.apply_op(op["p"], op, now, 0.0)
    frm.forwarded.clear()


def test_a_follower_controller_gets_the_feedback_the_owner_raises_for_it():
    a, b = owner_and_follower()
    b.room.attach(PID, "controller", "Ada", Conn("b1"), 0.0)
    deliver(b, a)
    a.room.feedback(PID, FEEDBACK_HIT, 150)  # what the game raises when Ada is hit
    assert a.felt == [] and a.told == [
        {"op": "feedback", "pid": PID, "kind": FEEDBACK_HIT, "ms": 150, "to": "B"}
    ]
    b.room.told(a.told[0])
    assert b.felt == [(PID, FEEDBACK_HIT, 150)]


def test_a_replace_that_names_an_older_attach_does_not_close_a_newer_connection():
    a, b = owner_and_follower()
    old, new = Conn("b1"), Conn("b2")
    b.room.attach(PID, "controller", "Ada", old, 0.0)
    deliver(b, a)
    a.room.attach(PID, "controller", "Ada", Conn("a1"), 0.0)[1].replaced()  # on A: tells B
    stale = a.told[-1]
    b.room.attach(PID, "controller", "Ada", new, 0.0)  # the device is back on B meanwhile
    b.room.told(stale)
    assert not new.closed and b.later == []
    assert b.room.seats[PID].owner is new


def test_inputs_count_only_from_the_process_that_holds_the_player():
    a, b = owner_and_follower()
    b.room.attach(PID, "controller", "Ada", Conn("b1"), 0.0)
    deliver(b, a)
    frame = {"seq": 1, "x": 500, "y": 0, "presses": [0, 0, 0]}
    a.room.apply_op("C", {"op": "input", "pid": PID, "frame": frame}, 1.0, 0.0)
    assert a.room.seats[PID].stick == (0, 0)
    a.room.apply_op("B", {"op": "input", "pid": PID, "frame": frame}, 1.0, 0.0)
    assert a.room.seats[PID].stick == (500, 0)


def test_the_players_of_a_process_that_is_gone_wait_in_grace():
    a, b = owner_and_follower()
    b.room.attach(PID, "controller", "Ada", Conn("b1"), 0.0)
    deliver(b, a, now=10.0)
    a.room.others_present(set(), 10.0 + PRESENT_GRACE_S / 2)  # B may not have said so yet
    assert isinstance(a.room.seats[PID].owner, RemoteConn)
    a.room.others_present({"B"}, 20.0)
    assert a.room.seats[PID].owner is not None
    a.room.others_present(set(), 20.0, judge=False)  # Redis just came back: not said yet
    assert a.room.seats[PID].owner is not None and a.room.elsewhere == {"B"}
    a.room.others_present(set(), 20.0)  # B is gone
    assert a.room.seats[PID].owner is None and not a.room.game.players[PID].connected
    frame = {"seq": 2, "x": 0, "y": 300, "presses": [0, 0, 0]}
    a.room.apply_op("B", {"op": "input", "pid": PID, "frame": frame}, 21.0, 0.0)
    assert isinstance(a.room.seats[PID].owner, RemoteConn)  # it was only cut off: back
    assert a.room.game.players[PID].connected


def test_a_bot_setting_forwarded_by_a_follower_is_checked_by_the_owner():
    a, _ = owner_and_follower()
    a.room.make_bots = lambda n: RoomBots(a.room.game.arena, n)
    for count in (-1, 99, "3", 2.0):
        a.room.apply_op("B", {"op": "bots", "count": count}, 1.0, 0.0)
        assert a.room.bot_limit() == 0
    a.room.apply_op("B", {"op": "bots", "count": 3}, 1.0, 0.0)
    assert a.room.bot_limit() == 3


def test_a_follower_mirrors_the_owners_backlog_and_ignores_bad_lines():
    a, b = owner_and_follower()
    a.room.chat("Kim", "gg", 5.0)
    lines = list(a.room.backlog.lines)
    b.room.told({"op": "backlog", "to": "*", "lines": [*lines, {"from": 3}, "x"]})
    assert list(b.room.backlog.lines) == lines


def test_a_room_the_follower_thought_had_room_is_full_on_the_owner():
    a, b = owner_and_follower()
    for i in range(MAX_PLAYERS):
        a.room.attach(f"c-{i:012x}", "controller", None, Conn(f"a{i}"), 0.0)
    late = Conn("b1")
    b.room.attach(PID, "controller", "Ada", late, 0.0)  # B has not seen a state yet
    deliver(b, a)  # does not raise: the owner's reader goes on
    assert PID not in a.room.seats and a.told[-1]["op"] == "full"
    b.room.told(a.told[-1])
    assert late.closed and PID not in b.room.seats
    full = f"room 'arena' already has {MAX_PLAYERS} players"
    assert b.later == [CloseLink(Close.FULL, full, late)]


def test_an_input_for_a_player_the_owner_lost_makes_its_process_attach_it_again():
    a, b = owner_and_follower()
    b.room.attach(PID, "controller", "Ada", Conn("b1"), 0.0)
    b.forwarded.clear()  # the attach was lost (the owner removed the player, or never had it)
    frame = {"seq": 1, "x": 500, "y": 0, "presses": [0, 0, 0]}
    for now in (1.0, 1.1, 1.2):
        a.room.apply_op("B", {"op": "input", "pid": PID, "frame": frame}, now, 0.0)
    assert a.told == [{"op": "unknown", "pid": PID, "to": "B"}]  # asked once, not per frame
    b.room.told(a.told[0])
    deliver(b, a)
    assert isinstance(a.room.seats[PID].owner, RemoteConn)
