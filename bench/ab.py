"""Old code against new code at one load point: the same load, alternating, many rounds.

A change to the hub must not cost speed. One run of a point on this shared machine moves by
tens of percent between attempts, so both versions run the point in turn, ``--rounds`` times,
and the medians and the best of each are compared. Servers are named as in bench/run.py;
``hub@DIR`` is the hub of another checkout (e.g. ``git worktree add /tmp/old-hub <commit>``).

    .venv/bin/python bench/ab.py hub@/tmp/old-hub hub --point 16x100x64 --rounds 8
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import loadgen, relay  # noqa: E402

CLEAN_P50_MS = 1.5  # above this the server was starved by other work: frames batch up and
# its CPU per frame drops for the wrong reason, so such runs are left out of the medians


def clean(r: dict) -> bool:
    return (
        not r.get("error")
        and r["delivered"] == r["expected"]
        and r["p50_ms"] is not None
        and r["p50_ms"] <= CLEAN_P50_MS
    )


def summarize(tries: list[dict]) -> dict:
    ok = [r for r in tries if clean(r)]
    cpu = [r["server_us_per_frame"] for r in ok]
    p99 = [r["p99_ms"] for r in ok if r["p99_ms"] is not None]
    p50 = [r["p50_ms"] for r in ok if r["p50_ms"] is not None]
    return {
        "runs": len(tries),
        "clean": len(ok),
        "delivered": sum(r.get("delivered", 0) for r in tries),
        "expected": sum(r.get("expected", 0) for r in tries),
        "us_per_frame_median": round(statistics.median(cpu), 3) if cpu else None,
        "us_per_frame_best": round(min(cpu), 3) if cpu else None,
        "p50_ms_median": round(statistics.median(p50), 2) if p50 else None,
        "p99_ms_median": round(statistics.median(p99), 2) if p99 else None,
        "p99_ms_best": round(min(p99), 2) if p99 else None,
    }


def paired(base: list[dict], other: list[dict]) -> dict:
    """Medians of other ÷ base over the rounds where both ran clean: the machine's state drifts
    over a run, and a round's two runs meet nearly the same."""
    pairs = [(a, b) for a, b in zip(base, other, strict=True) if clean(a) and clean(b)]
    cpu = [b["server_us_per_frame"] / a["server_us_per_frame"] for a, b in pairs]
    p99 = [b["p99_ms"] / a["p99_ms"] for a, b in pairs]
    return {
        "rounds": len(pairs),
        "cpu": round(statistics.median(cpu), 3) if cpu else None,
        "p99": round(statistics.median(p99), 3) if p99 else None,
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("servers", nargs="+", help="servers to compare, e.g. hub@/tmp/old-hub hub")
    p.add_argument("--point", default="16x100x64", help="CONTROLLERSxHZxWINDOWS")
    p.add_argument("--rounds", type=int, default=8)
    p.add_argument("--duration", type=float, default=3.0, help="seconds of load per run")
    p.add_argument("--generator", choices=loadgen.GENERATORS, default="auto")
    p.add_argument("--out", type=Path, help="write every run and the summary as JSON here")
    args = p.parse_args(argv)
    ctrl, rate, win = (int(n) for n in args.point.lower().split("x"))
    generator = loadgen.resolve_generator(args.generator)
    tries = {name: [] for name in args.servers}
    for i in range(args.rounds):
        k = i % len(args.servers)
        order = args.servers[k:] + args.servers[:k]  # each takes every place in turn
        for name in order:
            tries[name].append(
                relay.run_one(name, ctrl, rate, win, args.duration, i, None, print, generator)
            )
    summary = {name: summarize(runs) for name, runs in tries.items()}
    base = summary[args.servers[0]]
    print(f"\n{args.point}, {args.rounds} rounds of {args.duration:g} s, generator {generator}")
    print(f"medians over clean runs (all delivered, p50 <= {CLEAN_P50_MS} ms)")
    head = "| server | clean runs | delivered | µs/frame median (best) | p50 median "
    print(head + "| p99 median (best) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, s in summary.items():
        print(
            f"| {name} | {s['clean']} of {s['runs']} | {s['delivered']} / {s['expected']} "
            f"| {s['us_per_frame_median']} "
            f"({s['us_per_frame_best']}) | {s['p50_ms_median']} | {s['p99_ms_median']} "
            f"({s['p99_ms_best']}) |"
        )
    first = args.servers[0]
    for name, s in list(summary.items())[1:]:
        if s["us_per_frame_median"] and base["us_per_frame_median"]:
            ratio = s["us_per_frame_median"] / base["us_per_frame_median"]
            print(f"{name} ÷ {first}, CPU per frame (medians): {ratio:.3f}")
        s["paired"] = paired(tries[first], tries[name])
        if s["paired"]["rounds"]:
            print(
                f"{name} ÷ {first}, same round, both clean ({s['paired']['rounds']} rounds): "
                f"CPU per frame {s['paired']['cpu']:.3f}, p99 {s['paired']['p99']:.3f} (medians)"
            )
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "runs": tries}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
