"""Where the hub's latency tail comes from: event-loop callbacks and garbage collections, timed.

Runs one relay load point against the hub with two probes inside the hub process: every
event-loop callback that runs longer than --slow-ms is counted under its name (with the
longest), and every garbage collection is timed per generation.

    .venv/bin/python bench/loopprobe.py                  # 16×100 Hz → 64 windows, 5 s
    .venv/bin/python bench/loopprobe.py --point 8x100x16 --loop uvloop

(With --loop uvloop only the GC probe sees anything: uvloop runs its callbacks in C.)
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import loadgen, servers  # noqa: E402

# Runs inside the hub process (python -c): patches asyncio's Handle._run and adds a GC callback,
# then runs `python -m hub` as usual; at exit it writes what it saw to $PROBE_OUT.
INSIDE = """
import asyncio.events, atexit, collections, gc, json, os, runpy, time
slow_s = float(os.environ["PROBE_SLOW_MS"]) / 1000
slow, worst, runs = collections.Counter(), {}, [0]
gcs = {0: [], 1: [], 2: []}
run = asyncio.events.Handle._run
def timed(self):
    t = time.perf_counter()
    run(self)
    d = time.perf_counter() - t
    runs[0] += 1
    if d > slow_s:
        cb = self._callback
        owner = getattr(cb, "__self__", None)
        if type(owner).__name__ == "Task":
            name = "task " + owner.get_coro().__qualname__
        else:
            name = getattr(cb, "__qualname__", repr(cb)[:60])
        slow[name] += 1
        worst[name] = max(worst.get(name, 0.0), d)
asyncio.events.Handle._run = timed
started = [0.0]
def on_gc(phase, info):
    if phase == "start":
        started[0] = time.perf_counter()
    else:
        gcs[info["generation"]].append(time.perf_counter() - started[0])
gc.callbacks.append(on_gc)
def report():
    with open(os.environ["PROBE_OUT"], "w") as f:
        json.dump({
            "callbacks": runs[0],
            "slow": {k: {"count": n, "max_ms": round(worst[k] * 1000, 2)}
                     for k, n in slow.most_common(12)},
            "gc": {g: {"count": len(v), "max_ms": round(max(v, default=0) * 1000, 3),
                       "total_ms": round(sum(v) * 1000, 2)} for g, v in gcs.items()},
        }, f)
atexit.register(report)
runpy.run_module("hub", run_name="__main__", alter_sys=True)
"""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--point", default="16x100x64", help="CONTROLLERSxHZxWINDOWS")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--slow-ms", type=float, default=0.5, help="count callbacks longer than this")
    p.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    p.add_argument("--generator", choices=loadgen.GENERATORS, default="auto")
    args = p.parse_args(argv)
    ctrl, rate, win = (int(n) for n in args.point.lower().split("x"))
    out = Path(tempfile.mkdtemp(prefix="blinkshot-probe-")) / "probe.json"
    server = servers.make("hub")
    server.argv = [servers.PY, "-c", INSIDE] + server.argv[3:-2] + ["--loop", args.loop]
    server.env.update(PROBE_OUT=str(out), PROBE_SLOW_MS=str(args.slow_ms))
    server.start()
    try:
        load = loadgen.run_point(
            server, ctrl, rate, win, args.seconds, hub_mode=True, generator=args.generator
        )
    finally:
        server.stop()  # SIGTERM: the hub shuts down and the probe writes its report
    keep = ("delivered", "expected", "p50_ms", "p99_ms", "max_ms", "server_us_per_frame")
    result = {"point": args.point, "loop": args.loop, "load": {k: load[k] for k in keep}}
    result.update(json.loads(out.read_text()) if out.exists() else {"error": "no probe report"})
    print(json.dumps(result, indent=1))
    os.remove(out) if out.exists() else None
    return 0


if __name__ == "__main__":
    sys.exit(main())
