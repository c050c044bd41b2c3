"""Rooms without sockets: identity, grace period, input rules, stamping, state rate."""

import json

import pytest

from hub.codec import FEEDBACK_DEATH, FEEDBACK_HIT
from hub.rooms import MAX_PLAYERS, PALETTE, STATE_HZ, Room, RoomFull


class Out:
    def __init__(self):
        self.msgs, self.feedback = [], []

    def publish(self, text, key):
        self.msgs.append(json.loads(text))  # what the bus carries: one encoded JSON object

    def fb(self, pid, kind, ms):
        self.feedback.append((pid, kind, ms))

    def types(self):
        return [m["type"] for m in self.msgs]


def make(grace=10.0):
    out = Out()
    return Room("default", out.publish, out.fb, grace_s=grace), out


def frame(seq, presses=(0, 0, 0), x=0, y=0):
    return {"type": "input", "seq": seq, "buttons": 0, "presses": list(presses), "x": x, "y": y}


def test_new_player_gets_slot_colour_and_create_player():
    room, out = make()
    seat, prev = room.attach("c-1", "controller", "Ada", "conn1", t=1.0)
    assert (seat.slot, prev) == (0, None)
    assert room.color("c-1") == PALETTE[0]
    msg = out.msgs[-1]
    assert msg["type"] == "create_player" and msg["player"]["name"] == "Ada"
    assert msg["t"] == 1.0 and msg["seq"] > 0


def test_reconnect_within_grace_gets_same_player_back():
    room, out = make(grace=10)
    room.attach("c-1", "controller", "Ada", "conn1", 0)
    room.attach("c-2", "controller", "Bob", "conn2", 0)
    p = room.game.players["c-1"]
    p.x, p.y, p.score = 123.0, 456.0, 3
    room.detach("c-1", "conn1", now=100.0)
    assert not p.connected
    room.tick(now=105.0, t=0)
    seat, _ = room.attach("c-1", "controller", "Ada", "conn3", 0)
    assert seat.slot == 0 and room.color("c-1") == PALETTE[0]
    p = room.game.players["c-1"]
    assert (p.x, p.y, p.score, p.connected) == (123.0, 456.0, 3, True)
    room.tick(now=200.0, t=0)
    assert "remove_player" not in out.types()


def test_after_grace_player_is_removed_for_every_window():
    room, out = make(grace=10)
    room.attach("c-1", "controller", "Ada", "conn1", 0)
    room.detach("c-1", "conn1", now=100.0)
    room.tick(now=109.0, t=0)
    assert "c-1" in room.game.players
    room.tick(now=110.5, t=0)
    assert "c-1" not in room.game.players
    assert any(m["type"] == "remove_player" and m["id"] == "c-1" for m in out.msgs)
    seat, _ = room.attach("c-1", "controller", "Ada", "conn2", 0)
    assert room.game.players["c-1"].score == 0


def test_same_id_connecting_again_returns_previous_owner():
    room, _ = make()
    room.attach("c-1", "controller", "Ada", "conn1", 0)
    _, prev = room.attach("c-1", "controller", "Ada", "conn2", 0)
    assert prev == "conn1"
    room.detach("c-1", "conn1", now=1)  # the replaced connection leaving changes nothing
    assert room.game.players["c-1"].connected


def test_room_full():
    room, _ = make()
    for i in range(MAX_PLAYERS):
        room.attach(f"c-{i}", "controller", "", f"conn{i}", 0)
    with pytest.raises(RoomFull):
        room.attach("c-x", "controller", "", "connx", 0)


def test_first_input_sets_baseline_and_presses_apply_at_once():
    room, out = make()
    room.attach("c-1", "controller", "Ada", "conn", 0)
    room.input("c-1", frame(1, presses=(5, 9, 0)), t=10)
    assert "blink" not in out.types() and "shoot" not in out.types()
    room.input("c-1", frame(2, presses=(6, 10, 0)), t=11)
    blink = next(m for m in out.msgs if m["type"] == "blink")
    shoot = next(m for m in out.msgs if m["type"] == "shoot")
    assert blink["cseq"] == 2 and blink["t"] == 11 and shoot["cseq"] == 2
    assert shoot["projectile"]["owner"] == "c-1"


def test_press_counter_wraps():
    room, out = make()
    room.attach("c-1", "controller", "Ada", "conn", 0)
    room.input("c-1", frame(1, presses=(255, 0, 0)), 0)
    room.input("c-1", frame(2, presses=(0, 0, 0)), 0)
    assert out.types().count("blink") == 1


def test_stale_and_duplicate_seq_dropped_wrap_accepted():
    room, out = make()
    room.attach("c-1", "controller", "Ada", "conn", 0)
    room.input("c-1", frame(65535, x=100), 0)
    room.input("c-1", frame(65535, x=200), 0)  # duplicate
    room.input("c-1", frame(65000, x=300), 0)  # stale
    room.input("c-1", frame(0, x=400), 0)  # wrapped: newer
    moves = [m["x"] for m in out.msgs if m["type"] == "move"]
    assert moves == [100, 400]


def test_move_relayed_only_when_stick_changes():
    room, out = make()
    room.attach("c-1", "controller", "Ada", "conn", 0)
    for seq in range(1, 5):
        room.input("c-1", frame(seq, x=500), 0)
    assert out.types().count("move") == 1


def test_hit_relayed_and_feedback_to_controller():
    room, out = make()
    room.attach("a", "controller", "A", "ca", 0)
    room.attach("b", "controller", "B", "cb", 0)
    pa, pb = room.game.players["a"], room.game.players["b"]
    pa.x, pa.y, pa.aim = 200.0, 450.0, (1.0, 0.0)
    pb.x, pb.y, pb.hp = 300.0, 450.0, 25
    room.game.shoot("a")
    room.tick(0.0, 0)
    room.tick(0.5, 0)
    hit = next(m for m in out.msgs if m["type"] == "hit")
    assert hit["id"] == "b" and hit["dead"] and hit["by"] == "a"
    assert ("b", FEEDBACK_HIT, 150) in out.feedback
    assert ("b", FEEDBACK_DEATH, 600) in out.feedback


def test_state_broadcast_at_state_hz_and_seq_increases():
    room, out = make()
    room.attach("a", "controller", "A", "ca", 0)
    for i in range(121):  # two seconds of 60 Hz ticks
        room.tick(i / 60, t=i)
    states = [m for m in out.msgs if m["type"] == "state"]
    assert abs(len(states) - 2 * STATE_HZ) <= 1
    seqs = [m["seq"] for m in out.msgs]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert room.game.tick == pytest.approx(120, abs=1)


def test_stalled_clock_skips_instead_of_spiralling():
    room, _ = make()
    room.tick(0.0, 0)
    room.tick(60.0, 0)  # a minute without ticks (laptop suspended)
    assert room.game.tick <= 11


def test_round_end_is_announced_in_chat():
    room, out = make()
    room.game.round_ms = 1000
    room.attach("a", "controller", "Ada", "ca", 0)
    for i in range(70):
        room.tick(i / 60, t=i)
    chat = [m for m in out.msgs if m["type"] == "message"]
    assert chat and chat[0]["from"] == "hub" and "Round 2" in chat[0]["text"]


def test_after_a_stall_the_room_clock_is_not_ahead_of_now_and_the_game_goes_on():
    room, _ = make()
    room.tick(0.0, 0)
    room.tick(60.0, 0)  # a minute without ticks: 10 steps, the rest of the gap skipped
    assert room.clock <= 60.0
    before = room.game.tick
    room.tick(60.0 + 6.5 / 60, 0)  # the next six ticks' worth of time: six steps, not zero
    assert room.game.tick - before == 6


def test_a_clock_that_goes_back_steps_nothing_and_recovers():
    room, _ = make()
    room.tick(10.0, 0)
    room.tick(5.0, 0)
    before = room.game.tick
    room.tick(5.0 + 3.5 / 60, 0)
    assert room.game.tick - before == 3


def test_each_room_numbers_its_own_messages_one_by_one():
    a, out_a = make()
    b, out_b = make()
    a.attach("p", "controller", "A", "ca", 0)
    b.attach("q", "controller", "B", "cb", 0)
    a.chat("x", "hi", 0)
    assert [m["seq"] for m in out_a.msgs] == [1, 2]
    assert [m["seq"] for m in out_b.msgs] == [1]
    assert a.full_state(0)["seq"] == 3 and a.seq == 3
