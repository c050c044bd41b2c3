"""Smoke test of the several-process bench (bench/cluster.py): a tiny load through two hub
processes on a real redis-server, everything delivered, figures reported. No speed assertions."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for p in (ROOT, ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from redisproc import need_redis_server  # noqa: E402

from bench import cluster  # noqa: E402


def test_two_processes_deliver_everything_and_report_the_hop():
    need_redis_server()
    rows = cluster.run(duration=1.0, generator="python", procs=[2], points=[(2, 20, 4)],
                       log=lambda _: None)  # fmt: skip
    plain, two = rows
    for r in rows:
        assert not r.get("error"), r
        assert r["sent"] == 2 * 20 and r["delivered"] == r["expected"] == r["sent"] * 4
        assert r["out_of_order"] == 0
        assert r["server_us_per_frame"] is not None
    assert plain["processes"] == 0 and two["processes"] == 2
    assert len(two["by_port"]) == 2 and len({b["port"] for b in two["by_port"]}) == 2
    assert all(b["delivered"] == 2 * 20 * 2 for b in two["by_port"])  # 2 windows per process
    assert "hop_p50_ms" in two
    # redis-server apart from the hubs, sampled over the same span: both parts add up (to a few
    # of the kernel's 10 ms CPU ticks, which is what a 1 s run of 160 frames can resolve)
    assert two["redis_cmds_per_s"] > 0 and two["redis_us_per_frame"] > 0
    parts_s = (two["hubs_us_per_frame"] + two["redis_us_per_frame"]) * two["delivered"] / 1e6
    assert abs(parts_s - two["server_cpu_s"]) <= 0.04
    assert "redis_us_per_frame" not in plain
    assert "| hub×2+redis | 2×20 Hz → 4 | 160 / 160 |" in cluster.table(rows)
