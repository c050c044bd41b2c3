"""The rules on maps with cover: walls block players, shots and blinks; spawns are fair."""

import math
import random

import gamekit
import pytest
from gamekit import place, steps

from hub import game as g
from hub import maps
from hub.arena import Arena, Pillar, Wall


def make(arena, n=2, seed=1, **kw):
    return gamekit.make(n, seed, arena=arena, **kw)


def wall_between():
    return Arena("t", 1600, 900, [Wall(500, 200, 40, 500)])


def test_a_player_walking_into_a_wall_stops_against_it():
    game = make(wall_between(), 1)
    place(game, "p0", 300, 450)
    game.set_stick("p0", 1000, 0)
    steps(game, 2000)
    p = game.players["p0"]
    assert (p.x, p.y) == pytest.approx((500 - g.RADIUS, 450))


def test_a_player_walking_diagonally_into_a_wall_slides_along_it():
    game = make(wall_between(), 1)
    place(game, "p0", 470, 450)
    game.set_stick("p0", 707, 707)
    steps(game, 500)
    p = game.players["p0"]
    assert p.x == pytest.approx(480)
    assert p.y == pytest.approx(450 + g.SPEED * 0.5 * 0.707, rel=0.03)


def test_a_shot_stops_at_a_wall_and_does_not_hit_the_player_behind_it():
    game = make(wall_between())
    place(game, "p0", 300, 450)
    place(game, "p1", 700, 450)
    assert game.shoot("p0") is not None
    events = steps(game, 1000)
    assert not [e for e in events if e["type"] == "hit"]
    assert game.players["p1"].hp == g.MAX_HP
    assert game.projectiles == {}


def test_a_shot_stops_where_it_touches_the_wall():
    game = make(wall_between(), 1)
    place(game, "p0", 300, 450)
    game.shoot("p0")
    seen = []
    for _ in range(60):
        game.step()
        seen += [s.x for s in game.projectiles.values()]
    assert max(seen) <= 500 - g.SHOT_RADIUS + 1e-6


def test_a_shot_past_the_end_of_a_wall_still_hits():
    game = make(wall_between())
    place(game, "p0", 300, 800)
    place(game, "p1", 700, 800)
    game.shoot("p0")
    events = steps(game, 1000)
    assert [e["id"] for e in events if e["type"] == "hit"] == ["p1"]


def test_shooting_point_blank_into_a_wall_goes_nowhere():
    game = make(wall_between())
    place(game, "p0", 500 - g.RADIUS, 450)  # touching the wall, aiming into it
    place(game, "p1", 500 + 40 + g.RADIUS, 450)  # touching it on the other side
    assert game.shoot("p0") is not None  # the shot is fired (cooldown starts) ...
    events = steps(game, 500)
    assert not [e for e in events if e["type"] == "hit"]  # ... and dies in the wall
    assert game.projectiles == {}


def test_a_shot_hits_a_player_standing_against_the_wall_it_strikes():
    game = make(wall_between())
    place(game, "p0", 200, 450)
    place(game, "p1", 500 - g.RADIUS, 450)
    game.shoot("p0")
    events = steps(game, 1000)
    assert [e["id"] for e in events if e["type"] == "hit"] == ["p1"]


def test_a_blink_toward_a_wall_ends_on_this_side_outside_it():
    game = make(wall_between(), 1)
    place(game, "p0", 400, 450)
    ev = game.blink("p0")
    x, y = ev["to"]
    assert 470 < x < 480 and y == 450
    assert game.arena.free(x, y, g.RADIUS)


def test_a_blink_into_a_pillar_ends_outside_it():
    game = make(Arena("t", 1600, 900, [Pillar(600, 450, 60)]), 1)
    place(game, "p0", 450, 450)
    ev = game.blink("p0")
    x, _ = ev["to"]
    assert x == pytest.approx(600 - 60 - g.RADIUS, abs=1)


@pytest.mark.parametrize("name", maps.NAMES)
def test_spawns_are_free_of_obstacles_with_room_around(name):
    game = make(maps.load(name), 8, seed=3)
    for _ in range(50):
        x, y = game.spawn_point("p0")
        assert game.arena.free(x, y, g.RADIUS, g.SPAWN_CLEARANCE)
    for p in game.players.values():
        assert game.arena.free(p.x, p.y, g.RADIUS)


def test_a_respawn_is_as_far_from_the_enemies_as_its_tries_allow():
    arena, enemy = maps.load("pillars"), (400, 450)
    for seed in range(20):
        lone = g.Game(rng=random.Random(seed), arena=arena).spawn_point()  # first free try
        game = make(arena, 1)
        place(game, "p0", *enemy)
        game.rng = random.Random(seed)  # the same tries, now judged by distance
        spot = game.spawn_point("p1")
        assert math.dist(spot, enemy) >= min(math.dist(lone, enemy), g.SPAWN_FAR_ENOUGH)
    game.rng = random.Random(9)
    nearest = min(math.dist(game.spawn_point("p1"), enemy) for _ in range(200))
    assert nearest > 400  # over many respawns, never next to the enemy


def test_a_player_is_not_its_own_enemy():
    game = make(maps.load("open"), 1)
    place(game, "p0", 800, 450)
    game.rng = random.Random(4)
    assert game.spawn_point("p0") == g.Game(rng=random.Random(4)).spawn_point()


def test_spawns_are_the_same_for_the_same_seed():
    a = make(maps.load("bunkers"), 4, seed=11)
    b = make(maps.load("bunkers"), 4, seed=11)
    assert [(p.x, p.y) for p in a.players.values()] == [(p.x, p.y) for p in b.players.values()]
    c = make(maps.load("bunkers"), 4, seed=12)
    assert [(p.x, p.y) for p in a.players.values()] != [(p.x, p.y) for p in c.players.values()]


def test_a_new_round_spreads_players_apart():
    game = make(maps.load("crossroads"), 4, seed=6, round_ms=1000)
    for p in game.players.values():
        place(game, p.id, 800, 150)  # everyone in a heap
    steps(game, 1100)
    pts = [(p.x, p.y) for p in game.players.values()]
    closest = min(math.dist(a, b) for i, a in enumerate(pts) for b in pts[i + 1 :])
    assert closest > 300
    assert all(game.arena.free(x, y, g.RADIUS) for x, y in pts)


def test_wire_rules_carry_the_map_as_plain_data():
    game = g.Game(arena=maps.load("bunkers"))
    rules = game.wire_rules()
    assert rules["map"]["name"] == "bunkers"
    assert rules["map"]["obstacles"][0] == {"kind": "wall", "x": 380, "y": 170, "w": 40, "h": 200}
    assert g.wire_rules()["map"] == {"name": "open", "w": 1600, "h": 900, "obstacles": []}
    assert rules["radius"] == g.RADIUS and rules["arena_w"] == 1600


def test_the_default_game_is_the_open_arena():
    assert g.Game().arena.name == "open" and g.Game().arena.obstacles == []
