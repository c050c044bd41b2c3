"""CI smoke run of bench/firmware_bench.py --quick: the harness measures what it claims.

No speed assertions (speed is for `make bench`): every frame of both paths reaches the real
WebSocket sink intact, the latency histograms hold every frame, and heap_lock() tells the
allocation-free firmware path from the allocating naive one.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_firmware_bench_runs_and_reports(tmp_path):
    out = tmp_path / "firmware.json"
    cmd = [sys.executable, str(ROOT / "bench/firmware_bench.py"), "--quick", "--out", str(out)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "seen -> send() returned, p99" in run.stdout
    result = json.loads(out.read_text())
    fw, naive = result["firmware"], result["naive"]
    frames = result["frames_per_path"]
    for path in (fw, naive):
        assert path["latency"]["n"] == frames and path["latency"]["lost"] == 0
        assert 0 < path["latency"]["p50_us"] <= path["latency"]["p99_us"]
        assert path["latency"]["p99_us"] <= path["latency"]["max_us"]
        assert path["to_send_call"]["n"] == frames
        assert path["change_in_wait"]["n"] > 0 and path["change_in_wait"]["lost"] == 0
    # Every input frame either path sent arrived, well-formed (websockets checks the masking).
    assert result["sink"]["bad"] == 0
    assert result["sink"]["input"] == result["sent"]["firmware"] + result["sent"]["naive"]
    # The firmware's loop runs under heap_lock; the naive build cannot.
    assert fw["heap_lock"]["memory_error"] is None and fw["heap_lock"]["frames"] > 0
    # The loop pass includes the idle point, where the mask pool is refilled from os.urandom:
    # one 64-byte draw per 8 frames (16 bytes a frame on the unix port); the send itself is 0
    # (tests/firmware/test_alloc.py). Under the lock that refill is skipped, never raised.
    assert fw["alloc"]["per_frame"] <= 24
    assert naive["heap_lock"]["memory_error"] is not None
    assert naive["alloc"]["per_frame"] > 10 * max(fw["alloc"]["per_frame"], 1)
