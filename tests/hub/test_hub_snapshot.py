"""Room snapshots without files or sockets: round trip, checking, and play after a restore."""

import copy
import json
import random

import pytest

from hub import game as rules
from hub import maps, snapshot
from hub import match as flow
from hub.rooms import PALETTE, Room
from hub.snapshot import SnapshotError


class Out:
    def __init__(self):
        self.msgs = []

    def publish(self, msg, key):
        self.msgs.append(json.loads(msg) if isinstance(msg, str) else msg)  # dict or encoded

    def fb(self, pid, kind, ms):
        pass


def make(grace=10.0, seed=1, name="default"):
    out = Out()
    game = rules.Game(rng=random.Random(seed))
    return Room(name, out.publish, out.fb, grace_s=grace, game=game), out


def played_room():
    """Two controllers and a keyboard player, after a kill, some movement and cooldowns."""
    room, _ = make()
    room.attach("c-a4cf12fe0b1c", "controller", "Ada", "conn1", 0)
    room.attach("c-0badc0ffee00", "controller", "Bob", "conn2", 0)
    room.attach("k-tab1", "keyboard", "Kim", "conn3", 0)
    g = room.game
    for _ in range(90):
        g.step()
    ada, bob = g.players["c-a4cf12fe0b1c"], g.players["c-0badc0ffee00"]
    ada.score, bob.hp = 3, 50
    ada.aim = (0.6, -0.8)
    ada.blink_ready = g.now + 1500
    bob.alive, bob.respawn_at = False, g.now + 700
    g.match.round_no, g.match.last_winner, g.match.last_winner_name = 2, "k-tab1", "Kim"
    g.match.elapsed = 30_000.0
    g.match.history = [
        {"n": 1, "winner": "k-tab1", "winner_name": "Kim", "ended_by": "score",
         "scores": [{"id": "k-tab1", "name": "Kim", "kind": "keyboard", "score": 10},
                    {"id": "b-1", "name": "Bot Ada", "kind": "bot", "score": 2}]},
    ]  # fmt: skip
    g.shoot("c-a4cf12fe0b1c")
    return room


def test_round_trip_through_json_keeps_every_lasting_field():
    room = played_room()
    room.seq = 812
    data = snapshot.dump(room, saved_at=1_764_560_000_000.5)
    back = snapshot.parse(json.loads(json.dumps(data)))
    assert back == data
    restored, _ = make(seed=99)
    snapshot.apply(restored, back, now=50.0)
    assert snapshot.lasting(snapshot.dump(restored, 0)) == snapshot.lasting(data)
    assert restored.game.tick == room.game.tick == 90
    assert restored.seq == 812  # the room's messages go on numbering from where they were
    assert restored.full_state(0)["seq"] == 813


def test_restored_players_wait_disconnected_in_grace_then_leave():
    room = played_room()
    restored, out = make(grace=10)
    snapshot.apply(restored, snapshot.dump(room, 0), now=100.0)
    assert all(not p.connected for p in restored.game.players.values())
    assert all(s.owner is None for s in restored.seats.values())
    restored.tick(now=105.0, t=0)
    assert len(restored.seats) == 3
    restored.tick(now=110.5, t=0)
    assert restored.seats == {} and restored.game.players == {}
    assert [m["id"] for m in out.msgs if m["type"] == "remove_player"] == [  # told windows
        "c-a4cf12fe0b1c",
        "c-0badc0ffee00",
        "k-tab1",
    ]


def test_reconnecting_device_gets_its_slot_colour_score_and_position_back():
    room = played_room()
    before = room.game.players["c-0badc0ffee00"]
    restored, _ = make()
    snapshot.apply(restored, snapshot.dump(room, 0), now=0.0)
    seat, previous = restored.attach("c-0badc0ffee00", "controller", "", "conn9", 0)
    assert previous is None
    assert seat.slot == 1 and restored.color("c-0badc0ffee00") == PALETTE[1]
    p = restored.game.players["c-0badc0ffee00"]
    assert (p.name, p.hp, p.connected) == ("Bob", 50, True)
    assert (p.x, p.y) == pytest.approx((before.x, before.y), abs=0.01)  # kept to 0.01 unit
    assert restored.game.players["c-a4cf12fe0b1c"].score == 3


def test_a_new_device_after_restore_gets_a_free_slot_not_a_kept_one():
    restored, _ = make()
    snapshot.apply(restored, snapshot.dump(played_room(), 0), now=0.0)
    seat, _ = restored.attach("c-111111111111", "controller", "New", "conn", 0)
    assert seat.slot == 3 and restored.color("c-111111111111") == PALETTE[3]


def test_restored_game_plays_on_dead_player_respawns_and_cooldowns_hold():
    room = played_room()
    restored, _ = make()
    snapshot.apply(restored, snapshot.dump(room, 0), now=0.0)
    g = restored.game
    assert g.blink("c-a4cf12fe0b1c") is None  # still cooling down: 1.5 s of game time left
    assert g.projectiles == {}  # in-flight shots are not kept
    respawned = []
    for _ in range(60):
        respawned += [e["id"] for e in g.step() if e["type"] == "respawn"]
    assert respawned == ["c-0badc0ffee00"]  # 0.7 s of game time after the snapshot
    assert g.blink("c-a4cf12fe0b1c") is None
    for _ in range(30):
        g.step()
    assert g.blink("c-a4cf12fe0b1c") is not None
    shot = g.shoot("c-0badc0ffee00")
    assert shot["projectile"]["id"] == room.game.next_shot  # projectile ids are never reused


def test_round_clock_resumes_where_it_stopped_once_a_player_is_back():
    room, _ = make()
    room.game.round_ms = 10_000
    room.attach("c-a4cf12fe0b1c", "controller", "Ada", "conn", 0)
    for _ in range(rules.TICK_HZ * 4):  # 4 s into the round
        room.game.step()
    restored, _ = make()
    restored.game.round_ms = 10_000
    snapshot.apply(restored, snapshot.dump(room, 0), now=0.0)
    info = restored.game.round_info()
    assert (info["n"], info["time_left"], info["phase"]) == (1, 6000, "playing")
    for _ in range(rules.TICK_HZ * 7):
        assert restored.game.step() == []  # nobody connected: the round clock stands still
    restored.attach("c-a4cf12fe0b1c", "controller", "", "conn2", 0)
    events = []
    for _ in range(rules.TICK_HZ * 6 + 2):  # the 6 s left, and a tick or two of float sums
        events += restored.game.step()
    assert [e["type"] for e in events] == ["round"] and restored.game.round_info()["n"] == 2


def test_match_history_and_last_winner_survive():
    restored, _ = make()
    snapshot.apply(restored, snapshot.dump(played_room(), 0), now=0.0)
    m = restored.game.match
    assert (m.round_no, m.last_winner, m.last_winner_name) == (2, "k-tab1", "Kim")
    assert m.history[0]["scores"][0] == {"id": "k-tab1", "name": "Kim", "kind": "keyboard",
                                         "score": 10}  # fmt: skip


def test_lobby_phase_is_kept_and_dropped_when_the_new_hub_has_no_lobby():
    room, _ = make()
    room.game.match = flow.Match(10, 180_000, lobby=True)
    room.game.match.phase, room.game.match.phase_left = flow.PODIUM, 2500.0
    data = snapshot.dump(room, 0)
    with_lobby, _ = make()
    with_lobby.game.match = flow.Match(10, 180_000, lobby=True)
    snapshot.apply(with_lobby, data, now=0.0)
    assert (with_lobby.game.match.phase, with_lobby.game.match.phase_left) == ("podium", 2500)
    without, _ = make()
    snapshot.apply(without, data, now=0.0)
    assert without.game.match.phase == "playing"


def test_bots_are_not_kept_a_restoring_hub_makes_its_own():
    room = played_room()
    room.attach("b-1", "bot", "Bot Ada", "bots", 0)
    data = snapshot.dump(room, 0)
    assert [p["id"] for p in data["players"]] == ["c-a4cf12fe0b1c", "c-0badc0ffee00", "k-tab1"]


def test_a_position_inside_a_wall_of_another_map_is_moved_out():
    room = played_room()
    data = snapshot.dump(room, 0)
    walled = Room("default", Out().publish, Out().fb, game=rules.Game(arena=maps.load("bunkers")))
    arena = walled.game.arena
    inside = next((x, y) for x in range(40, 1560, 20) for y in range(40, 860, 20)
                  if not arena.free(x, y, rules.RADIUS))  # fmt: skip
    data["players"][0]["x"], data["players"][0]["y"] = map(float, inside)
    snapshot.apply(walled, snapshot.parse(data), now=0.0)
    p = walled.game.players["c-a4cf12fe0b1c"]
    assert arena.free(p.x, p.y, rules.RADIUS)


def test_restore_refuses_a_room_that_already_has_players():
    restored, _ = make()
    restored.attach("c-1234", "controller", "Ada", "c", 0)
    with pytest.raises(ValueError, match="already has players"):
        snapshot.apply(restored, snapshot.dump(played_room(), 0), now=0.0)


def test_other_version_is_reported_as_such():
    data = snapshot.dump(played_room(), 0)
    data["version"] = 2
    with pytest.raises(SnapshotError, match="version 2, this hub reads 1") as err:
        snapshot.parse(data)
    assert err.value.other_version == 2


BAD = [
    (lambda d: d.pop("tick"), "tick"),
    (lambda d: d.update(format="other"), "not a room snapshot"),
    (lambda d: d.update(room="no/slash"), "room name"),
    (lambda d: d["players"][0].update(slot=16), "slot"),
    (lambda d: d["players"][1].update(slot=0), "slot 0 appears twice"),
    (lambda d: d["players"][1].update(id="c-a4cf12fe0b1c"), "appears twice"),
    (lambda d: d["players"][0].update(x=float("nan")), "x must be"),
    (lambda d: d["players"][0].update(x=99999), "x must be"),
    (lambda d: d["players"][0].update(hp=101), "hp"),
    (lambda d: d["players"][0].update(score=True), "score"),
    (lambda d: d["players"][0].update(color="red"), "color"),
    (lambda d: d["players"][0].update(kind="robot"), "kind"),
    (lambda d: d["players"][0].update(aim=[1]), "aim"),
    (lambda d: d["round"].update(elapsed=-1), "round.elapsed"),
    (lambda d: d["round"].update(phase="lunch"), "round.phase"),
    (lambda d: d["round"]["history"][0].update(ended_by="luck"), "ended_by"),
    (lambda d: d["round"]["history"][0]["scores"][0].update(score=-2), "score"),
    (lambda d: d.update(players={}), "players"),
    (lambda d: d.update(seq=-1), "seq"),
]


@pytest.mark.parametrize("spoil,reason", BAD)
def test_every_bad_field_is_refused_with_its_name(spoil, reason):
    data = copy.deepcopy(snapshot.dump(played_room(), 0))
    spoil(data)
    with pytest.raises(SnapshotError, match=reason) as err:
        snapshot.parse(data)
    assert err.value.other_version is None


def json_value(rng, depth=0):
    """A random JSON-like value (seeded: the same cases on every run)."""
    pick = rng.randrange(9 if depth < 3 else 6)
    leaves = [None, True, rng.randint(-(2**40), 2**40), rng.uniform(-1e6, 1e6), float("inf"), ""]
    if pick < 6:
        return leaves[pick] if pick != 5 else "".join(rng.choices("ab#-_9", k=rng.randrange(9)))
    if pick < 8:
        return [json_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["id", "x", "n", "slot"]): json_value(rng, depth + 1) for _ in range(3)}


def test_parse_of_anything_either_succeeds_or_raises_snapshot_error():
    rng = random.Random(12)
    for _ in range(500):
        try:
            snapshot.parse(json_value(rng))
        except SnapshotError:
            pass


def _replace(data, path, value):
    node = data
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


def _paths(node, prefix=()):
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return [prefix]
    return [prefix] + [p for k, v in items for p in _paths(v, prefix + (k,))]


def test_a_snapshot_with_any_one_value_replaced_is_refused_or_restores_and_plays():
    """Every field, at every depth, replaced by random values: parse either refuses it or
    what it accepts restores into a room that then plays."""
    rng = random.Random(7)
    paths = [p for p in _paths(snapshot.dump(played_room(), 0)) if p]
    accepted = 0
    for path in paths:
        for _ in range(12):
            data = snapshot.dump(played_room(), 0)
            _replace(data, path, json_value(rng))
            try:
                parsed = snapshot.parse(data)
            except SnapshotError:
                continue
            accepted += 1
            restored, _ = make()
            snapshot.apply(restored, parsed, now=0.0)
            restored.tick(now=1.0, t=0)
    assert accepted  # some replacements are valid (e.g. a null seq), so both branches ran
