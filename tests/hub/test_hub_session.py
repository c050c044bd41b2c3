"""Connection rules without ports or sleeps: sessions and the hub state, fed frames and times.

Each test reads like a rule of the protocol (docs/protocol.md); the actions a session returns
are what the shell would do on the connection. Times are passed in: ``now`` is monotonic
seconds, ``t`` Unix ms.
"""

import json
import logging

import pytest
from hubkit import VECTORS, hello, inp

from hub.actions import NOTHING, CloseLink, Log, Send, Watch
from hub.codec import Close, encode_feedback
from hub.config import Config
from hub.rooms import MAX_PLAYERS
from hub.state import HubState
from hub.windowsession import player_id

CODE = "123456"
DEV = "a4cf12fe0b1c"


class Published:
    """Stands where the bus would: what rooms publish, decoded, per room."""

    def __init__(self):
        self.msgs = []

    def __call__(self, room, text, key):
        self.msgs.append((room, json.loads(text)))

    def of(self, type_):
        return [m for _, m in self.msgs if m["type"] == type_]


def hub_state(**cfg):
    bus = Published()
    cfg = {"map": "open", "lobby": False, **cfg}  # players placed by hand shoot at once
    state = HubState(Config(pairing_code=CODE, beacon=False, **cfg), bus)
    return state, bus


def admit(state, kind="controller", room="default", code=CODE, now=0.0):
    session, refused = state.admit(f"/ws/{kind}", room, code, "10.0.0.7:5000", now, 1000.0)
    assert session is not None, refused
    return session


def closes(actions):
    return [(a.code, a.reason) for a in actions if isinstance(a, CloseLink)]


def welcomed(state, dev=DEV, name="Ada", now=0.0, **kw):
    c = admit(state, now=now, **kw)
    actions = c.receive(hello(dev, name), now, 1.0)
    assert isinstance(actions[0], Send) and actions[0].data[0] == 0x81, actions
    return c, actions


# Admission: pairing code, room names, connection limit ------------------------------------------


@pytest.mark.parametrize("code", ["", "000000", "12345", "1234567"])
def test_wrong_or_missing_pairing_code_is_refused_4004_and_logged_rate_limited(code):
    state, _ = hub_state()
    session, actions = state.admit("/ws/window", "default", code, "10.0.0.7:5000", 0.0, 0.0)
    assert session is None
    (log, close) = actions
    assert close.code == Close.BAD_CODE and "pairing code" in close.reason
    assert log.event == "rejected" and log.limited and log.fields["code"] == 4004
    assert not state.windows and not state.controllers


def test_bad_room_name_is_refused_4001():
    state, _ = hub_state()
    session, actions = state.admit("/ws/window", "no/slash", CODE, "a:1", 0.0, 0.0)
    assert session is None and closes(actions)[0][0] == Close.MALFORMED


def test_connections_past_the_limit_are_refused_4007_and_free_again_when_one_leaves():
    state, _ = hub_state(max_connections=2)
    first = admit(state, "window")
    admit(state, "controller")
    session, actions = state.admit("/ws/window", "default", CODE, "a:1", 0.0, 0.0)
    assert session is None and closes(actions) == [(Close.FULL, "hub full (2 connections)")]
    state.release(first, 1.0)
    assert admit(state, "window") is not None


# Hello: first, in time, once -----------------------------------------------------------------


def test_controller_without_hello_by_the_deadline_is_closed_4003():
    state, _ = hub_state(hello_timeout=5.0)
    c = admit(state, now=100.0)
    assert c.timeout(101.0) == pytest.approx(4.0)
    assert c.expire(104.9) == NOTHING
    actions = c.expire(105.0)
    assert closes(actions) == [(Close.NO_HELLO, "no hello within 5 s")]
    assert c.closed and c.receive(hello(), 105.1, 0) == NOTHING  # too late: ignored


def test_first_message_must_be_a_hello():
    state, _ = hub_state()
    c = admit(state)
    assert closes(c.receive(inp(1), 0.1, 0))[0][0] == Close.NO_HELLO
    c = admit(state)
    assert closes(c.receive("hello", 0.1, 0))[0][0] == Close.WRONG_FRAME_KIND


def test_hello_gives_slot_and_colour_and_the_deadline_no_longer_applies():
    state, bus = hub_state()
    c, actions = welcomed(state)
    assert actions[0].data == bytes.fromhex("810100e63946")  # welcome: proto 1, slot 0, red
    (log,) = [a for a in actions if isinstance(a, Log)]
    assert log.event == "hello" and log.fields["id"] == DEV and log.fields["slot"] == 0
    assert c.timeout(1000.0) is None and c.expire(1000.0) == NOTHING
    assert bus.of("create_player")[0]["player"]["name"] == "Ada"
    assert state.players[("default", f"c-{DEV}")] is c


def test_hello_sent_twice_is_malformed():
    state, _ = hub_state()
    c, _ = welcomed(state)
    assert closes(c.receive(hello(), 0.2, 0))[0][0] == Close.MALFORMED


# Every invalid frame of the shared vectors closes with its code ------------------------------


FIRST = {"hello_wrong_version", "hello_bad_json", "hello_missing_id"}


@pytest.mark.parametrize("vec", VECTORS["invalid_controller_frames"], ids=lambda v: v["name"])
def test_invalid_controller_frame_closes_with_its_code(vec):
    state, _ = hub_state()
    c = admit(state) if vec["name"] in FIRST else welcomed(state)[0]
    actions = c.receive(bytes.fromhex(vec["hex"]), 0.5, 0)
    ((code, reason),) = closes(actions)
    assert code == vec["close"] and reason
    assert actions[0].event == "rejected" and actions[0].fields["code"] == vec["close"]


@pytest.mark.parametrize("vec", VECTORS["invalid_window_frames"], ids=lambda v: v["name"])
def test_invalid_window_frame_closes_with_its_code(vec):
    state, _ = hub_state()
    w = admit(state, "window")
    w.open(0.0, 0)
    if vec["name"].startswith("input"):
        w.receive(json.dumps({"type": "join", "name": "Kim"}), 0.1, 0)
    ((code, _),) = closes(w.receive(vec["text"], 0.2, 0))
    assert code == vec["close"]


def test_binary_on_a_window_is_1003():
    state, _ = hub_state()
    w = admit(state, "window")
    w.open(0.0, 0)
    assert closes(w.receive(b"\x01\x02", 0.1, 0))[0][0] == Close.WRONG_FRAME_KIND


# Rate limit ----------------------------------------------------------------------------------


def test_100_frames_a_second_for_ten_seconds_is_fine_a_burst_past_the_limit_is_4005():
    state, _ = hub_state(rate=250.0)
    c, _ = welcomed(state)
    for i in range(1000):  # 100 Hz for 10 s
        assert c.receive(inp(i + 1, x=i % 7), 1 + i / 100, 0) == NOTHING
    c2, _ = welcomed(state, dev="0000000000bb", now=20.0)
    results = [c2.receive(inp(i + 1), 20.0, 0) for i in range(251)]  # all at one instant
    assert all(r == NOTHING for r in results[:250])
    ((code, reason),) = closes(results[250])
    assert code == Close.RATE_LIMIT and "100 input frames/s" in reason


# Seq rules, seats, grace, replacement ----------------------------------------------------------


def test_stale_and_duplicate_input_frames_are_dropped_wrapped_seq_is_newer():
    state, bus = hub_state()
    c, _ = welcomed(state)
    for seq, x in [(65535, 100), (65535, 200), (65000, 300), (0, 400)]:
        c.receive(inp(seq, x=x), 0.5, 0)
    assert [m["x"] for m in bus.of("move")] == [100, 400]


def test_seventeenth_controller_in_a_room_is_refused_4007():
    state, _ = hub_state()
    for i in range(MAX_PLAYERS):
        welcomed(state, dev=f"{i:012x}")
    c = admit(state)
    ((code, reason),) = closes(c.receive(hello("ffffffffffff"), 0.1, 0))
    assert code == Close.FULL and "16 players" in reason


def test_rooms_past_the_limit_are_refused_4007():
    state, _ = hub_state(max_rooms=3)  # the default room counts
    welcomed(state, room="a")
    welcomed(state, dev="0000000000bb", room="b")
    c = admit(state, room="c")
    assert closes(c.receive(hello(), 0.1, 0))[0][0] == Close.FULL
    w = admit(state, "window", room="c")
    assert closes(w.open(0.1, 0))[0][0] == Close.FULL


def test_the_same_device_again_closes_the_old_connection_4008_and_keeps_the_player():
    state, _ = hub_state()
    old, _ = welcomed(state)
    new, actions = welcomed(state)
    (close,) = [a for a in actions if isinstance(a, CloseLink)]
    assert close.to is old and close.code == Close.REPLACED  # for the old connection
    assert old.closed and state.players[("default", f"c-{DEV}")] is new
    state.release(old, 1.0)  # the old one leaving starts no grace
    assert state.rooms["default"].game.players[f"c-{DEV}"].connected


def test_a_controller_that_leaves_keeps_its_player_for_the_grace_period():
    state, bus = hub_state(grace=10.0)
    c, _ = welcomed(state)
    player = state.rooms["default"].game.players[f"c-{DEV}"]
    player.score = 3
    (log,) = state.release(c, 100.0, 1000, "bye")
    assert log.event == "disconnect" and log.fields["code"] == 1000
    assert not player.connected
    state.tick(109.9, 0)
    assert not bus.of("remove_player")
    again, actions = welcomed(state, now=109.9)
    assert next(a for a in actions if isinstance(a, Log)).fields["resumed"] is True
    assert state.rooms["default"].game.players[f"c-{DEV}"].score == 3
    state.release(again, 110.0)
    state.tick(120.1, 0)
    assert bus.of("remove_player")[0]["id"] == f"c-{DEV}"


def test_a_refused_connection_logs_its_close_code_when_it_leaves():
    state, _ = hub_state()
    c, _ = welcomed(state)
    c.receive(b"\x01\x00", 0.1, 0)
    (log,) = state.release(c, 0.2, None, None)
    assert log.fields["code"] == Close.MALFORMED and "input" in log.fields["reason"]


# Feedback ----------------------------------------------------------------------------------


def test_a_hit_sends_feedback_to_the_hit_controller_only():
    state, _ = hub_state()
    a, _ = welcomed(state, dev="0000000000aa")
    b, _ = welcomed(state, dev="0000000000bb")
    game = state.rooms["default"].game
    pa, pb = game.players["c-0000000000aa"], game.players["c-0000000000bb"]
    pa.x, pa.y, pb.x, pb.y = 200.0, 450.0, 320.0, 450.0
    a.receive(inp(1, x=1000), 0.0, 0)
    a.receive(inp(2, presses=(0, 1, 0), x=1000), 0.0, 0)
    state.tick(0.0, 0)
    out = state.tick(0.5, 0)
    assert Send(encode_feedback(1, 150), to=b) in out
    assert all(s.to is b for s in out)


# Windows -------------------------------------------------------------------------------------


def test_window_gets_welcome_with_rules_then_full_state_then_the_room():
    state, _ = hub_state(state_hz=30.0)
    w = admit(state, "window")
    welcome, full, backlog, watch, log = w.open(0.0, 5.0)
    msg = json.loads(welcome.data)
    assert json.loads(backlog.data) == {
        "type": "backlog",
        "lines": [],
        "seq": msg["seq"] + 2,
        "t": 5.0,
    }
    assert msg["type"] == "welcome" and msg["window"] == w.id and msg["state_hz"] == 30.0
    assert msg["rules"]["tick_hz"] == 60 and msg["hub_t"] == 5.0
    assert json.loads(full.data)["type"] == "state"
    assert json.loads(full.data)["seq"] == msg["seq"] + 1
    assert watch == Watch("default") and log.event == "window_open"


def test_window_join_ping_chat_and_spectator_input():
    state, bus = hub_state()
    w = admit(state, "window")
    w.open(0.0, 0)
    spectator = {"type": "input", "seq": 1, "buttons": 0, "presses": [0, 0, 0], "x": 500, "y": 0}
    assert w.receive(json.dumps(spectator), 0.1, 0) == NOTHING
    assert not bus.of("move")  # a spectator's input is ignored
    joined, log = w.receive(json.dumps({"type": "join", "name": "Kim", "id": "tab-1234"}), 0.2, 0)
    assert log.event == "join" and w.pid == player_id("tab-1234") != "k-tab-1234"
    assert json.loads(joined.data) | {"seq": 0, "t": 0} == {
        "type": "joined",
        "player": w.pid,
        "token": "tab-1234",
        "seq": 0,
        "t": 0,
    }
    w.receive(json.dumps({**spectator, "seq": 2}), 0.3, 0)
    assert bus.of("move")[0]["id"] == w.pid
    (pong,) = w.receive(json.dumps({"type": "ping", "id": 7, "t": 1234.5}), 0.4, 99.0)
    pong = json.loads(pong.data)
    assert (pong["type"], pong["id"], pong["t"], pong["hub_t"]) == ("pong", 7, 1234.5, 99.0)
    w.receive(json.dumps({"type": "message", "text": " gg "}), 0.5, 0)
    assert bus.of("message")[0]["from"] == "Kim" and bus.of("message")[0]["text"] == "gg"


def test_a_late_window_gets_the_last_50_lines_of_chat_and_kill_feed_marked_system():
    state, _ = hub_state()
    first = admit(state, "window")
    first.open(0.0, 0)
    first.receive(json.dumps({"type": "join", "name": "Kim", "id": "tab-1234"}), 0.1, 0)
    for i in range(60):
        first.receive(json.dumps({"type": "message", "text": f"line {i}"}), 1.0 + i, 10.0 + i)
    late = admit(state, "window", now=100.0)
    lines = json.loads(late.open(100.0, 200.0)[2].data)["lines"]
    assert len(lines) == 50
    assert lines[0] == {"from": "Kim", "text": "line 10", "t": 20.0}  # the oldest kept
    assert lines[-1]["text"] == "line 59"
    room = state.rooms["default"]
    room.remove(player_id("tab-1234"), 300.0)
    lines = json.loads(admit(state, "window").open(101.0, 301.0)[2].data)["lines"]
    assert lines[-1] == {"from": "hub", "text": "Kim left", "t": 300.0, "system": True}


def bots_call(w, count, now):
    return w.receive(json.dumps({"type": "bots", "count": count}), now, now * 1000)


def test_any_window_sets_the_rooms_bots_like_the_bots_option():
    state, bus = hub_state()
    w = admit(state, "window")
    w.open(0.0, 0)
    w.receive(json.dumps({"type": "join", "name": "Kim", "id": "tab-1234"}), 0.1, 0)
    (log,) = bots_call(w, 2, 0.2)
    assert log.event == "bots" and log.fields["bots"] == 2
    room = state.rooms["default"]
    assert sorted(s.kind for s in room.seats.values()) == ["bot", "bot", "keyboard"]
    assert room.full_state(0)["bots"] == 2
    assert bus.of("message")[-1]["text"] == "Bots set to 2."
    assert bots_call(w, 2, 0.3) == NOTHING  # no change, no message
    bots_call(w, 0, 0.4)
    assert [s.kind for s in room.seats.values()] == ["keyboard"]
    assert room.full_state(0)["bots"] == 0 and room.backlog.lines[-1]["text"] == "Bots off."


def test_bot_calls_past_the_rate_are_answered_not_applied_and_never_close():
    state, _ = hub_state()
    w = admit(state, "window")
    w.open(0.0, 0)
    for i in range(4):  # a burst of clicks is fine
        assert closes(bots_call(w, i + 1, 1.0)) == []
    (answer,) = bots_call(w, 9, 1.0)
    assert json.loads(answer.data)["text"] == "Too many bot changes; wait a moment."
    assert state.rooms["default"].bot_limit() == 4 and not w.closed
    bots_call(w, 9, 1.6)  # half a second later: one more
    assert state.rooms["default"].bot_limit() == 9


def test_another_tab_with_the_resume_token_takes_the_player_over():
    state, _ = hub_state()
    w1, w2 = admit(state, "window"), admit(state, "window")
    w1.open(0.0, 0)
    w2.open(0.0, 0)
    joined, _ = w1.receive(json.dumps({"type": "join", "name": "Kim"}), 0.1, 0)
    token = json.loads(joined.data)["token"]
    w2.receive(json.dumps({"type": "join", "name": "Kim", "id": token}), 0.1, 0)
    assert w1.pid is None and w2.pid == player_id(token) and len(token) == 24
    state.release(w1, 1.0)  # the old tab leaving does not start the grace period
    assert state.rooms["default"].game.players[w2.pid].connected


def test_a_window_holds_one_seat_whatever_ids_it_joins_with():
    state, _ = hub_state()
    w = admit(state, "window")
    w.open(0.0, 0)
    for n in range(20):
        w.receive(json.dumps({"type": "join", "name": "Kim", "id": f"grab{n:04d}"}), n, 0)
    assert list(state.rooms["default"].seats) == [player_id("grab0019")]


def test_a_window_joining_again_and_again_is_closed_4005():
    state, _ = hub_state()
    w = admit(state, "window")
    w.open(0.0, 0)
    for n in range(5):  # a burst of five is fine (a player renaming, a pad re-pressing Start)
        w.receive(json.dumps({"type": "join", "name": "Kim", "id": f"grab{n:04d}"}), 0.1, 0)
    assert not w.closed
    out = w.receive(json.dumps({"type": "join", "name": "Kim", "id": "grab0005"}), 0.1, 0)
    assert w.closed and out[-1].code == Close.RATE_LIMIT


def test_rooms_other_than_the_default_go_away_with_their_last_player_and_window():
    state, _ = hub_state(grace=0.0)
    w = admit(state, "window", room="side")
    w.open(0.0, 0)
    c, _ = welcomed(state, room="side")
    state.release(c, 1.0)
    state.tick(1.0, 0)
    assert "side" in state.rooms  # a window still watches it
    state.release(w, 2.0)
    state.tick(2.0, 0)
    assert "side" not in state.rooms and "default" in state.rooms


def test_rejections_are_warnings_and_limited_other_lines_are_info():
    state, _ = hub_state()
    c = admit(state)
    log, _ = c.receive("text", 0.1, 0)
    assert log.level == logging.WARNING and log.limited
