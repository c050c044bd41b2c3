"""Relay building blocks without ports: frame bytes, batches, coalescing."""

import json

import pytest
from websockets.frames import Frame, Opcode

from hub.relay import Outbox, batch_text, text_frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_text_frame_matches_websockets_serializer(size):
    payload = b"x" * size
    want = Frame(Opcode.TEXT, payload).serialize(mask=False)
    assert text_frame(payload) == want


def test_batch_is_a_json_array_in_order():
    texts = [json.dumps({"type": "move", "n": i}) for i in range(3)]
    assert json.loads(batch_text(texts)) == [{"type": "move", "n": i} for i in range(3)]
    assert batch_text(texts[:1]) == texts[0]


def test_moves_coalesce_latest_wins_buttons_never_drop():
    box = Outbox()
    box.push(("m", "a"), "move a1")
    box.push(None, "blink a")
    box.push(("m", "b"), "move b1")
    box.push(("m", "a"), "move a2")
    box.push(None, "shoot a")
    box.push("state", "state 1")
    box.push(("m", "a"), "move a3")
    box.push("state", "state 2")
    assert len(box) == 5
    assert box.take() == ["blink a", "move b1", "shoot a", "move a3", "state 2"]
    assert len(box) == 0 and box.take() == []


def test_many_button_events_all_kept():
    box = Outbox()
    for i in range(1000):
        box.push(None, f"blink {i}")
        box.push(("m", "a"), f"move {i}")
    out = box.take()
    assert [t for t in out if t.startswith("blink")] == [f"blink {i}" for i in range(1000)]
    assert [t for t in out if t.startswith("move")] == ["move 999"]


def test_coalescing_keeps_memory_bounded_and_order_after_compaction():
    box = Outbox()
    for i in range(10000):
        box.push(("m", "a"), f"move a{i}")
        box.push(("m", "b"), f"move b{i}")
        if i % 1000 == 0:
            box.push(None, f"blink {i}")
    assert len(box.items) < 1100
    out = box.take()
    assert out == [f"blink {i}" for i in range(0, 10000, 1000)] + ["move a9999", "move b9999"]
