"""Arena geometry and the maps: walls and pillars, push-out, sweeps, blinks; every map valid."""

import json
import math
import random
from pathlib import Path

import pytest

from hub import maps
from hub.arena import Arena, Pillar, Wall
from hub.game import RADIUS

R = RADIUS


def box(*obstacles):
    return Arena("t", 1600, 900, obstacles)


# Push-out ------------------------------------------------------------------------------------


def test_circle_touching_nothing_stays_where_it_is():
    a = box(Wall(500, 300, 100, 100), Pillar(1000, 450, 50))
    assert a.push_out(300, 300, R) == (300, 300)


def test_circle_overlapping_a_wall_side_is_pushed_to_just_touch_it():
    a = box(Wall(500, 300, 100, 100))
    assert a.push_out(490, 350, R) == pytest.approx((480, 350))  # left side
    assert a.push_out(550, 410, R) == pytest.approx((550, 420))  # bottom side


def test_circle_overlapping_a_wall_corner_is_pushed_out_diagonally():
    a = box(Wall(500, 300, 100, 100))
    x, y = a.push_out(490, 290, R)
    assert math.hypot(x - 500, y - 300) == pytest.approx(R)
    assert x < 500 and y < 300


def test_centre_inside_a_wall_leaves_through_the_nearest_side():
    a = box(Wall(500, 300, 100, 100))
    assert a.push_out(590, 360, R) == pytest.approx((620, 360))


def test_circle_overlapping_a_pillar_is_pushed_out_radially():
    a = box(Pillar(800, 450, 50))
    x, y = a.push_out(800 + 30, 450 + 40, R)  # 50 from the centre, needs 70
    assert math.hypot(x - 800, y - 450) == pytest.approx(70)
    assert (x - 800) / (y - 450) == pytest.approx(30 / 40)


def test_push_out_keeps_the_circle_inside_the_arena():
    a = box()
    assert a.push_out(-50, 2000, R) == (R, 900 - R)


def test_circle_in_the_inside_corner_of_two_walls_ends_free_of_both():
    a = box(Wall(400, 400, 200, 40), Wall(400, 400, 40, 200))  # an L
    x, y = a.push_out(445, 445, R)
    assert a.free(x, y, R)


# Moving --------------------------------------------------------------------------------------


def test_moving_into_a_wall_stops_at_it():
    a = box(Wall(500, 0, 40, 900))
    x, y = 400.0, 450.0
    for _ in range(100):
        x, y = a.move(x, y, 5, 0, R)
    assert (x, y) == pytest.approx((480, 450))


def test_moving_diagonally_into_a_wall_slides_along_it():
    a = box(Wall(500, 0, 40, 900))
    x, y = 480.0, 450.0
    x, y = a.move(x, y, 5, 5, R)
    assert (x, y) == pytest.approx((480, 455))


def test_moving_around_a_pillar_never_enters_it():
    a = box(Pillar(800, 450, 60))
    x, y = 700.0, 452.0
    for _ in range(200):
        x, y = a.move(x, y, 5, 0, R)
        assert math.hypot(x - 800, y - 450) >= 80 - 1e-6
    assert x > 880  # deflected around it, not stuck behind it


# Sweeps (shots) ------------------------------------------------------------------------------


def test_sweep_of_a_clear_path_is_whole():
    a = box(Wall(500, 300, 100, 100))
    assert a.sweep(100, 100, 1500, 100, 8) == 1.0


def test_sweep_stops_where_the_circle_first_touches_a_wall_face():
    a = box(Wall(500, 300, 100, 100))
    f = a.sweep(100, 350, 900, 350, 8)
    assert 100 + 800 * f == pytest.approx(492)


def test_sweep_stops_at_a_wall_corner_it_would_graze():
    a = box(Wall(500, 300, 100, 100))
    f = a.sweep(100, 295, 900, 295, 8)  # 5 above the top side: the corner's rounding hits
    x = 100 + 800 * f
    assert math.hypot(x - 500, 295 - 300) == pytest.approx(8)


def test_sweep_passing_just_outside_reach_is_clear():
    a = box(Wall(500, 300, 100, 100), Pillar(1000, 600, 40))
    assert a.sweep(100, 291, 1500, 291, 8) == 1.0
    assert a.sweep(100, 600 + 49, 1500, 600 + 49, 8) == 1.0


def test_sweep_stops_at_a_pillar():
    a = box(Pillar(1000, 450, 40))
    f = a.sweep(100, 450, 1500, 450, 8)
    assert 100 + 1400 * f == pytest.approx(952)


def test_sweep_starting_inside_an_obstacle_goes_nowhere():
    a = box(Wall(500, 300, 100, 100))
    assert a.sweep(550, 350, 900, 350, 8) == 0.0


def test_sweep_from_touching_goes_along_or_away_but_not_in():
    a = box(Wall(500, 300, 100, 100))
    assert a.sweep(480, 350, 480, 600, R) == 1.0  # along the side
    assert a.sweep(480, 350, 100, 350, R) == 1.0  # away
    assert a.sweep(480, 350, 600, 350, R) == 0.0  # into it


# Blinks --------------------------------------------------------------------------------------


def test_blink_in_the_open_goes_the_whole_distance():
    a = box()
    assert a.blink(400, 450, 1, 0, 200, R) == pytest.approx((600, 450))


def test_blink_toward_a_wall_stops_short_of_it_on_this_side():
    a = box(Wall(500, 0, 40, 900))
    x, y = a.blink(400, 450, 1, 0, 200, R)
    assert x < 480 and x > 470 and y == 450
    assert a.free(x, y, R)


def test_blink_never_passes_through_a_thin_wall():
    a = box(Wall(500, 300, 10, 300))
    x, _ = a.blink(470, 450, 1, 0, 200, R)
    assert x < 500


def test_blink_stops_short_of_the_arena_edge_along_its_path():
    a = box()
    ux, uy = 0.6, -0.8
    x, y = a.blink(400, 100, ux, uy, 200, R)
    assert y == pytest.approx(R)
    assert (x - 400) / (y - 100) == pytest.approx(ux / uy)  # same direction, just shorter


def test_blink_from_against_a_wall_slides_along_it():
    a = box(Wall(500, 0, 40, 900))
    assert a.blink(480, 450, 0, 1, 200, R) == pytest.approx((480, 650))


def test_blinks_in_every_direction_on_every_map_end_free():
    rng = random.Random(7)
    for name in maps.NAMES:
        a = maps.load(name)
        for _ in range(400):
            x, y = rng.uniform(R, a.w - R), rng.uniform(R, a.h - R)
            x, y = a.push_out(x, y, R)
            ang = rng.uniform(0, 2 * math.pi)
            bx, by = a.blink(x, y, math.cos(ang), math.sin(ang), 200, R)
            assert a.free(bx, by, R - 1e-6), (name, x, y, ang)
            assert math.hypot(bx - x, by - y) <= 200 + 1e-6
            # Stops short means on the path: no blinking around a corner.
            assert abs((bx - x) * math.sin(ang) - (by - y) * math.cos(ang)) < 1e-6


# Maps ----------------------------------------------------------------------------------------


def free_cells(a, step=10):
    cells = set()
    for i in range(int((a.w - 2 * R) // step) + 1):
        for j in range(int((a.h - 2 * R) // step) + 1):
            if a.free(R + i * step, R + j * step, R):
                cells.add((i, j))
    return cells


def components(cells):
    left, out = set(cells), []
    while left:
        start = left.pop()
        todo, comp = [start], {start}
        while todo:
            i, j = todo.pop()
            for n in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
                if n in left:
                    left.remove(n)
                    comp.add(n)
                    todo.append(n)
        out.append(comp)
    return out


@pytest.mark.parametrize("name", maps.NAMES)
def test_every_map_is_one_connected_playable_region(name):
    a = maps.load(name)
    cells = free_cells(a)
    comps = components(cells)
    assert len(comps) == 1, f"{name}: {len(comps)} separate regions (a pocket no one can reach)"
    total = (int((a.w - 2 * R) // 10) + 1) * (int((a.h - 2 * R) // 10) + 1)
    assert len(cells) / total > 0.6, f"{name}: obstacles cover too much"


@pytest.mark.parametrize("name", maps.NAMES)
def test_every_map_has_obstacles_inside_the_arena_and_is_mirror_symmetric(name):
    a = maps.load(name)
    wire = a.to_wire()
    assert (wire["w"], wire["h"]) == (1600, 900) and wire["name"] == name
    shapes = set()
    for o in a.obstacles:
        if isinstance(o, Wall):
            assert 0 <= o.x and o.x + o.w <= a.w and 0 <= o.y and o.y + o.h <= a.h
            shapes.add(("w", o.x, o.y, o.w, o.h))
        else:
            assert o.r <= o.x <= a.w - o.r and o.r <= o.y <= a.h - o.r
            shapes.add(("p", o.x, o.y, o.r))
    mirrored = {
        ("w", a.w - s[1] - s[3], s[2], s[3], s[4]) if s[0] == "w" else ("p", a.w - s[1], s[2], s[3])
        for s in shapes
    }
    assert mirrored == shapes, f"{name} is not the same seen from the other side"


def test_every_map_but_open_has_cover():
    for name in maps.NAMES:
        assert (len(maps.load(name).obstacles) > 0) == (name != "open")


def test_unknown_map_names_the_choices():
    with pytest.raises(ValueError, match="open, pillars"):
        maps.load("lava")


def test_wire_form_is_plain_data():
    wire = maps.load("crossroads").to_wire()
    kinds = {o["kind"] for o in wire["obstacles"]}
    assert kinds == {"wall", "pillar"}
    wall = next(o for o in wire["obstacles"] if o["kind"] == "wall")
    assert set(wall) == {"kind", "x", "y", "w", "h"}


# Shared vectors (tests/vectors/arena_v1.json): the page's arena.js checks the same answers.

VECTORS = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors" / "arena_v1.json").read_text()
)


def arena_from_wire(m):
    kinds = {"wall": lambda o: Wall(o["x"], o["y"], o["w"], o["h"]),
             "pillar": lambda o: Pillar(o["x"], o["y"], o["r"])}  # fmt: skip
    return Arena(m["name"], m["w"], m["h"], [kinds[o["kind"]](o) for o in m["obstacles"]])


def test_the_vectors_cover_every_map_with_cover_and_every_operation():
    names = {m["map"]["name"] for m in VECTORS["maps"]}
    assert names == set(maps.NAMES) - {"open"}
    for m in VECTORS["maps"]:
        assert m["map"] == maps.load(m["map"]["name"]).to_wire(), "regenerate the vectors"
        assert {c["op"] for c in m["cases"]} == {"push_out", "move", "sweep", "blink"}
        assert any(c["op"] == "sweep" and c["want"] < 1 for c in m["cases"])


def test_the_hub_reproduces_the_shared_vectors():
    for m in VECTORS["maps"]:
        a = arena_from_wire(m["map"])
        for c in m["cases"]:
            got = getattr(a, c["op"])(*c["args"])
            want = c["want"]
            if isinstance(want, list):
                assert list(got) == pytest.approx(want, abs=1e-9), c
            else:
                assert got == pytest.approx(want, abs=1e-9), c
