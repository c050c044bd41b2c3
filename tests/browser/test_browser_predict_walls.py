"""The page's prediction stops at the map's walls where the hub does (issue 14): a player
pushed into a wall, and then sliding along it, is drawn at the wall's face in every frame, not
inside it until the next state pulls it back."""

import time

from browserkit import Controller, HubProcess, player, route, settled, wait_player
from make_screenshot import walk_to
from test_browser_predict import open_recording, records

from hub import maps

TOLERANCE = 2.0  # world units (the arena is 1600 wide)
WALL = (380, 170, 40, 200)  # bunkers: the left quarter line's upper wall (x, y, w, h)


def test_a_player_pushed_into_a_wall_is_drawn_where_the_hub_has_it(browser):
    with HubProcess("--map", "bunkers") as hub:
        page = open_recording(browser, hub)
        c = Controller(hub, "Wally", "3a11a11a11a1")
        try:
            wait_player(page, "Wally")
            radius = page.evaluate("window.blinkshot.client.welcome.rules.radius")
            face = WALL[0] - radius  # the furthest right a player left of the wall gets
            me = wait_player(page, "Wally")
            start = (WALL[0] - 90, WALL[1] + 90)
            for leg in route(maps.load("bunkers"), (me["x"], me["y"]), start, radius):
                walk_to(page, c, "Wally", leg)
            settled([page], "Wally")
            page.evaluate("window.__frames.length = 0")
            c.stick(1000, 0)  # into the wall, and on against it
            time.sleep(0.7)
            pushed = len(page.evaluate("window.__frames"))
            c.stick(600, 800)  # still into it, sliding down its face
            time.sleep(0.25)
            c.stick(0, 0)
            _, frames = records(page)
            me = player(page, "Wally")["id"]
            at_wall = settled([page], "Wally")
        finally:
            c.close()
        drawn = [(x, y) for f in frames for pid, x, y in f["players"] if pid == me and x]
        assert len(drawn) > 30
        assert abs(at_wall["x"] - face) < 0.5, "the hub stops the player at the wall's face"
        worst = max(x for x, _ in drawn)
        assert worst <= face + TOLERANCE, f"drawn {worst - face:.1f} units inside the wall"
        arrived = [x for x, _ in drawn[:pushed] if x > face - 1]
        assert len(arrived) > 10, "the push reached the wall and stayed there"
        slide = [(x, y) for x, y in drawn[pushed:] if WALL[1] + 100 < y < WALL[1] + WALL[3]]
        assert len(slide) > 3, "frames drawn while sliding along the wall"
        assert all(abs(x - face) <= TOLERANCE for x, _ in slide), slide
        assert page.errors == []
        page.close()
