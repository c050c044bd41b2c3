"""Gamepads in real Chromium, with a stand-in for navigator.getGamepads (no pad is plugged into
a test machine): Start joins as a gamepad player, the sticks and buttons play, several pads
are several players, Start again leaves."""

import pytest
from browserkit import TIMEOUT_MS, events, wait_js

STAND_IN = """
window.__pads = [null, null, null, null];
const button = (v) => ({ pressed: v > 0.5, touched: v > 0, value: v });
window.__setPad = (i, axes = [0, 0, 0, 0], held = {}) => {
  window.__pads[i] = {
    index: i, id: `Test pad ${i} (STANDARD GAMEPAD)`, mapping: "standard", connected: true,
    timestamp: performance.now(), axes,
    buttons: Array.from({ length: 17 }, (_, b) => button(held[b] ?? 0)),
  };
};
window.__unplug = (i) => { window.__pads[i] = null; };
Object.defineProperty(Navigator.prototype, "getGamepads", {
  value: () => window.__pads, configurable: true,
});
"""
START, A = 9, 0


@pytest.fixture()
def page(browser, hub):
    p = browser.new_page(viewport={"width": 1280, "height": 720})
    errors = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.add_init_script(STAND_IN)
    p.goto(f"{hub.http_url}/")
    wait_js(p, "window.blinkshot && window.blinkshot.client.connected && window.blinkshot.pads")
    yield p
    assert errors == [], f"page errors: {errors}"
    p.close()


# The page polls the pads once per animation frame: two frames later, it has seen a change.
FRAMES = "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def press(page, i, button, axes=(0, 0, 0, 0)):
    """Hold ``button`` on pad ``i`` until the page has polled it, then let go."""
    page.evaluate(
        f"async ([i, axes, b]) => {{ window.__setPad(i, axes, {{ [b]: 1 }}); await {FRAMES}; }}",
        [i, list(axes), button],
    )
    page.evaluate(
        f"async ([i, axes]) => {{ window.__setPad(i, axes); await {FRAMES}; }}", [i, list(axes)]
    )


def pad_player(page, i, cond="true"):
    """Wait for the player of pad ``i`` on this page (by its join id) to satisfy ``cond``."""
    fn = (
        "(i) => { const c = window.blinkshot.pads.clients.get(i);"
        " const s = window.blinkshot.state();"
        " const p = c && s && s.players.find((q) => q.id === c.player);"
        f" return p && ({cond}) ? p : null; }}"
    )
    return page.wait_for_function(fn, arg=i, timeout=TIMEOUT_MS).json_value()


def stick(page, i, axes):
    page.evaluate("([i, axes]) => window.__setPad(i, axes)", [i, list(axes)])


def test_start_joins_a_gamepad_player_that_moves_and_shoots(page):
    stick(page, 0, (0, 0, 0, 0))
    assert page.evaluate("window.blinkshot.state().players.length") == 0
    press(page, 0, START)
    p = pad_player(page, 0, "p.connected")
    assert p["kind"] == "gamepad" and p["name"] == "Pad 1"
    wait_js(page, "document.querySelector('#score-list').textContent.includes('gamepad')")
    x0 = p["x"]
    direction = 1 if x0 < 800 else -1
    stick(page, 0, (direction, 0, 0, 0))
    pad_player(page, 0, f"({direction}) * (p.x - {x0}) > 60")
    stick(page, 0, (0, 0, 0, 0))
    press(page, 0, A)
    wait_js(
        page,
        "(id) => window.blinkshot.events.some((e) => e.type === 'shoot' && e.id === id)",
        p["id"],
    )


def test_two_pads_are_two_players_and_start_again_leaves(page):
    press(page, 0, START)
    press(page, 1, START)
    one = pad_player(page, 0, "p.connected")
    two = pad_player(page, 1, "p.connected")
    assert one["id"] != two["id"] and {one["kind"], two["kind"]} == {"gamepad"}
    # The right stick aims pad 2's player without moving it much; A fires that way.
    press(page, 1, A, axes=(0, 0, 0, -1))
    shot = wait_js(
        page,
        "(id) => window.blinkshot.events.find((e) => e.type === 'shoot' && e.id === id)",
        two["id"],
    )
    assert shot["projectile"]["vy"] < -700 and abs(shot["projectile"]["vx"]) < 1
    press(page, 0, START)  # pad 1 leaves: its connection closes, the player waits in grace
    wait_js(
        page,
        "(id) => window.blinkshot.state().players.some((p) => p.id === id && !p.connected)",
        one["id"],
    )
    assert pad_player(page, 1)["connected"]
    page.evaluate("window.__unplug(1)")
    wait_js(
        page,
        "(id) => window.blinkshot.state().players.some((p) => p.id === id && !p.connected)",
        two["id"],
    )
    assert [e for e in events(page, "shoot") if e["id"] == one["id"]] == []
