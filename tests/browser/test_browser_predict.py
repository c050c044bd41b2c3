"""Present-time drawing in real Chromium: what a controller does is drawn at the next frame, and
windows drawing the same hub time draw the same world. No wall-clock thresholds: the page
records, per animation frame, what it drew and the hub time it drew, and per message when it
arrived; the tests compare those records with each other."""

import math
import time

import pytest
from browserkit import Controller, player, settled, wait_js, wait_player

# Before the page's scripts: note when each hub message arrives, and what every frame drew.
RECORD = """
(() => {
  const Native = window.WebSocket;
  window.__arrived = [];
  window.__frames = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      // Added before the client's onmessage: runs first, in the same task that hands the
      // message to the game, so any frame that starts later has seen it.
      this.addEventListener('message', (ev) => {
        const at = performance.now();
        const items = [].concat(JSON.parse(ev.data));
        for (const m of items) {
          if (m.type === 'state') window.__arrived.push([at, {type: 'state', t: m.t}]);
          else if (m.type !== 'pong') window.__arrived.push([at, m]);
        }
      });
    }
  };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => raf((ts) => {
    const start = performance.now();
    cb(ts);
    const s = window.blinkshot && window.blinkshot.state();
    // Other modules ask for frames too (gamepads, sound): only the game's frame draws anew.
    const last = window.__frames[window.__frames.length - 1];
    if (s && window.__frames.length < 20000 && !(last && last.t === s.drawn_t)) {
      window.__frames.push({
        start,
        t: s.drawn_t,
        players: s.players.map((p) => [p.id, p.drawn && p.drawn.x, p.drawn && p.drawn.y]),
        shots: s.drawn_projectiles.map((q) => [q.id, q.x, q.y]),
      });
    }
  });
})();
"""


def open_recording(browser, hub, query=""):
    page = browser.new_page(viewport={"width": 960, "height": 540})
    page.add_init_script(RECORD)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{hub.http_url}/{query}")
    wait_js(page, "window.blinkshot && blinkshot.client.connected && blinkshot.state()")
    page.errors = errors
    return page


def records(page):
    return page.evaluate("[window.__arrived, window.__frames]")


@pytest.mark.parametrize("renderer", ["worker", "main"])
def test_a_shot_is_drawn_in_the_first_frame_after_its_event_arrives(browser, hub, renderer):
    query = "?renderer=main" if renderer == "main" else ""
    page = open_recording(browser, hub, query)
    assert page.evaluate("[window.blinkshot.renderer, window.blinkshot.smoothing]") == [
        renderer,
        "predict",
    ]
    name = f"Shot{renderer}"
    c = Controller(hub, name, f"5{'1' if renderer == 'main' else '0'}5050505050")
    try:
        me = wait_player(page, name)
        c.stick(0, 0)
        for _ in range(6):
            c.tap("shoot")
            time.sleep(0.43)  # the hub's shoot cooldown is 400 ms
        wait_js(page, "window.__arrived.filter(([, m]) => m.type === 'shoot').length >= 6")
        time.sleep(0.1)
        arrived, frames = records(page)
    finally:
        c.close()
    shots = [(at, m) for at, m in arrived if m["type"] == "shoot" and m["id"] == me["id"]]
    assert len(shots) == 6
    for at, m in shots:
        first = next(f for f in frames if f["start"] > at)
        drawn = {sid: (x, y) for sid, x, y in first["shots"]}
        s = m["projectile"]
        assert s["id"] in drawn, f"shot {s['id']} not in the first frame after it arrived"
        # On its path, where it has flown since the game time it was fired at (tick_t) by the
        # hub time the frame drew: the hub's own flight.
        x, y = drawn[s["id"]]
        k = ((x - s["x"]) * s["vx"] + (y - s["y"]) * s["vy"]) / (s["vx"] ** 2 + s["vy"] ** 2)
        off = math.dist((x, y), (s["x"] + k * s["vx"], s["y"] + k * s["vy"]))
        assert off < 0.01 and abs(k - (first["t"] - m["tick_t"]) / 1000) < 1e-4
    assert page.errors == []
    page.close()


def test_three_windows_draw_the_same_world_at_the_same_hub_time(browser, hub):
    pages = [open_recording(browser, hub, q) for q in ("", "?renderer=main", "")]
    c = Controller(hub, "Mover", "3e3e3e3e3e3e")
    try:
        for page in pages:
            wait_player(page, "Mover")
        start = settled(pages, "Mover")
        toward = 1 if start["x"] < 800 else -1
        for page in pages:
            page.evaluate("window.__frames.length = 0")
        # Runs, turns, stops, a blink and shots: moves at every phase of every window's frames.
        plan = [(1000, 0), (700, 700), (0, -1000), (0, 0), (-600, 300), (1000, 200), (0, 0)]
        for i, (x, y) in enumerate(plan * 2):
            c.stick(x * toward, y)
            time.sleep(0.09 + 0.013 * (i % 5))
            if i == 4:
                c.tap("blink")
            if i % 3 == 0:
                c.tap("shoot")
        c.stick(0, 0)
        settled(pages, "Mover")
        recs = [records(p) for p in pages]
    finally:
        c.close()
    pid = player(pages[0], "Mover")["id"]
    moves = sorted(m["t"] for at, m in recs[0][0] if m.get("id") == pid and m["type"] == "move")
    assert len(moves) >= 10
    tracks = [_informed(arrived, frames, pid) for arrived, frames in recs]
    compared, worst = 0, 0.0
    for a in range(len(tracks)):
        for b in range(len(tracks)):
            if a == b:
                continue
            for t, x, y in tracks[a]:
                other = _at(tracks[b], t, moves)
                if other is not None:
                    worst = max(worst, math.dist((x, y), other))
                    compared += 1
    assert compared > 200, f"only {compared} frame pairs to compare"
    assert worst <= 2.0, f"windows disagree by up to {worst:.2f} world units"
    for page in pages:
        assert page.errors == []
        page.close()


def _informed(arrived, frames, pid):
    """(hub time, x, y) of each frame that had received every input and state the hub sent up
    to the hub time it drew: a frame drawn while a message was on its way cannot show it."""
    inputs = [
        (at, m["t"])
        for at, m in arrived
        if m["type"] == "state" or (m.get("id") == pid and "cseq" in m)
    ]
    out = []
    for f in frames:
        pos = _pos(f, pid)
        if pos and not any(t <= f["t"] and at > f["start"] for at, t in inputs):
            out.append((f["t"], *pos))
    return out


def _pos(frame, pid):
    for id_, x, y in frame["players"]:
        if id_ == pid and x is not None:
            return (x, y)
    return None


def _at(track, t, moves):
    """Where a window drew the player at hub time ``t``: between its two frames around ``t``
    (motion between two frames is a straight line unless a move or a blink lies between)."""
    for (t0, x0, y0), (t1, x1, y1) in zip(track, track[1:], strict=False):
        if t0 <= t <= t1 and t1 > t0:
            if any(t0 < m <= t1 for m in moves) or math.dist((x0, y0), (x1, y1)) > 30:
                return None  # a turn or a teleport between the frames: no straight line
            k = (t - t0) / (t1 - t0)
            return (x0 + (x1 - x0) * k, y0 + (y1 - y0) * k)
    return None
