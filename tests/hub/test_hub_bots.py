"""Bots: seeded decisions from a snapshot, played as controller input frames through a Room."""

import json
import math
import random

import pytest

from hub import bots, maps
from hub import game as g
from hub.arena import Arena, Wall
from hub.codec import decode_controller
from hub.rooms import MAX_PLAYERS, Room

DT = 1 / g.TICK_HZ


class Sim:
    """A room on a map with bots driven through the controller path, on a made-up clock."""

    def __init__(self, arena, level="normal", seed=1):
        self.game = g.Game(rng=random.Random(seed), arena=arena)
        self.events = []
        publish = lambda text, key: self.events.append(json.loads(text))  # noqa: E731
        self.room = Room("t", publish, lambda *a: None, game=self.game)
        self.driver = bots.BotDriver(arena, seed=seed, level=level)
        self.now = 0.0
        self.frames = []

    def add(self, pid, x, y, bot=True, level=None):
        self.room.attach(pid, "bot" if bot else "controller", pid, object(), 0)
        p = self.game.players[pid]
        p.x, p.y = x, y
        if bot:
            self.driver.add(pid, level)
        return p

    def run(self, seconds):
        for _ in range(round(seconds / DT)):
            self.now += DT
            t = self.now * 1000
            self.room.tick(self.now, t)
            for pid, frame in self.driver.tick(self.game.snapshot(), t):
                self.frames.append((t, pid, frame))
                self.room.input(pid, decode_controller(frame), t)
        return self

    def of(self, kind):
        return [e for e in self.events if e["type"] == kind]


def open_arena():
    return maps.load("open")


def duel(level, seed, seconds=6.0, enemy_at=(1100, 450)):
    sim = Sim(open_arena(), level, seed)
    sim.add("bot", 500, 450)
    sim.add("dummy", *enemy_at, bot=False)
    return sim.run(seconds)


def test_the_first_frame_sets_the_baseline_and_every_frame_is_a_valid_input_frame():
    sim = duel("normal", 1, seconds=2)
    frames = [f for _, pid, f in sim.frames if pid == "bot"]
    first = decode_controller(frames[0])
    assert first["presses"] == [0, 0, 0] and (first["x"], first["y"]) == (0, 0)
    seqs = [decode_controller(f)["seq"] for f in frames]
    assert seqs == list(range(1, len(frames) + 1))  # numbered like a controller's frames
    for f in frames:
        assert len(f) == 11 and f[0] == 0x01


def test_same_seed_same_frames_and_another_seed_plays_differently():
    a, b, c = duel("normal", 7), duel("normal", 7), duel("normal", 8)
    assert a.frames == b.frames and len(a.frames) > 5
    assert a.frames != c.frames


def test_a_bot_aims_its_shots_at_the_enemy():
    sim = duel("hard", 3, seconds=3)
    shots = [e for e in sim.of("shoot") if e["id"] == "bot"]
    assert shots, "the bot never fired"
    for s in shots:
        pr = s["projectile"]
        dummy = sim.game.players["dummy"]
        want = math.atan2(dummy.y - pr["y"], dummy.x - pr["x"])
        got = math.atan2(pr["vy"], pr["vx"])
        assert abs((got - want + math.pi) % (2 * math.pi) - math.pi) < 0.25


def test_a_hard_bot_knocks_out_a_standing_enemy():
    sim = duel("hard", 2, seconds=8)
    assert any(e["id"] == "dummy" and e["dead"] for e in sim.of("hit"))


def test_harder_bots_react_sooner_and_hit_more():
    first_shot, hits = {}, {}
    for level in ("easy", "hard"):
        times, count = [], 0
        for seed in range(6):
            sim = duel(level, seed, seconds=5)
            shots = [t for t, pid, f in sim.frames if decode_controller(f)["presses"][1] > 0]
            times.append(shots[0] if shots else 5000)
            count += len([e for e in sim.of("hit") if e["by"] == "bot"])
        first_shot[level], hits[level] = sum(times) / len(times), count
    assert first_shot["hard"] < first_shot["easy"]
    assert hits["hard"] > hits["easy"] * 1.5


def test_aim_error_grows_as_the_level_gets_easier():
    def spread(level):
        errs = []
        for seed in range(10):
            sim = duel(level, seed, seconds=3)
            for s in sim.of("shoot"):
                pr, d = s["projectile"], sim.game.players["dummy"]
                want = math.atan2(d.y - pr["y"], d.x - pr["x"])
                errs.append(abs(math.atan2(pr["vy"], pr["vx"]) - want))
        return sum(errs) / len(errs)

    assert spread("easy") > spread("normal") > spread("hard")


def test_a_bot_walks_around_a_wall_to_reach_its_target():
    arena = Arena("t", 1600, 900, [Wall(780, 200, 40, 500)])
    sim = Sim(arena, "normal", 4)
    bot = sim.add("bot", 600, 450)
    sim.add("dummy", 1000, 450, bot=False)
    sim.run(10)
    assert any(e["by"] == "bot" for e in sim.of("hit")), "never got a clear shot"
    assert arena.free(bot.x, bot.y, g.RADIUS - 1e-6)


def test_steering_turns_away_from_a_wall_ahead():
    arena = Arena("t", 1600, 900, [Wall(500, 0, 40, 900)])
    bot = bots.BotDriver(arena, seed=1).add("b")
    dx, dy = bot._steer(470, 450, 1.0, 0.0)  # the wall is 10 units ahead
    assert dx < 0.01 and abs(dy) > 0.99 or dx < 0  # along the wall or back, never into it
    assert arena.sweep(470, 450, 470 + dx * 60, 450 + dy * 60, g.RADIUS) == 1.0


def test_bots_on_every_map_stay_out_of_obstacles_and_keep_playing():
    for name in maps.NAMES:
        sim = Sim(maps.load(name), "normal", 5)
        for i, (x, y) in enumerate([(100, 100), (1500, 800), (1500, 100), (100, 800)]):
            sim.add(f"b{i}", *sim.game.arena.push_out(x, y, g.RADIUS))
        sim.run(12)
        for p in sim.game.players.values():
            assert sim.game.arena.free(p.x, p.y, g.RADIUS - 1e-6)
        assert len(sim.of("shoot")) > 10, name
        assert len(sim.of("hit")) > 0, name


def test_a_hard_bot_blinks_out_of_the_way_of_a_shot_about_to_hit():
    arena = open_arena()
    bot = bots.BotDriver(arena, seed=1, level="hard").add("b")
    me = {"id": "b", "alive": True, "x": 800.0, "y": 450.0, "blink_cd": 0, "shoot_cd": 0}
    shot = {"owner": "x", "x": 700.0, "y": 452.0, "vx": 750.0, "vy": 0.0}
    stick, blink, shoot = bot.decide({"players": [me], "projectiles": [shot]}, 0)
    assert blink and not shoot
    assert abs(stick[0]) < 50 and abs(stick[1]) > 900  # sideways, out of the shot's line


def test_an_easy_bot_does_not_dodge_and_a_normal_one_steps_aside():
    arena = open_arena()
    me = {"id": "b", "alive": True, "x": 800.0, "y": 450.0, "blink_cd": 0, "shoot_cd": 500}
    foe = {"id": "f", "alive": True, "x": 1300.0, "y": 450.0, "blink_cd": 0, "shoot_cd": 0}
    shot = {"owner": "f", "x": 1000.0, "y": 450.0, "vx": -750.0, "vy": 0.0}
    snap = {"players": [me, foe], "projectiles": [shot]}
    normal = bots.BotDriver(arena, seed=1, level="normal").add("b").decide(snap, 0)
    assert normal[1] is False and abs(normal[0][1]) > 900  # steps aside, keeps its blink
    easy = bots.BotDriver(arena, seed=1, level="easy").add("b").decide(snap, 0)
    assert easy[0] == (1000, 0)  # walks on toward the far enemy, into the shot


def test_a_knocked_out_bot_lets_go_of_the_stick():
    bot = bots.BotDriver(open_arena()).add("b")
    me = {"id": "b", "alive": False, "x": 1.0, "y": 1.0, "blink_cd": 0, "shoot_cd": 0}
    assert bot.decide({"players": [me], "projectiles": []}, 0) == ((0, 0), False, False)
    assert bot.decide({"players": [], "projectiles": []}, 0) is None  # not in the game


@pytest.mark.parametrize(
    ("limit", "humans", "want"),
    [(0, 0, 0), (0, 3, 0), (1, 0, 0), (1, 1, 1), (1, 2, 0), (3, 0, 0), (3, 1, 3), (3, 2, 2),
     (3, 4, 0), (3, 9, 0)],
)  # fmt: skip
def test_bots_play_only_with_humans_and_make_room_as_they_join(limit, humans, want):
    assert bots.bots_wanted(limit, humans) == want


def test_an_unknown_level_names_the_choices():
    with pytest.raises(ValueError, match="easy, normal, hard"):
        bots.BotDriver(open_arena(), level="godlike")


# In a room: bots join and leave as humans come and go, through the room's own paths.


def room_with_bots(limit, level="normal", arena=None):
    game = g.Game(rng=random.Random(3), arena=arena or open_arena())
    events = []
    room = Room("t", lambda text, key: events.append(json.loads(text)), lambda *a: None, game=game)
    room.bots = bots.RoomBots(game.arena, limit, level, seed=5)
    return room, events


def tick_for(room, start, seconds):
    now = start
    for _ in range(round(seconds / DT)):
        now += DT
        room.tick(now, now * 1000)
    return now


def kinds(room):
    return sorted(s.kind for s in room.seats.values())


def test_bots_join_a_lone_human_and_leave_one_by_one_as_humans_come():
    room, events = room_with_bots(2)
    now = tick_for(room, 0, 0.1)
    assert room.seats == {}, "no bots for an empty room"
    room.attach("h1", "controller", "Ada", object(), 0)
    now = tick_for(room, now, 0.1)
    assert kinds(room) == ["bot", "bot", "controller"]
    made = [
        e["player"] for e in events if e["type"] == "create_player" and e["player"]["kind"] == "bot"
    ]
    assert [p["name"] for p in made] == ["Volt", "Ember"]
    room.attach("h2", "keyboard", "Kim", object(), 0)
    now = tick_for(room, now, 0.1)
    assert kinds(room) == ["bot", "controller", "keyboard"]
    assert [e["id"] for e in events if e["type"] == "remove_player"] == ["b-2"]  # newest first
    room.remove("h1", 0)
    room.remove("h2", 0)
    tick_for(room, now, 0.1)
    assert room.seats == {} and room.bots.driver.bots == {}


def test_room_bots_play_through_the_input_path():
    room, events = room_with_bots(1, level="hard")
    h = room.attach("h1", "controller", "Ada", object(), 0)[0]
    room.game.players["h1"].x, room.game.players["h1"].y = 1100, 450
    tick_for(room, 0, 0.05)
    (bot_id,) = [pid for pid, s in room.seats.items() if s.kind == "bot"]
    room.game.players[bot_id].x, room.game.players[bot_id].y = 500, 450
    tick_for(room, 1, 4)
    moves = [e for e in events if e["type"] == "move" and e["id"] == bot_id]
    shots = [e for e in events if e["type"] == "shoot" and e["id"] == bot_id]
    assert moves and shots and all("cseq" in e for e in moves + shots)  # relayed as inputs are
    assert any(e["type"] == "hit" and e["id"] == "h1" for e in events)
    assert h.kind == "controller"


def test_a_full_room_always_keeps_a_seat_for_the_next_human():
    room, _ = room_with_bots(15)
    room.attach("h1", "controller", "Ada", object(), 0)
    now = tick_for(room, 0, 0.1)
    assert len(room.seats) == MAX_PLAYERS - 1
    room.attach("h2", "controller", "Bo", object(), 0)  # gets in at once
    tick_for(room, now, 0.1)
    assert len(room.seats) == MAX_PLAYERS - 1 and kinds(room).count("controller") == 2


def test_the_driver_builds_a_snapshot_only_when_a_bot_is_due():
    driver = bots.BotDriver(open_arena(), seed=1, level="easy")
    driver.add("b")
    snap = {"players": [{"id": "b", "alive": False, "x": 1, "y": 1, "blink_cd": 0,
                         "shoot_cd": 0}], "projectiles": []}  # fmt: skip
    built = []

    def snapshot():
        built.append(1)
        return snap

    assert len(driver.tick(snapshot, 0)) == 1  # the baseline frame
    driver.tick(snapshot, 10)  # first look
    n = len(built)
    for t in range(20, 200, 17):  # well within an easy bot's reaction time
        driver.tick(snapshot, t)
    assert len(built) == n
    driver.tick(snapshot, 5000)
    assert len(built) == n + 1
