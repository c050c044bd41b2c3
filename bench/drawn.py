"""Input → drawn frame: from a controller's input to the first animation frame of the real game
page whose drawn world shows it, in headless Chromium.

Two passes, one per renderer (the worker and the main thread): one hub (as `make hub` runs it),
one browser, two game pages watching the same room, one with the present-time model and one
with the interpolating baseline (`?smoothing=interp`). So every input is measured on both in
the same run, on the same machine load (`--together`: all four pages in one pass).
Controllers speak the real protocol: several Python ones (the input time is taken right
before the frame is written to the socket) and the real firmware under the MicroPython unix
port on fake pins (bench/e2e_driver.py; the input time is the pin change). Each player keeps
to its own lane (its y), so no shot hits anyone.

Each page records, per animation frame, where it drew every player and which shots (the hook
`window.blinkshot.state()`), and the wall-clock time when the frame's callback ended (the frame
was then drawn, or handed to the worker). An input is drawn in the first frame after it that:

- stick start (rest to full left/right): shows the player moved in the stick's direction;
- stick stop: shows the player moving at less than 3/4 of the full speed since the frame
  before (the drawn hub times of the two frames give the interval), and so do the frames of
  the next half second;
- shoot: holds the hub's projectile for that input frame (`shoot` event, matched by `cseq`);
- blink: draws the player within 1 unit of the blink's destination.

    .venv/bin/python -m bench.drawn --seconds 50        # alone, prints JSON
"""

import json
import os
import random
import struct
import tempfile
import threading
import time
from pathlib import Path

from bench import e2e, servers
from bench.chromium import NoChromium
from bench.chromium import resolve as find_chromium
from bench.drawn_analyse import (
    FIRMWARE_ID,
    KINDS,
    VARIANTS,
    analyse,
    compare_pixels,
    plot,
    ratios,
    summary,
)

__all__ = ["KINDS", "VARIANTS", "plan", "pixels", "plot", "run"]

PY_CONTROLLERS = 4
CYCLE_S = 2.2
# (offset in a cycle, action): runs both ways, a blink (cooldown 2 s), shots (cooldown 0.4 s).
CYCLE = [
    (0.00, "start", 1),
    (0.30, "stop", 0),
    (0.50, "shoot", 0),
    (0.80, "blink", 0),
    (1.00, "shoot", 0),
    (1.20, "start", -1),
    (1.50, "stop", 0),
    (1.70, "shoot", 0),
    (2.15, "shoot", 0),
]
JITTER_S = 0.008  # ± about half a 60 Hz frame: inputs meet the frames at every phase

RECORD = """
(() => {
  const Native = window.WebSocket;
  window.__arrived = [];
  window.__frames = [];
  window.__box = null;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        const at = performance.timeOrigin + performance.now();
        if (typeof ev.data === 'string' && /"type":"(move|shoot|blink)"/.test(ev.data)) {
          window.__arrived.push([at, ev.data]);
        }
      });
    }
  };
  // A hash of the canvas pixels in a box (world units) around window.__box = [x, y, r]:
  // only the main-thread canvas can be read back.
  function boxHash() {
    const b = window.__box, c = document.getElementById('arena');
    const hello = window.blinkshot && window.blinkshot.client.welcome;
    const a = hello && hello.arena;
    if (!b || !a || !c || window.blinkshot.renderer !== 'main') return null;
    const k = Math.min(c.width / a.w, c.height / a.h);
    const ox = (c.width - a.w * k) / 2, oy = (c.height - a.h * k) / 2;
    const x = Math.max(0, Math.floor(ox + (b[0] - b[2]) * k));
    const y = Math.max(0, Math.floor(oy + (b[1] - b[2]) * k));
    const w = Math.max(1, Math.min(c.width - x, Math.ceil(2 * b[2] * k)));
    const h = Math.max(1, Math.min(c.height - y, Math.ceil(2 * b[2] * k)));
    const d = new Uint32Array(c.getContext('2d').getImageData(x, y, w, h).data.buffer);
    let hsh = 2166136261;
    for (let i = 0; i < d.length; i++) hsh = Math.imul(hsh ^ d[i], 16777619);
    return hsh >>> 0;
  }
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => raf((ts) => {
    cb(ts);
    const end = performance.timeOrigin + performance.now();
    const s = window.blinkshot && window.blinkshot.state();
    if (!s || window.__frames.length >= 50000) return;
    // Other modules ask for frames too (gamepads, sound): only the game's frame draws anew.
    const last = window.__frames[window.__frames.length - 1];
    if (last && last[1] === s.drawn_t) return;
    window.__frames.push([
      end,
      s.drawn_t,
      s.players.map((p) => [p.id, p.drawn ? p.drawn.x : null, p.drawn ? p.drawn.y : null]),
      s.drawn_projectiles.map((q) => q.id),
      boxHash(),
    ]);
  });
})();
"""


class PyController:
    """A controller on /ws/controller speaking the binary protocol; `send` returns the wall
    time (ms) taken right before the frame was written, and the frame's seq."""

    def __init__(self, port, dev_id, name):
        from websockets.sync.client import connect

        url = f"ws://127.0.0.1:{port}/ws/controller?code={servers.CODE}"
        self.ws = connect(url, open_timeout=10).__enter__()
        hello = {"id": dev_id, "fw": "bench", "name": name, "reset": "soft", "config": {}}
        self.ws.send(bytes([0x03, 1]) + json.dumps(hello).encode())
        if self.ws.recv(timeout=10)[0] != 0x81:
            raise RuntimeError("controller not welcomed")
        self.id = f"c-{dev_id}"
        self.seq, self.presses, self.x, self.y = 0, [0, 0, 0], 0, 0
        threading.Thread(target=self._drain, daemon=True).start()
        self.send()  # the baseline frame

    def _drain(self):
        try:
            for _ in self.ws:
                pass
        except Exception:  # noqa: BLE001  (closed at the end)
            pass

    def send(self):
        self.seq = (self.seq + 1) & 0xFFFF
        frame = struct.pack(">BHBBBBhh", 0x01, self.seq, 0, *self.presses, self.x, self.y)
        t = time.time() * 1000
        self.ws.send(frame)
        return t, self.seq

    def act(self, action, arg):
        if action == "stick":
            self.x, self.y = arg
        else:
            i = {"blink": 0, "shoot": 1}[action]
            self.presses[i] = (self.presses[i] + 1) & 0xFF
        return self.send()

    def close(self):
        self.ws.close()


def plan(players, seconds, seed=11):
    """(time s, controller index, kind, stick x) per input, each controller's cycle shifted
    by a fraction of the cycle; a run first goes toward the middle of the arena."""
    rand = random.Random(seed)
    out = []
    n = len(players)
    for i, p in enumerate(players):
        d0 = 1 if p["x"] < 800 else -1
        k = 0
        while (start := i * CYCLE_S / n + k * CYCLE_S) < seconds:
            d = d0 if k % 2 == 0 else -d0
            for off, action, way in CYCLE:
                t = start + off + rand.uniform(-JITTER_S, JITTER_S)
                kind = {"start": "stick_start", "stop": "stick_stop"}.get(action, action)
                out.append((t, i, kind, 1000 * d * way))
            k += 1
    return sorted(out)


def run(quick=False, seconds=None, firmware=True, together=False):
    """Per renderer, one pass with its present-time and its baseline page side by side (or all
    four pages in one pass with `together`: more load on the machine, one input schedule).
    Returns per variant and kind p50/p95/p99/max (ms), and baseline ÷ present-time ratios."""
    seconds = seconds or (8.0 if quick else 50.0)  # full: >= 100 inputs of every kind
    try:
        browser_path = find_chromium()
    except NoChromium as e:
        return {"error": str(e)}
    passes = [VARIANTS] if together else [VARIANTS[:2], VARIANTS[2:]]
    out = {"seconds": seconds, "firmware": firmware, "passes": len(passes)}
    for variants in passes:
        got = _run_pass(variants, seconds, firmware, browser_path)
        if "error" in got:
            return got
        out.update(got)
    out["ratios"] = ratios(out)
    out["summary"] = summary(out)
    return out


def _run_pass(variants, seconds, firmware, browser_path):
    from playwright.sync_api import sync_playwright

    hub = servers.make("hub_uvloop")
    hub.start()
    ctrls, sim, tmp = [], None, tempfile.mkdtemp(prefix="blinkshot-drawn-")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, args=ARGS)
            pages = [_open(browser, hub.port, r, s) for r, s in variants]
            for i in range(PY_CONTROLLERS):
                ctrls.append(PyController(hub.port, f"d0{i:02d}d0d0d0d0", f"py{i}"))
            if firmware:
                sim, lines = e2e._start_firmware(hub.port, tmp)
            ids = [c.id for c in ctrls] + ([f"c-{FIRMWARE_ID}"] if firmware else [])
            rules = _wait_players(pages[0], ids)
            players = _lanes(pages[0], ctrls, sim, ids)
            for p in pages:
                p.evaluate("window.__frames.length = 0; window.__arrived.length = 0")
            load = os.getloadavg()[0]
            began = time.time() * 1000
            inputs = _drive(ctrls, sim, plan(players, seconds))
            time.sleep(0.6)
            records = [p.evaluate("[window.__arrived, window.__frames]") for p in pages]
            fw_log = _finish_firmware(sim, lines) if firmware else None
            browser.close()
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:600], "hub_output": hub.output()[-800:]}
    finally:
        for c in ctrls:
            c.close()
        if sim is not None and sim.poll() is None:
            sim.terminate()
            sim.wait(5)
        hub.stop()
    if fw_log is not None:
        inputs += _firmware_inputs(fw_log, began)
    out = {}
    for (renderer, smoothing), (arrived, frames) in zip(variants, records, strict=True):
        out[f"{renderer}/{smoothing}"] = analyse(inputs, arrived, frames, rules)
        out[f"{renderer}/{smoothing}"]["load_avg_1m"] = [round(load, 2), os.getloadavg()[0]]
        out[f"{renderer}/{smoothing}"]["controllers"] = len(ids)
    return out


ARGS = e2e.CHROMIUM_ARGS + [
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]


def _open(browser, port, renderer, smoothing):
    page = browser.new_page(viewport={"width": 960, "height": 540})
    page.add_init_script(RECORD)
    page.goto(f"http://127.0.0.1:{port}/?renderer={renderer}&smoothing={smoothing}")
    page.wait_for_function("window.blinkshot && window.blinkshot.state()", timeout=20_000)
    got = page.evaluate("[blinkshot.renderer, blinkshot.smoothing]")
    if got != [renderer, smoothing]:
        raise RuntimeError(f"asked for {renderer}/{smoothing}, the page runs {got}")
    return page


def _wait_players(page, ids):
    page.wait_for_function(
        "ids => { const s = blinkshot.state(); return s && ids.every((id) => "
        "s.players.some((p) => p.id === id)); }",
        arg=ids,
        timeout=20_000,
    )
    return page.evaluate("blinkshot.client.welcome.rules")


def _positions(page):
    return {p["id"]: p for p in page.evaluate("blinkshot.state().players")}


def _lanes(page, ctrls, sim, ids):
    """Move each player to its own y (lanes 120 units apart or more), then let go."""
    lanes = {pid: 150 + i * 600 / max(1, len(ids) - 1) for i, pid in enumerate(ids)}
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        pos = _positions(page)
        done = True
        for i, pid in enumerate(ids):
            dy = lanes[pid] - pos[pid]["y"]
            y = 0 if abs(dy) < 6 else (600 if dy > 0 else -600)
            done = done and y == 0
            _stick(ctrls, sim, i, 0, y)
        if done:
            break
        time.sleep(0.03)
    for i in range(len(ids)):
        _stick(ctrls, sim, i, 0, 0)
    time.sleep(0.4)
    pos = _positions(page)
    return [pos[pid] for pid in ids]


def _stick(ctrls, sim, i, x, y):
    if i < len(ctrls):
        c = ctrls[i]
        if (c.x, c.y) != (x, y):
            c.act("stick", (x, y))
    else:
        sim.stdin.write(f"stick {x} {y}\n".encode())
        sim.stdin.flush()


def _drive(ctrls, sim, schedule):
    """Send every input on time. Python controllers' inputs are returned as (controller id,
    kind, input time ms, seq, stick x); the firmware's are timed by its driver (pin changes)."""
    inputs = []
    start = time.monotonic() + 0.2
    releases = []
    for t, i, kind, x in schedule:
        while releases and releases[0][0] <= t:
            _, name = releases.pop(0)
            sim.stdin.write(f"release {name}\n".encode())
            sim.stdin.flush()
        delay = start + t - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if i < len(ctrls):
            c = ctrls[i]
            if kind in ("stick_start", "stick_stop"):
                at, seq = c.act("stick", (x if kind == "stick_start" else 0, 0))
            else:
                at, seq = c.act(kind, None)
            inputs.append((c.id, kind, at, seq, x))
        else:
            if kind in ("stick_start", "stick_stop"):
                cmd = f"stick {x if kind == 'stick_start' else 0} 0"
            else:
                cmd = f"press {kind}"
                releases.append((t + 0.055, kind))
            sim.stdin.write((cmd + "\n").encode())
            sim.stdin.flush()
    for _, name in releases:
        sim.stdin.write(f"release {name}\n".encode())
        sim.stdin.flush()
    return inputs


def _finish_firmware(sim, lines):
    return e2e._drive(sim, lines, [])


def _firmware_inputs(log, began):
    """Pin changes → (player id, kind, pin time, seq of the first frame carrying it, x)."""
    out = []
    for cmd, args, t_pin in log["pin"]:
        if t_pin < began:  # getting into its lane
            continue
        if cmd == "stick":
            x = int(args[0])
            kind, field = ("stick_start" if x else "stick_stop"), 2
        elif cmd == "press" and args[0] in ("shoot", "blink"):
            kind, field, x = args[0], 4 if args[0] == "shoot" else 3, 0
        else:
            continue
        frame = e2e._first_change(log["sent"], t_pin, field)
        if frame is not None:
            out.append((f"c-{FIRMWARE_ID}", kind, t_pin, frame[0], x))
    return out


def pixels(rounds=10):
    """Cross-check on the main-thread renderer: for a sample of inputs (one controller, a
    start, a shot and a blink per round) read the canvas back every frame around the player
    and find the first frame whose pixels changed; compare with the drawn-world frame."""
    try:
        browser_path = find_chromium()
    except NoChromium as e:
        return {"error": str(e)}
    from playwright.sync_api import sync_playwright

    hub = servers.make("hub_uvloop")
    hub.start()
    c = None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, args=ARGS)
            pages = [_open(browser, hub.port, "main", s) for s in ("predict", "interp")]
            c = PyController(hub.port, "b0b0b0b0b0b0", "pixels")
            rules = _wait_players(pages[0], [c.id])
            for p in pages:
                p.evaluate("window.__frames.length = 0; window.__arrived.length = 0")
            inputs = []
            for k in range(rounds):
                x0 = _positions(pages[0])[c.id]["x"]
                d = (1 if x0 < 800 else -1) * 1000
                for kind, wait in (("stick_start", 0.2), ("shoot", 0.5), ("blink", 2.1)):
                    me = _positions(pages[0])[c.id]
                    for p in pages:
                        p.evaluate("b => { window.__box = b; }", [me["x"], me["y"], 70])
                    time.sleep(0.1 + 0.0037 * k)  # a few frames with the box; phases spread
                    if kind == "stick_start":
                        at, seq = c.act("stick", (d, 0))
                    else:
                        at, seq = c.act(kind, None)
                    inputs.append((c.id, kind, at, seq, d))
                    time.sleep(wait)
                    if kind == "stick_start":
                        c.act("stick", (0, 0))
                        time.sleep(0.5)
            time.sleep(0.3)
            records = [p.evaluate("[window.__arrived, window.__frames]") for p in pages]
            browser.close()
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:600], "hub_output": hub.output()[-800:]}
    finally:
        if c is not None:
            c.close()
        hub.stop()
    out = {"rounds": rounds}
    for smoothing, (arrived, frames) in zip(("predict", "interp"), records, strict=True):
        out[smoothing] = compare_pixels(inputs, arrived, frames, rules)
    return out


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="input → drawn frame, alone (see docstring)")
    parser.add_argument("--seconds", type=float, default=None, help="inputs for (50)")
    parser.add_argument("--no-firmware", action="store_true", help="Python controllers only")
    parser.add_argument("--together", action="store_true", help="all four pages in one pass")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    result = run(seconds=args.seconds, firmware=not args.no_firmware, together=args.together)
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)
