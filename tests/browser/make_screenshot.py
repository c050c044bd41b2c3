"""Regenerate the README's pictures from a real hub and real Chromium:

- docs/screenshot.png: a round on the bunkers map, four controllers, a keyboard player and two
  bots, mid-fight (``make``);
- docs/screenshot-phone.png: the same game watched on a phone held upright (390 x 844);
- docs/screenshot-podium.png and docs/screenshot-lobby.png: the podium after a round, then the
  waiting card with the bots control and the last rounds (``make_lobby``).

.venv/bin/python tests/browser/make_screenshot.py [OUT_DIR]
"""

import math
import sys
import time
from pathlib import Path

from browserkit import (
    ROOT,
    Controller,
    HubProcess,
    approach,
    launch,
    open_game,
    player,
    route,
    shoot_until_dead,
    wait_js,
    wait_player,
)
from playwright.sync_api import sync_playwright

from hub import maps

SIZE = (1600, 900)
PHONE = (390, 844)
# name, device id, where to stand (free on every map), whom to shoot at
CAST = [
    ("Ada", "ada0ada0ada0", (300, 290), "Bob"),
    ("Bob", "b0b0b0b0b0b0", (1090, 230), "Cy"),
    ("Cy", "c0c0c0c0c0c0", (760, 670), "Ada"),
    ("Dee", "d0d0d0d0d0d0", (1300, 640), "Cy"),
]


def walk_to(page, ctl, name, target, tolerance=12):
    """Steer a controller's player to ``target`` with its stick, watching the game page."""
    for _ in range(300):
        p = player(page, name)
        dx, dy = target[0] - p["x"], target[1] - p["y"]
        d = math.hypot(dx, dy)
        if d < tolerance:
            break
        k = 1000 if d > 80 else 300
        ctl.stick(round(dx / d * k), round(dy / d * k))
        time.sleep(0.03)
    ctl.stick(0, 0)


def go_to(page, ctl, name, target, arena):
    """Walk around the map's obstacles to ``target``."""
    me = player(page, name)
    for leg in route(arena, (me["x"], me["y"]), target, 18):
        walk_to(page, ctl, name, leg)


def aim_at(page, ctl, name, other):
    me, them = player(page, name), player(page, other)
    ctl.aim(them["x"] - me["x"], them["y"] - me["y"])


def make(out: Path, browser, hub, map_name="open", phone_out: Path | None = None):
    arena = maps.load(map_name)
    ctls = {name: Controller(hub, name, dev) for name, dev, _, _ in CAST}
    page = open_game(browser, hub, "?play=Kim", viewport=SIZE)
    kim = page  # the screenshot window also plays, as Kim
    for name, _, spot, _ in CAST:
        wait_player(page, name)
        go_to(page, ctls[name], name, spot, arena)
    # Kim walks into the middle.
    me = wait_player(page, "Kim")
    key = "KeyD" if me["x"] < 900 else "KeyA"
    kim.keyboard.down(key)
    time.sleep(abs(900 - me["x"]) / 320)
    kim.keyboard.up(key)
    # Some fighting first: Dee knocks Bob out (a score), a few hits (HP bars differ).
    aim_at(page, ctls["Dee"], "Dee", "Bob")
    for _ in range(4):
        ctls["Dee"].tap("shoot")
        time.sleep(0.45)
    for name, _, _, target in CAST[:3]:
        aim_at(page, ctls[name], name, target)
        ctls[name].tap("shoot")
    page.evaluate("window.blinkshot.client.chat('gg')")
    wait_player(page, "Bob", "p.alive")
    go_to(page, ctls["Bob"], "Bob", CAST[1][2], arena)
    ctls["Bob"].tap("shoot")  # Bob's aim still points where he walked: a stray shot
    for name, _, _, target in CAST:
        aim_at(page, ctls[name], name, target)
    page.keyboard.press("KeyL")  # the latency overlay
    page.mouse.move(*page_point(page, player(page, "Bob")))
    for name, *_ in CAST:
        ctls[name].tap("shoot")
    page.keyboard.press("KeyF")
    time.sleep(0.17)
    ctls["Dee"].tap("blink")
    time.sleep(0.15)  # projectiles mid-flight, blink trail fresh (drawn 100 ms behind)
    page.screenshot(path=str(out))
    if phone_out is not None:
        phone = open_game(browser, hub, viewport=PHONE)
        wait_js(phone, "document.querySelectorAll('#chat-log li').length > 3")  # the backlog
        for name, *_ in CAST:
            ctls[name].tap("shoot")
        time.sleep(0.2)
        phone.screenshot(path=str(phone_out))
        phone.close()
    for c in ctls.values():
        c.close()
    page.close()


def make_lobby(podium_out: Path, lobby_out: Path, browser, hub):
    """A round to one knock-out, its podium, then (Bob gone) the waiting card."""
    page = open_game(browser, hub, viewport=(1280, 720))
    ada, bob = Controller(hub, "Ada", "ada1ada1ada1"), Controller(hub, "Bob", "b1b1b1b1b1b1")
    try:
        wait_js(page, "window.blinkshot.state().round.phase === 'playing'", timeout=15_000)
        approach([page], ada, "Ada", "Bob", within=260)
        shoot_until_dead([page], ada, player(page, "Bob")["id"])
        wait_js(page, "document.getElementById('lobby').className === 'podium'")
        time.sleep(0.5)
        page.screenshot(path=str(podium_out))
        bob.close()
        wait_js(page, "document.getElementById('lobby').className === 'waiting'", timeout=15_000)
        time.sleep(0.3)
        page.screenshot(path=str(lobby_out))
    finally:
        ada.close()
        page.close()


def page_point(page, p):
    """CSS pixel of a world point: the canvas's box, letterboxed to the arena's shape."""
    c = page.evaluate(
        "(() => { const r = document.getElementById('arena').getBoundingClientRect();"
        " return [r.left, r.top, r.width, r.height]; })()"
    )
    scale = min(c[2] / 1600, c[3] / 900)
    ox, oy = c[0] + (c[2] - 1600 * scale) / 2, c[1] + (c[3] - 900 * scale) / 2
    return ox + p["x"] * scale, oy + p["y"] * scale


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    round_hub = HubProcess("--map", "bunkers", "--bots", "6", "--bot-level", "easy")
    lobby_hub = HubProcess("--map", "bunkers", "--score-limit", "1",
                           env={"BLINKSHOT_NO_LOBBY": "0"})  # fmt: skip
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            with round_hub as hub:
                make(out / "screenshot.png", browser, hub, "bunkers", out / "screenshot-phone.png")
            with lobby_hub as hub:
                shots = out / "screenshot-podium.png", out / "screenshot-lobby.png"
                make_lobby(*shots, browser, hub)
        finally:
            browser.close()
    print(f"wrote the screenshots in {out}")


if __name__ == "__main__":
    main()
