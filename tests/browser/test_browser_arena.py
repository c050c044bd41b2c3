"""A map with cover in real Chromium: the page draws the walls the hub sent in welcome (worker
and main-thread renderers alike), and the hub's walls stop a player walking into them."""

import time

import pytest
from browserkit import Controller, HubProcess, open_game, wait_player, wait_until
from test_browser_render import pixels, to_css

from hub import maps

ARENA = maps.load("bunkers")
WALL = (380, 170, 40, 200)  # one of the bunkers walls: x, y, w, h
FLOOR = [(800, 450), (600, 450), (1000, 600)]  # open floor on that map


@pytest.fixture(scope="module")
def hub():
    with HubProcess("--map", "bunkers") as h:
        yield h


@pytest.fixture(scope="module")
def pages(browser, hub):
    worker = open_game(browser, hub)
    main = open_game(browser, hub, "?renderer=main")
    yield {"worker": worker, "main": main}
    for page in (worker, main):
        assert page.errors == [], f"page errors: {page.errors}"
        page.close()


def brightness(rgb):
    return sum(rgb) / 3


def test_the_page_receives_the_map_in_welcome(pages):
    rules = pages["main"].evaluate("window.blinkshot.client.welcome.rules")
    assert rules["map"] == ARENA.to_wire()


@pytest.mark.parametrize("renderer", ["worker", "main"])
def test_every_wall_and_pillar_is_drawn_where_the_hub_has_it(pages, renderer):
    page = pages[renderer]
    inside = []
    for o in ARENA.obstacles:
        inside.append((o.x + o.w / 2, o.y + o.h / 2))
    time.sleep(0.2)  # a few frames after the first state
    got = pixels(page, [to_css(page, x, y) for x, y in inside + FLOOR])
    walls, floor = got[: len(inside)], got[len(inside) :]
    darkest_wall = min(brightness(c) for c in walls)
    brightest_floor = max(brightness(c) for c in floor)
    assert darkest_wall > brightest_floor + 15, (walls, floor)


def clear(a, b):
    return ARENA.sweep(*a, *b, 20) == 1.0


def test_a_player_walking_into_a_wall_stops_against_it(pages, hub):
    from make_screenshot import walk_to

    page = pages["main"]
    ada = Controller(hub, "Ada", "a1a1a1a1a1a1")
    try:
        p = wait_player(page, "Ada")
        # The vertical walls' sides at mid-height, approached from 100 units out; a straight
        # walk there must be clear, so go through the open middle lane first if needed.
        sides = []
        for o in ARENA.obstacles:
            if o.h > o.w:
                mid = o.y + o.h / 2
                sides += [
                    ((o.x - 120, mid), 1, o.x - 20),
                    ((o.x + o.w + 120, mid), -1, o.x + o.w + 20),
                ]
        here = (p["x"], p["y"])
        if not any(clear(here, start) for start, _, _ in sides):
            hop = next(q for q in [(560, 450), (1040, 450), (800, 450)] if clear(here, q))
            walk_to(page, ada, "Ada", hop)
            p = wait_player(page, "Ada")
            here = (p["x"], p["y"])
        start, way, stop_x = next(sd for sd in sides if clear(here, sd[0]))
        walk_to(page, ada, "Ada", start)
        ada.stick(1000 * way, 0)
        time.sleep(1.0)  # 320 units/s: far more than the 100 units to the wall

        def against():
            q = wait_player(page, "Ada")
            return q if abs(q["x"] - stop_x) < 0.5 else None

        q = wait_until(against, what="Ada against the wall")
        assert abs(q["y"] - start[1]) < 15  # stopped, not slid around it
        ada.stick(0, 0)
    finally:
        ada.close()
