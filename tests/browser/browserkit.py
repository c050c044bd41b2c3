"""Helpers for the browser tests: launching Chromium, opening game pages, a tiny controller.

The controller here speaks the binary protocol with its own ``struct`` code (not the hub's
codec), so a codec bug on either side shows up as a failing test, not as agreement.
"""

import json
import math
import struct
import sys
import threading
import time
from pathlib import Path

from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hubproc import HubProcess  # noqa: E402, F401  (re-exported for the tests)

from bench import chromium  # noqa: E402

TIMEOUT_MS = 10_000  # generous: only stops hangs
LOBBY = {"BLINKSHOT_NO_LOBBY": "0"}  # a hub with its lobby on (the tests' hubs start without)
CARD = "document.getElementById('lobby')"  # the lobby card (waiting, countdown, podium)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    # Several pages share one headless browser; keep every page's timers and frames running.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]


def chromium_path() -> str:
    """The Chromium to launch (bench/chromium.py: $BLINKSHOT_CHROMIUM, the usual Chromium and
    Chrome names, Playwright's downloaded build). Raises chromium.NoChromium with one message
    that says how to get one."""
    return chromium.resolve()


def launch(pw):
    path = chromium_path()
    try:
        return pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:  # noqa: BLE001  (turned into a message that names the fix)
        raise chromium.NoChromium(chromium.how_to_fix(f"{path} did not start ({exc})")) from exc


def open_game(browser, hub, query="", viewport=(1280, 720), errors=None):
    """A game window on ``hub``, connected and holding a first state."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    errors = errors if errors is not None else []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{hub.http_url}/{query}")
    wait_js(
        page, "window.blinkshot && window.blinkshot.client.connected && window.blinkshot.state()"
    )
    page.errors = errors
    return page


def wait_js(page, expr, arg=None, timeout=TIMEOUT_MS):
    """Wait until ``expr`` (a JS expression or arrow function of ``arg``) is truthy; return it."""
    if expr.lstrip().startswith("("):
        return page.wait_for_function(expr, arg=arg, timeout=timeout).json_value()
    return page.wait_for_function(f"() => {expr}", timeout=timeout).json_value()


def state(page):
    return page.evaluate("window.blinkshot.state()")


def player(page, name):
    s = state(page)
    return next((p for p in s["players"] if p["name"] == name), None) if s else None


def wait_player(page, name, cond="true", timeout=TIMEOUT_MS):
    """Wait for the player called ``name`` to satisfy ``cond`` (JS, over ``p``); return it."""
    fn = (
        "(name) => { const s = window.blinkshot.state(); const p = s && "
        f"s.players.find((q) => q.name === name); return p && ({cond}) ? p : null; }}"
    )
    return page.wait_for_function(fn, arg=name, timeout=timeout).json_value()


def events(page, kind=None):
    evs = page.evaluate(
        "window.blinkshot.events.map((e) => { const c = {...e}; delete c.received; return c; })"
    )
    return [e for e in evs if kind is None or e["type"] == kind]


def wait_until(cond, timeout=TIMEOUT_MS / 1000, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def settled(pages, name):
    """Wait until every window draws ``name`` within 1 px of the hub state and of each other."""

    def check():
        ps = [player(p, name) for p in pages]
        if not all(p and p["drawn"] for p in ps):
            return None
        xs = [(p["x"], p["y"]) for p in ps] + [(p["drawn"]["x"], p["drawn"]["y"]) for p in ps]
        spread = max(math.dist(a, b) for a in xs for b in xs)
        return ps[0] if spread <= 1.0 else None

    return wait_until(check, what=f"{name} to settle in every window")


def approach(pages, c, mover, target, within=300):
    """Drive controller ``c`` (player ``mover``) toward ``target`` until closer than ``within``,
    then aim at it. Returns both players as settled in every window."""
    page = pages[0]
    for _ in range(200):
        me, other = player(page, mover), player(page, target)
        dx, dy = other["x"] - me["x"], other["y"] - me["y"]
        d = math.hypot(dx, dy)
        if d < within:
            break
        c.stick(round(dx / d * 1000), round(dy / d * 1000))
        time.sleep(0.05)
    c.stick(0, 0)
    me = settled(pages, mover)
    other = settled(pages, target)
    c.aim(other["x"] - me["x"], other["y"] - me["y"])
    return settled(pages, mover), other


class Controller:
    """A minimal controller on /ws/controller: hello, welcome, input frames with counters."""

    def __init__(self, hub, name, dev_id, kind=None):
        # Entered as a context manager by hand: the connection outlives this call, and
        # websockets >= 17.1 warns about a bare connect().
        self.ws = connect(hub.ws_url("controller"), open_timeout=10).__enter__()
        hello = {"id": dev_id, "fw": "test", "name": name, "reset": "soft", "config": {}}
        if kind:
            hello["kind"] = kind
        self.ws.send(bytes([0x03, 1]) + json.dumps(hello, separators=(",", ":")).encode())
        welcome = self.ws.recv(timeout=10)
        assert welcome[0] == 0x81 and len(welcome) == 6, f"expected a welcome, got {welcome!r}"
        self.slot = welcome[2]
        self.color = "#" + welcome[3:6].hex()
        self.feedback = []
        self.seq, self.buttons, self.presses, self.x, self.y = 0, 0, [0, 0, 0], 0, 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.send()  # the baseline frame

    def _read(self):
        try:
            for msg in self.ws:
                if isinstance(msg, bytes) and len(msg) == 4 and msg[0] == 0x82:
                    self.feedback.append((msg[1], (msg[2] << 8) | msg[3]))
        except Exception:  # noqa: BLE001  (closed: the test decides what that means)
            pass

    def send(self):
        self.seq = (self.seq + 1) & 0xFFFF
        frame = struct.pack(
            ">BHBBBBhh", 0x01, self.seq, self.buttons, *self.presses, self.x, self.y
        )
        self.ws.send(frame)

    def stick(self, x, y):
        self.x, self.y = int(x), int(y)
        self.send()

    def tap(self, button):
        i = {"blink": 0, "shoot": 1, "stick": 2}[button]
        self.presses[i] = (self.presses[i] + 1) & 0xFF
        self.send()

    def aim(self, dx, dy):
        """Point the aim without moving far: one frame of small deflection, then release."""
        n = max(1e-9, (dx * dx + dy * dy) ** 0.5)
        self.stick(round(dx / n * 100), round(dy / n * 100))
        time.sleep(0.05)
        self.stick(0, 0)

    def close(self):
        self.ws.close()


def shoot_until_dead(pages, shooter, target_id, shots=4):
    """Tap shoot ``shots`` times (25 damage each: four kill) and wait until every window has
    seen each hit, with the HP it left."""
    for shot in range(shots):
        shooter.tap("shoot")
        hp = 75 - 25 * shot
        for page in pages:
            wait_js(
                page,
                "([id, hp]) => window.blinkshot.events"
                ".some((e) => e.type === 'hit' && e.id === id && e.hp === hp)",
                [target_id, hp],
            )
        time.sleep(0.45)  # shoot cooldown is 400 ms


def knock_out(pages, shooter, name, target):
    """The controller ``shooter`` (player ``name``) walks up to ``target`` and shoots it dead,
    every window seeing each hit."""
    target_id = player(pages[0], target)["id"]
    approach(pages, shooter, name, target)
    shoot_until_dead(pages, shooter, target_id)


def close_checked(pages, controllers=()):
    """End a test: close its controllers (None: already closed) and pages, then fail if any
    page logged an error."""
    for c in controllers:
        if c:
            c.close()
    errors = [e for page in pages for e in page.errors]
    for page in pages:
        page.close()
    assert errors == [], errors


def route(arena, start, goal, radius, cell=20):
    """Waypoints from ``start`` to ``goal`` around ``arena``'s obstacles (a hub.arena.Arena):
    a breadth-first search on a grid, then the fewest straight legs along it that stay clear."""
    from collections import deque

    def clear(a, b):
        n = max(1, int(math.dist(a, b) / 5))
        return all(
            arena.free(a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n, radius, 3)
            for i in range(n + 1)
        )

    def key(p):
        return (round(p[0] / cell), round(p[1] / cell))

    goal_key, came = key(goal), {key(start): None}
    todo = deque([key(start)])
    while todo:
        k = todo.popleft()
        if k == goal_key:
            break
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            n = (k[0] + dx, k[1] + dy)
            if n not in came and arena.free(n[0] * cell, n[1] * cell, radius, 6):
                came[n] = k
                todo.append(n)
    path, k = [], goal_key
    while k is not None:
        path.append((k[0] * cell, k[1] * cell))
        k = came.get(k)
    path = [start] + path[::-1][1:-1] + [goal]
    legs, at = [], 0
    while at < len(path) - 1:
        nxt = max(j for j in range(at + 1, len(path)) if j == at + 1 or clear(path[at], path[j]))
        legs.append(path[nxt])
        at = nxt
    return legs
