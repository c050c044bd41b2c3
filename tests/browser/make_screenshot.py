"""Regenerate docs/screenshot.png: a real hub, four controllers, a keyboard player, mid-fight.

.venv/bin/python tests/browser/make_screenshot.py [OUT.png]
"""

import math
import sys
import time
from pathlib import Path

from browserkit import ROOT, Controller, HubProcess, launch, open_game, player, wait_player
from playwright.sync_api import sync_playwright

SIZE = (1600, 900)
# name, device id, where to stand, whom to shoot at
CAST = [
    ("Ada", "ada0ada0ada0", (380, 300), "Bob"),
    ("Bob", "b0b0b0b0b0b0", (1150, 260), "Cy"),
    ("Cy", "c0c0c0c0c0c0", (760, 640), "Ada"),
    ("Dee", "d0d0d0d0d0d0", (1260, 640), "Cy"),
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


def aim_at(page, ctl, name, other):
    me, them = player(page, name), player(page, other)
    ctl.aim(them["x"] - me["x"], them["y"] - me["y"])


def make(out: Path, browser, hub):
    ctls = {name: Controller(hub, name, dev) for name, dev, _, _ in CAST}
    page = open_game(browser, hub, "?play=Kim", viewport=SIZE)
    kim = page  # the screenshot window also plays, as Kim
    for name, _, spot, _ in CAST:
        wait_player(page, name)
        walk_to(page, ctls[name], name, spot)
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
    walk_to(page, ctls["Bob"], "Bob", CAST[1][2])
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
    for c in ctls.values():
        c.close()
    page.close()


def page_point(page, p):
    """CSS pixel of a world point (the arena fills the 16:9 window exactly)."""
    return p["x"] * SIZE[0] / 1600, p["y"] * SIZE[1] / 900


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.png"
    with HubProcess() as hub, sync_playwright() as pw:
        browser = launch(pw)
        try:
            make(out, browser, hub)
        finally:
            browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
