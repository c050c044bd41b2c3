"""The bus without ports: batching per event-loop pass, one frame per room, order, rooms apart."""

import json

import pytest

from hub.bus import Bus, LocalBus
from hub.relay import text_frame


class Window:
    def __init__(self):
        self.frames, self.entries = [], []

    def deliver(self, frame, entries):
        self.frames.append(frame)
        self.entries.append(list(entries))


def bus_and_queue():
    queue = []
    return LocalBus(schedule=queue.append), queue


def run(queue):
    while queue:
        queue.pop(0)()


def test_one_pass_of_messages_is_one_batch_one_frame_the_same_bytes_for_every_window():
    bus, queue = bus_and_queue()
    a, b = Window(), Window()
    bus.subscribe("r", a)
    bus.subscribe("r", b)
    bus.publish("r", '{"n":1}', ("m", "p"))
    bus.publish("r", '{"n":2}')
    assert len(queue) == 1 and not a.frames  # nothing is written before the pass ends
    run(queue)
    assert a.frames == b.frames == [text_frame(b'[{"n":1},{"n":2}]')]
    assert a.entries == [[(("m", "p"), '{"n":1}'), (None, '{"n":2}')]]
    assert a.frames[0] is b.frames[0]  # framed once


def test_a_single_message_is_sent_as_itself_not_as_an_array():
    bus, queue = bus_and_queue()
    w = Window()
    bus.subscribe("r", w)
    bus.publish("r", '{"n":1}')
    run(queue)
    assert json.loads(w.frames[0][2:]) == {"n": 1}


def test_rooms_stay_apart_and_unsubscribed_windows_get_nothing():
    bus, queue = bus_and_queue()
    a, b, gone = Window(), Window(), Window()
    bus.subscribe("a", a)
    bus.subscribe("b", b)
    bus.subscribe("a", gone)
    bus.unsubscribe("a", gone)
    bus.unsubscribe("a", Window())  # unknown: ignored
    bus.publish("a", '"to a"')
    bus.publish("b", '"to b"')
    bus.publish("nobody", '"lost"')
    run(queue)
    assert a.frames == [text_frame(b'"to a"')] and b.frames == [text_frame(b'"to b"')]
    assert gone.frames == []
    assert "nobody" not in bus.windows.rooms


def test_order_is_publish_order_across_passes():
    bus, queue = bus_and_queue()
    w = Window()
    bus.subscribe("r", w)
    for n in range(5):
        bus.publish("r", str(n))
        if n % 2:
            run(queue)
    run(queue)
    assert [t for batch in w.entries for _, t in batch] == ["0", "1", "2", "3", "4"]


def test_a_window_may_leave_while_a_batch_is_delivered():
    bus, queue = bus_and_queue()

    class Leaving(Window):
        def deliver(self, frame, entries):
            super().deliver(frame, entries)
            bus.unsubscribe("r", self)  # what a stalled window's delivery does

    first, other = Leaving(), Window()
    bus.subscribe("r", first)
    bus.subscribe("r", other)
    bus.publish("r", "1")
    run(queue)
    bus.publish("r", "2")
    run(queue)
    assert len(first.frames) == 1 and len(other.frames) == 2


def test_a_bus_must_provide_publish_subscribe_and_unsubscribe():
    class Half(Bus):
        def publish(self, room, text, key=None):
            pass

    with pytest.raises(TypeError):
        Half()
