"""The firmware's memory margin in bench/firmware_bench.py: its pass check is the run of
tests/firmware/test_heap64k.py (main.py welcomed by a real hub, then playing on), so it must
pass at the tests' limit and fail in a heap far too small, saying nothing about speed."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import firmware_bench as fb  # noqa: E402


def test_main_py_plays_at_the_limit_and_not_in_a_heap_far_too_small(tmp_path):
    lib, extra = fb.build(tmp_path)
    with fb.servers.make("hub").start() as hub:
        fb.write_config(lib, hub.port)
        assert fb.plays_in(fb.LIMIT_KB, lib, extra)
        assert not fb.plays_in(32, lib, extra)
        # The step-down search stops at the first failure below the limit.
        assert fb.smallest_heap(lib, extra, floor=fb.LIMIT_KB - 1) in (fb.LIMIT_KB - 1, fb.LIMIT_KB)
