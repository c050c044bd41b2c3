"""bench/drawn.py: the schedule keeps to the hub's cooldowns, the detection reads made-up frames
as specified, and a short real run (Chromium, hub, firmware under the unix port) produces a sane
report. No speed assertions: speed is for `make bench`."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import drawn, drawn_analyse  # noqa: E402

RULES = {"speed": 320}


def test_schedule_spaces_shots_and_blinks_past_the_hubs_cooldowns_and_counts_enough():
    players = [{"x": 100}, {"x": 1500}, {"x": 700}, {"x": 900}, {"x": 800}]
    plan = drawn.plan(players, 50)
    for i in range(len(players)):
        for kind, gap in (("shoot", 0.4), ("blink", 2.0)):
            times = [t for t, c, k, _ in plan if c == i and k == kind]
            assert min(b - a for a, b in zip(times, times[1:], strict=False)) > gap
    for kind in drawn.KINDS:
        assert sum(1 for _, _, k, _ in plan if k == kind) >= 100, kind
    # A player left of the middle runs right first, one right of it left.
    assert next(x for t, c, k, x in plan if c == 0 and k == "stick_start") == 1000
    assert next(x for t, c, k, x in plan if c == 1 and k == "stick_start") == -1000


def frame(end, t, x, y=300.0, shots=()):
    return (end, t, x, y, list(shots))


def test_detection_finds_the_first_frame_that_shows_each_kind():
    track = [frame(100 + 16 * i, 1000 + 16 * i, 500.0) for i in range(5)]  # at rest
    track += [frame(180 + 16 * i, 1080 + 16 * i, 500.0 + 5.12 * (i + 1)) for i in range(5)]
    # Start at 150 ms (wall): the first frame that moved right ends at 180.
    assert drawn_analyse._drawn(track, "stick_start", 150, 1000, None, RULES) == 180
    assert drawn_analyse._drawn(track, "stick_start", 150, -1000, None, RULES) is None  # wrong way
    moving = [frame(100 + 16 * i, 1000 + 16 * i, 500.0 + 5.12 * i) for i in range(5)]
    rest = [frame(180 + 16 * i, 1080 + 16 * i, 522.0) for i in range(40)]
    assert drawn_analyse._drawn(moving + rest, "stick_stop", 165, 0, None, RULES) == 180
    # One slow frame that full-speed frames follow (a wobble) is not the stop.
    wobble = [frame(180, 1080, 521.0), frame(196, 1096, 526.12), frame(212, 1112, 531.24)]
    later = [frame(228 + 16 * i, 1128 + 16 * i, 531.24) for i in range(40)]
    assert drawn_analyse._drawn(moving + wobble + later, "stick_stop", 165, 0, None, RULES) == 228
    shots = [frame(100, 1000, 500), frame(116, 1016, 500), frame(132, 1032, 500, shots=[7])]
    shoot = {"projectile": {"id": 7}}
    assert drawn_analyse._drawn(shots, "shoot", 105, 0, shoot, RULES) == 132
    blink = [frame(100, 1000, 500), frame(116, 1016, 500), frame(132, 1032, 700.2)]
    assert drawn_analyse._drawn(blink, "blink", 105, 0, {"to": [700, 300]}, RULES) == 132


def test_a_short_real_run_reports_every_variant_and_kind():
    out = drawn.run(seconds=5.0, together=True)  # one pass: shorter
    assert not out.get("error"), out.get("error")
    for renderer, smoothing in drawn.VARIANTS:
        r = out[f"{renderer}/{smoothing}"]
        assert r["frames"] > 100
        for kind in drawn.KINDS:
            row = r[kind]["all"]
            assert row["n"] > 0, (renderer, smoothing, kind)
            assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"] < 5000
            assert row["to_page"]["p50_ms"] <= row["p50_ms"]
        assert r["shoot"]["firmware"]["n"] > 0, "the firmware's inputs are measured too"
    assert set(out["ratios"]) >= {"worker/shoot/p50", "main/stick_start/p99"}
    px = drawn.pixels(1)
    assert not px.get("error"), px.get("error")
    for smoothing in ("predict", "interp"):
        for kind in ("stick_start", "shoot", "blink"):
            row = px[smoothing][kind]
            assert row["pixels"]["n"] == 1 and 0 <= row["same_frame"] <= 1
