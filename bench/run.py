"""`make bench`: the hub against its peers, one run, one machine. See docs/performance.md.

    .venv/bin/python bench/run.py            # full run (~20 minutes)
    .venv/bin/python bench/run.py --quick    # short run (~4 minutes)

Prints a table, writes bench/results/bench-<time>.json (and latest.json) and the plot
docs/performance-latency.png.
"""

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import cluster, drawn, e2e, hostile, loadgen, relay, report, servers, wire  # noqa: E402
from bench import profile as hub_profile  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PLOT = ROOT / "docs" / "performance-latency.png"
DRAWN_PLOT = ROOT / "docs" / "performance-drawn.png"


def machine():
    cpu = ""
    try:
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                cpu = row.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for mod in ("websockets", "picows", "daphne", "channels", "channels_redis", "django", "psutil"):
        try:
            from importlib.metadata import version

            versions[mod] = version(mod)
        except Exception:
            versions[mod] = None
    for label, argv in (
        ("node", [servers.node_binary() or "node", "--version"]),
        ("redis-server", ["redis-server", "--version"]),
    ):
        try:
            versions[label] = subprocess.run(
                argv, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except OSError:
            versions[label] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "load_avg_at_start": os.getloadavg(),
        "versions": versions,
    }


def firmware(quick):
    script = ROOT / "bench" / "firmware_bench.py"
    if not script.exists():
        return {"error": "bench/firmware_bench.py is not there yet (firmware engineer's part)"}
    argv = [sys.executable, str(script)] + (["--quick"] if quick else [])
    try:
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return {"error": "firmware_bench.py ran longer than 600 s"}
    result = {
        "returncode": done.returncode,
        "stdout": done.stdout[-4000:],
        "stderr": done.stderr[-2000:],
    }
    for path in [RESULTS / "firmware.json"]:
        if path.exists() and path.stat().st_mtime > time.time() - 700:
            result["json"] = json.loads(path.read_text())
    start = done.stdout.find("{")
    if "json" not in result and start >= 0:
        try:
            result["json"] = json.loads(done.stdout[start:])
        except ValueError:
            pass
    return result


def interrupted(signum, frame):
    """SIGTERM/SIGINT: stop every server and load generator first, then unwind as an exit."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut the cleanup
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stopped = servers.stop_descendants()
    print(f"bench: {signal.Signals(signum).name}, stopped PIDs {stopped}", file=sys.stderr)
    raise SystemExit(128 + signum)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Blinkshot benchmarks (docs/performance.md)")
    parser.add_argument(
        "--quick", action="store_true", help="short run: 1.5 s points, 2 sweep rates"
    )
    parser.add_argument(
        "--servers",
        default=",".join(servers.NAMES),
        help=f"comma-separated, from {','.join(servers.NAMES)}; hub@DIR runs the hub of another "
        "checkout DIR beside this one, hub@HZ (a number) the hub with --state-hz HZ",
    )
    parser.add_argument("--skip", default="", help="servers to leave out, comma-separated")
    parser.add_argument("--duration", type=float, help="seconds of load per point")
    parser.add_argument("--repeat", type=int, help="runs per fixed point, best kept (2; quick 1)")
    parser.add_argument(
        "--procs", type=int, help="window processes in the load generator (native 1, python 2)"
    )
    parser.add_argument(
        "--generator",
        choices=loadgen.GENERATORS,
        default="auto",
        help="the load generator's window side: native (C, bench/native) or python; "
        "auto: native when a C compiler is there",
    )
    parser.add_argument(
        "--only",
        default="relay,cluster,wire,e2e,drawn,firmware,profile,hostile",
        help="sections to run, comma-separated",
    )
    parser.add_argument(
        "--state-hz",
        type=float,
        help="full states per second the hub sends every window (its --state-hz; default: the "
        "hub's own default)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for the JSON results")
    parser.add_argument(
        "--plot", type=Path, help=f"where to write the PNG plot (default {PLOT}; quick runs: --out)"
    )
    args = parser.parse_args(argv)
    if args.state_hz is not None:  # every hub this run starts reads it (BLINKSHOT_STATE_HZ)
        os.environ["BLINKSHOT_STATE_HZ"] = f"{args.state_hz:g}"
    skip = set(filter(None, args.skip.split(",")))
    names = [n for n in args.servers.split(",") if n and n not in skip]
    for n in names:
        if n not in servers.NAMES and n.partition("@")[0] not in ("hub", "hub_uvloop"):
            parser.error(f"unknown server {n!r}; choose from {', '.join(servers.NAMES)}")
    if args.plot is None:  # a quick run must not replace the documented full-run plot
        args.plot = args.out / "performance-latency-quick.png" if args.quick else PLOT
    sections = set(args.only.split(","))
    if args.quick:
        sections.discard("profile")
    args.out.mkdir(parents=True, exist_ok=True)

    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results = {"started": started, "quick": args.quick, "machine": machine(), "servers": names}
    results["state_hz"] = os.environ.get("BLINKSHOT_STATE_HZ", "hub default")
    try:
        results["generator"] = loadgen.resolve_generator(args.generator)
    except RuntimeError as exc:  # --generator native without a working compiler
        parser.error(str(exc))
    print(
        f"Blinkshot bench {started}: {results['machine']['cpu']}, "
        f"{results['machine']['cores']} cores, load generator: {results['generator']}"
    )
    if "relay" in sections:
        print("== relay: one-way latency controller → window, server CPU per delivered frame")
        results["relay"] = relay.run(
            names,
            args.quick,
            args.duration,
            args.procs,
            repeat=args.repeat,
            generator=results["generator"],
        )
        results["ratios"] = report.ratios(results["relay"], names)
    if "cluster" in sections:
        print("== cluster: 1, 2, 4 hub processes on one Redis, windows spread over them")
        results["cluster"] = cluster.run(args.quick, args.duration, results["generator"])
    if "profile" in sections and "hub" in names:
        print("== profile: py-spy on the hub at 16×100 Hz → 64 windows")
        results["profile"] = hub_profile.run(
            16, 100, 64, 5.0, args.out / "hub-profile.txt", args.procs, results["generator"]
        )
    if "wire" in sections:
        print("== wire cost per input event")
        results["wire"] = wire.run()
    if "e2e" in sections:
        print("== end to end: virtual controller → hub → Chromium")
        results["e2e"] = e2e.run(quick=args.quick)
    if "drawn" in sections:
        print("== input → drawn frame: present time vs ?smoothing=interp, worker and main thread")
        results["drawn"] = drawn.run(quick=args.quick)
        results["drawn_pixels"] = drawn.pixels(2 if args.quick else 12)
        if not results["drawn"].get("error"):
            where = args.out / "performance-drawn-quick.png" if args.quick else DRAWN_PLOT
            drawn.plot(results["drawn"], where)
            print(f"plot: {where}")
    if "firmware" in sections:
        print("== firmware (bench/firmware_bench.py)")
        results["firmware"] = firmware(args.quick)
    if "hostile" in sections:
        print("== honest play while one hostile client runs (bench/hostile.py)")
        results["hostile"] = hostile.run(2.0 if args.quick else 5.0)
        print(hostile.table(results["hostile"]))

    stamp = started.replace(":", "").replace("-", "")
    path = args.out / f"bench-{stamp}.json"
    text = json.dumps(results, indent=1, ensure_ascii=False)
    path.write_text(text)
    (args.out / "latest.json").write_text(text)
    print()
    print(summary(results))
    if "relay" in results and args.plot:
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        report.plot(results["relay"], args.plot, names)
        print(f"plot: {args.plot}")
    print(f"results: {path}")
    return 0


def summary(results):
    out = []
    if "relay" in results:
        out += [
            "## Relay",
            report.table(results["relay"]),
            "",
            "## Hub ÷ peer (same run)",
            report.ratio_table(results["ratios"]),
            "",
        ]
    if "cluster" in results:
        out += ["## Several processes on one Redis (bench/cluster.py)",
                cluster.table(results["cluster"]), ""]  # fmt: skip
    if "profile" in results:
        prof = results["profile"]
        out.append("## Hub profile (py-spy, share of samples, self time)")
        if prof.get("error"):
            out.append(f"error: {prof['error']}")
        for name, share in prof.get("self", [])[:12]:
            out.append(f"  {share:5.1f} %  {name}")
        out.append("")
    if "wire" in results:
        w = results["wire"]
        poll = w["http_poll"]
        out += [
            "## Wire cost per input event (bytes, WebSocket framing and mask included)",
            f"  binary WS frame (controller → hub): {w['binary_ws']['frame']} "
            f"(measured on the hub connection: {w['hub_measured']['controller_frame_bytes']})",
            f"  JSON over WS:                       {w['json_ws']['frame']}",
            f"  HTTP POST from Chromium fetch():    {poll.get('chromium', {}).get('request_bytes')}"
            f" + {poll.get('chromium', {}).get('response_bytes')} response",
            f"  HTTP POST from Python urllib:       {poll['urllib']['request_bytes']}"
            f" + {poll['urllib']['response_bytes']} response",
            f"  hub → each window (move):           {w['hub_measured']['window_move_frame_bytes']}",
            "",
        ]
    if "e2e" in results:
        e = results["e2e"]
        out.append("## End to end (virtual controller → hub → Chromium)")
        out.append(f"  {e.get('error') or e.get('summary')}")
        out.append("")
    if "drawn" in results:
        d = results["drawn"]
        out.append("## Input → drawn frame (p50/p99 ms, all controllers)")
        out.append(f"  {d.get('error') or d.get('summary')}")
        if d.get("ratios"):
            out.append(f"  baseline ÷ present time: {json.dumps(d['ratios'])}")
        px = results.get("drawn_pixels", {})
        if px.get("error"):
            out.append(f"  pixels: {px['error']}")
        for smoothing in ("predict", "interp"):
            for kind, row in px.get(smoothing, {}).items():
                out.append(
                    f"  pixels {smoothing} {kind}: p50 {row['pixels']['p50_ms']} ms "
                    f"(drawn world {row['drawn']['p50_ms']}), same frame {row['same_frame']}"
                    f"/{row['pixels']['n']}"
                )
        out.append("")
    if "firmware" in results:
        f = results["firmware"]
        out.append("## Firmware (bench/firmware_bench.py)")
        out.append(f"  {f.get('error') or json.dumps(f.get('json')) or f.get('stdout', '')[-800:]}")
    return "\n".join(out)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    try:
        sys.exit(main())
    finally:
        servers.stop_descendants()  # whatever an error left behind
