"""bench/ws_peers.py on our own client (the PyPI peers are the benchmark's business, not the
suite's): the driver connects through the client under the unix port, counts allocation per
frame, sees a wrong Sec-WebSocket-Accept refused, and finds a smallest heap."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import ws_peers  # noqa: E402


def test_our_client_measures_as_allocation_free_and_checks_the_accept_key():
    row = ws_peers.measure("blinkshot", None)
    assert row["alloc_per_frame"] is not None, row
    assert row["alloc_per_frame"] <= 32, row  # only the mask pool's refill, amortised
    assert row["checks_accept"] is True, row
    assert "wrong Sec-WebSocket-Accept" in row["wrong_accept_output"][0], row
    assert 9 < row["smallest_heap_kb"] < 64, row
    assert 0 < row["mpy_bytes"] < row["py_bytes"], row


def test_the_baseline_row_is_the_driver_alone():
    row = ws_peers.measure("none", None)
    assert row["alloc_per_frame"] == 0 and row["checks_accept"] is None, row
    assert row["smallest_heap_kb"] < ws_peers.measure("blinkshot", None)["smallest_heap_kb"]


def test_table_lists_every_row():
    rows = [
        {"name": "a", "alloc_per_frame": 0, "checks_accept": True, "smallest_heap_kb": 20,
         "py_bytes": 1000, "mpy_bytes": 500},
        {"name": "b", "error": "not measured"},
    ]  # fmt: skip
    text = ws_peers.table(rows)
    assert "| a | 0 | yes | 20k | 1,000 / 500 |" in text
    assert "| b | not measured |" in text
