"""The hub's Python cost per frame, apart from the network: process CPU time, best of several.

Two paths, each driven in-process with no event loop and no sockets:

- controller: one input frame through the connection rules and the room, up to the bus
  (the moves are encoded; nothing is delivered);
- fanout: one input frame relayed to W windows whose sockets are /dev/null, so each delivery
  is one real ``write(2)`` and no network stack.

``--root DIR`` measures the hub of another checkout; it understands the layout before the
hub-core change (commit 177732a: conns.py, relay.LocalFanout) and after it (session.py,
bus.py), so old and new code can be compared on a busy machine, where process CPU time moves
far less than a relay run's figures.

    .venv/bin/python bench/hotpath.py --root /tmp/old-hub && .venv/bin/python bench/hotpath.py
"""

import argparse
import functools
import os
import sys
import time
from pathlib import Path


class _Sock:
    def __init__(self, fd):
        self.fd = fd

    def fileno(self):
        return self.fd

    def setsockopt(self, *args):
        pass


class _Transport:
    """What a window's delivery reads of an asyncio transport: always keeping up."""

    def __init__(self, fd):
        self.sock = _Sock(fd)

    def get_extra_info(self, key):
        return self.sock

    def get_write_buffer_size(self):
        return 0

    def is_closing(self):
        return False

    def write(self, data):
        pass


def _conn(fd):
    from websockets.protocol import OPEN

    proto = type("Protocol", (), {"state": OPEN})()
    attrs = {"paused": False, "transport": _Transport(fd), "protocol": proto, "latency": 0}
    return type("Conn", (), attrs)()


def best_of(reps, run, reset):
    best = float("inf")
    for _ in range(reps):
        reset()
        t0 = time.process_time()
        run()
        best = min(best, time.process_time() - t0)
    return best


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    p.add_argument("--frames", type=int, default=20000)
    p.add_argument("--windows", type=int, default=64)
    p.add_argument("--reps", type=int, default=9)
    args = p.parse_args(argv)
    sys.path.insert(0, str(args.root.resolve()))
    from hub.codec import decode_controller, encode_hello, encode_input
    from hub.config import Config

    new = (args.root / "hub" / "bus.py").exists()
    n, w = args.frames, args.windows
    raw = [encode_input(s + 1, 0, [0, 0, 0], (s % 1999) - 999, 0) for s in range(n)]
    decoded = [decode_controller(f) for f in raw]
    cfg = Config(pairing_code="123456", beacon=False, rate=1e12)
    fd = os.open(os.devnull, os.O_WRONLY)
    if new:
        from hub.bus import LocalBus
        from hub.rooms import Room
        from hub.state import HubState

        try:
            from hub.windowsink import WindowSink, deliver_batch
        except ImportError:  # a tree from before the split
            from hub.wsshell import WindowSink, deliver_batch

        state = HubState(cfg, lambda room, text, key: None)
        session, _ = state.admit("/ws/controller", "default", "123456", "a:1", 0.0, 0.0)
        session.receive(encode_hello({"id": "aabbccdd", "name": "A"}), 0.0, 0.0)
        ctl_room = state.rooms["default"]

        def feed(data):
            session.receive(data, time.monotonic(), time.time() * 1000)

        bus = LocalBus(schedule=lambda cb: None, deliver_all=deliver_batch)
        fan_room = Room("d", publish=functools.partial(bus.publish, "d"), feedback=print)
        for _ in range(w):
            bus.subscribe("d", WindowSink(_conn(fd)))
        flush = bus.flush
    else:
        from hub import conns
        from hub.relay import LocalFanout, WindowSink, _encode
        from hub.rooms import Room
        from hub.server import Hub

        hub = Hub(cfg)
        hub.fanout.publish = lambda room, msg, key: _encode(msg)  # its flush encodes each once
        c = conns.ControllerConn(hub, _conn(fd), "default")
        c.room, c.pid = hub.room("default"), "c-x"
        c.room.attach("c-x", "controller", "A", c, 0)
        ctl_room, feed = c.room, c.on_binary
        fan = LocalFanout()
        fan.scheduled = True
        fan_room = Room("d", publish=functools.partial(fan.publish, "d"), feedback=print)
        for i in range(w):
            fan.subscribe("d", WindowSink(_conn(fd), f"w{i}"))

        def flush():
            fan.flush()
            fan.scheduled = True

    fan_room.attach("c-1", "controller", "A", "owner", 0)

    def reset():  # every rep replays the same seqs: forget the last one
        for room in (ctl_room, fan_room):
            for seat in room.seats.values():
                seat.last_seq = None

    def controller():
        for f in raw:
            feed(f)

    def fanout():
        for f in decoded:
            fan_room.input("c-1", f, 1.0)
            flush()

    ctl = best_of(args.reps, controller, reset) / n * 1e6
    out = best_of(args.reps, fanout, reset) / n * 1e6
    layout = "after the hub-core change" if new else "before the hub-core change"
    print(f"{args.root} ({layout}): controller {ctl:.2f} µs/frame, "
          f"fan-out to {w} windows {out:.2f} µs/frame ({out / w:.3f} per window)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
