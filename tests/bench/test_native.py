"""The native window generator (bench/native/windows.c) against a scripted WebSocket server.

The same frames go through loadgen.WindowStats, so both builds of the window side must count
alike. No timing assertions: the latencies are only checked to come from the controllers'
clock (CLOCK_MONOTONIC, as time.perf_counter), i.e. positive and not absurd.
"""

import array
import base64
import hashlib
import socket
import struct
import subprocess
import sys
import threading
import time
from multiprocessing import shared_memory
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import loadgen, native, wsclient  # noqa: E402

N_CTRL = 3
SENT = [(0, s) for s in range(1, 6)] + [(1, 1), (1, 2), (1, 3), (2, 1)]  # send times known


def frame(opcode, payload, fin=True):
    """A server frame (unmasked), with the 7-, 16- or 64-bit length the size needs."""
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        return bytes((b0, n)) + payload
    if n < 65536:
        return bytes((b0, 126)) + n.to_bytes(2, "big") + payload
    return bytes((b0, 127)) + n.to_bytes(8, "big") + payload


def binary(ctrl, seq, size=11):
    return frame(2, loadgen.INPUT.pack(1, seq, 0, 0, 0, 0, 500, ctrl).ljust(size, b"\0")[:size])


def move(ctrl, cseq, pid='"p1"'):
    return f'{{"type":"move","id":{pid},"cseq":{cseq},"x":-500,"y":{ctrl},"seq":7,"t":1.5}}'


# Frames both builds handle alike: 9 in order, 3 out of order, 3 other.
COMMON = [
    binary(0, 1),
    binary(0, 2),
    binary(0, 2),  # duplicate: out of order
    binary(0, 1),  # older: out of order
    binary(0, 3, size=12),  # not an input frame: other
    binary(0, 0),  # seq 0 (the baseline frame): not counted
    binary(7, 1),  # no such controller: not counted
    frame(1, move(1, 1).encode()),
    # the hub's batch: two moves and a state whose nested "type" and "{" are not items
    frame(
        1,
        f'[{move(1, 2)},{{"type":"state","p":[{{"type":"x","n":"a{{b"}}]}},'
        f"{move(1, 3, pid=5)}]".encode(),
    ),  # fmt: skip
    frame(1, move(2, 2).encode()),  # no send time recorded: out of order, like Python
    frame(1, (move(2, 1)[:-1] + ',"pad":"' + "x" * 300 + '"}').encode()),  # 16-bit length
    frame(2, b"\x01" * 70000),  # 64-bit length: other
    binary(0, 3) + binary(0, 4) + binary(0, 5),  # several frames in one write
]


def serve(listener, done):
    """Handshake, the frames (the first rides with the 101), a fragment, ping, close 4005."""
    conn, _ = listener.accept()
    with conn:
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(4096)
        key = next(
            line.split(b":", 1)[1].strip()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        accept = base64.b64encode(
            hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC11C54").digest()
        )
        done["request"] = request
        conn.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n" + COMMON[0]
        )
        for f in COMMON[1:]:
            conn.sendall(f)
        conn.sendall(frame(1, b'{"type":"mo', fin=False) + frame(0, b've"}'))  # fragments
        conn.sendall(frame(9, b"are you there") + frame(8, struct.pack(">H", 4005) + b"rate"))
        got = b""
        while len(got) < 2 * 6 + len(b"are you there") + 2:
            chunk = conn.recv(4096)
            if not chunk:
                break
            got += chunk
        done["reply"] = got


def unmask(data):
    """Client frames (masked, short) → [(opcode, payload)]."""
    out = []
    while data:
        n = data[1] & 0x7F
        assert data[1] & 0x80, "client frames must be masked"
        key, body = data[2:6], data[6 : 6 + n]
        out.append((data[0] & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(body))))
        data = data[6 + n :]
    return out


@pytest.fixture
def send_times():
    shm = shared_memory.SharedMemory(create=True, size=N_CTRL * loadgen.SEQS * 8)
    shm.buf[:] = bytes(len(shm.buf))
    send_t = shm.buf.cast("d")
    for ctrl, seq in SENT:
        send_t[ctrl * loadgen.SEQS + seq] = time.perf_counter()
    yield shm, send_t
    send_t.release()
    shm.close()
    shm.unlink()


def test_native_windows_count_frames_answer_ping_and_close(windows_exe, send_times):
    shm, _ = send_times
    listener = socket.create_server(("127.0.0.1", 0))
    done = {}
    server = threading.Thread(target=serve, args=(listener, done), daemon=True)
    server.start()
    wins = native.NativeWindows(listener.getsockname()[1], "/ws/window?x=1", 1, N_CTRL, shm.name)
    try:
        assert wins.ready(10) == 1
        server.join(10)
        assert not server.is_alive()
        wins.expect(100, 0.2)  # more than will come: it reports at the deadline
        stats = wins.result(10)
        wins.bye()
    finally:
        wins.join(5)
        listener.close()
    assert done["request"].startswith(b"GET /ws/window?x=1 HTTP/1.1\r\n")
    assert b"Upgrade: websocket" in done["request"]
    assert unmask(done["reply"]) == [(wsclient.OP_PONG, b"are you there"), (8, b"\x0f\xa5")]
    assert stats["delivered"] == [len(SENT)]
    assert stats["out_of_order"] == 3
    assert stats["other"] == 3 + 2  # and the two fragments
    assert stats["closes"] == [4005]
    lat = array.array("d", stats["lat"])
    assert len(lat) == len(SENT) == stats["latencies"]
    assert all(0 < v < 60 for v in lat), "not the controllers' clock (CLOCK_MONOTONIC)"


def split(data):
    """Server frames (unmasked) → [(opcode, payload)]."""
    out = []
    while data:
        n, head = data[1], 2
        if n == 126:
            n, head = int.from_bytes(data[2:4], "big"), 4
        elif n == 127:
            n, head = int.from_bytes(data[2:10], "big"), 10
        out.append((data[0] & 0x0F, data[head : head + n]))
        data = data[head + n :]
    return out


def test_python_window_stats_count_the_same_frames(send_times):
    _, send_t = send_times
    lat = array.array("d")
    stats = loadgen.WindowStats(N_CTRL, send_t, lat)
    for data in COMMON:
        for opcode, payload in split(data):
            stats.on_message(opcode, payload)
    stats.send_t = None  # lets the fixture release the shared memory
    assert (stats.delivered, stats.out_of_order, stats.other) == (len(SENT), 3, 3)
    assert len(lat) == len(SENT)


def test_auto_falls_back_to_python_without_a_compiler(tmp_path, monkeypatch):
    monkeypatch.setattr(native, "BUILD", tmp_path / "build")  # nothing built there
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    assert loadgen.resolve_generator("auto") == "python"
    assert loadgen.resolve_generator("python") == "python"
    with pytest.raises(RuntimeError, match="no C compiler"):
        loadgen.resolve_generator("native")


def test_native_windows_without_arguments_print_usage(windows_exe):
    done = subprocess.run([str(windows_exe)], capture_output=True, text=True)
    assert done.returncode == 2 and "usage" in done.stderr
