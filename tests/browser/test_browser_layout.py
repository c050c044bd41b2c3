"""The game page's layout in real Chromium (issue 14): the HUD never covers the arena, on a
desktop screen, a small laptop, and a phone held upright or sideways; the panels never overlap
the top bar; on a phone the arena stays large enough to watch."""

import pytest
from browserkit import Controller, open_game, wait_js

ARENA = (1600, 900)

# viewport, the narrowest the drawn arena may be (CSS px)
SCREENS = [
    ((1920, 1080), 1300),
    ((1280, 720), 750),
    ((1024, 768), 600),
    ((390, 844), 360),  # a phone upright: the arena as wide as the screen
    ((844, 390), 560),  # sideways: two thirds of the width
]

# Every box the HUD shows, with its rectangle in CSS px (hidden ones left out).
BOXES = """() => [...document.querySelectorAll('#topbar, .panel')]
  .filter((e) => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
  .map((e) => [e.id, e.getBoundingClientRect()])
  .map(([id, r]) => [id, r.left, r.top, r.right, r.bottom])
  .filter(([, l, t, r, b]) => r > l && b > t)"""


def drawn_arena(page):
    """The arena's rectangle as drawn: the canvas, letterboxed to the arena's shape."""
    c = page.evaluate(
        "(() => { const r = document.getElementById('arena')"
        ".getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()"
    )
    scale = min(c[2] / ARENA[0], c[3] / ARENA[1])
    w, h = ARENA[0] * scale, ARENA[1] * scale
    left, top = c[0] + (c[2] - w) / 2, c[1] + (c[3] - h) / 2
    return left, top, left + w, top + h


def overlap(a, b):
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


@pytest.mark.parametrize(
    ("size", "min_width"),
    SCREENS,
    ids=lambda v: f"{v[0]}x{v[1]}" if isinstance(v, tuple) else str(v),
)
def test_the_hud_never_covers_the_arena(browser, hub, size, min_width):
    page = open_game(browser, hub, "?play=Kim", viewport=size)
    c = Controller(hub, "Ada", "1a1a1a1a1a1a")
    try:
        wait_js(page, "window.blinkshot.state().players.length >= 2")
        wait_js(page, "document.querySelectorAll('#score-list li').length >= 2")
        page.evaluate("window.blinkshot.client.chat('a line in the chat')")
        wait_js(page, "document.getElementById('chat-log').children.length > 0")
        arena = drawn_arena(page)
        assert arena[2] - arena[0] >= min_width, arena
        boxes = page.evaluate(BOXES)
        assert {b[0] for b in boxes} >= {"topbar", "scores", "chat", "play"}, boxes
        for name, *rect in boxes:
            assert not overlap(rect, arena), f"#{name} covers the arena: {rect} {arena}"
        top = next(b[1:] for b in boxes if b[0] == "topbar")
        for name, *rect in boxes:
            if name != "topbar":
                assert not overlap(rect, top), f"#{name} overlaps the top bar"
        # What is on top at the arena's corners (where a player was once hidden) is the arena.
        x0, y0, x1, y1 = arena
        for x, y in [(x0 + 3, y0 + 3), (x1 - 3, y0 + 3), (x0 + 3, y1 - 3), (x1 - 3, y1 - 3)]:
            top_id = page.evaluate(f"document.elementFromPoint({x}, {y})?.id")
            assert top_id == "arena", f"({x:.0f}, {y:.0f}) shows #{top_id}"
    finally:
        c.close()
        errors = page.errors
        page.close()
        assert errors == [], errors


def test_hiding_the_pairing_panel_gives_its_room_to_the_arena(browser, hub):
    page = open_game(browser, hub, viewport=(1280, 720))
    try:
        before = drawn_arena(page)
        page.click("#pairing-toggle")
        wait_js(page, "document.getElementById('pairing').hidden")
        after = drawn_arena(page)
        assert after[2] - after[0] > before[2] - before[0] + 100, (before, after)
    finally:
        page.close()
