"""The firmware's WebSocket client on real sockets, under CPython and the MicroPython unix
port: a hand-scripted TCP server sends exact (also broken) bytes; a real `websockets` server
checks that what we send is valid RFC 6455 for a standard server."""

import base64
import hashlib
import os
import socket
import struct
import subprocess
import sys
import threading
import time

import pytest
from ctl import INTERPRETERS
from mpunix import ROOT, run_script

PROBE = ROOT / "tests" / "firmware" / "wsprobe.py"
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def run_probe(interp, port):
    if interp == "micropython":
        r = run_script(PROBE, port, timeout=30)
    else:
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'firmware/host/virtual'}:{ROOT / 'firmware'}"}
        r = subprocess.run(
            [sys.executable, str(PROBE), str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
    return r.stdout + r.stderr


def read_frame(conn):
    """One client frame: (opcode, payload, mask bytes). Asserts it is masked."""
    head = conn.recv(2, socket.MSG_WAITALL)
    op, n = head[0] & 0x0F, head[1] & 0x7F
    assert head[1] & 0x80, "client frames must be masked"
    if n == 126:
        n = struct.unpack(">H", conn.recv(2, socket.MSG_WAITALL))[0]
    mask = conn.recv(4, socket.MSG_WAITALL)
    data = conn.recv(n, socket.MSG_WAITALL) if n else b""
    return op, bytes(b ^ mask[i % 4] for i, b in enumerate(data)), mask


class ScriptedServer:
    """Accepts one connection, answers the upgrade (optionally wrongly), then runs `script`."""

    def __init__(self, script, accept=None, before=b"", after=b"", accept_name=None):
        self.before, self.after = before, after  # raw header lines around the Accept line
        self.accept_name = accept_name or b"Sec-WebSocket-Accept"
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.script, self.accept = script, accept
        self.seen = []
        self.error = None
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        try:
            conn, _ = self.sock.accept()
            conn.settimeout(10)
            req = b""
            while b"\r\n\r\n" not in req:
                req += conn.recv(1024)
            key = [
                ln.split(b":", 1)[1].strip()
                for ln in req.split(b"\r\n")
                if ln.lower().startswith(b"sec-websocket-key")
            ][0]
            acc = self.accept or base64.b64encode(hashlib.sha1(key + GUID).digest())
            accept_line = b"" if acc == b"-" else self.accept_name + b": " + acc + b"\r\n"
            conn.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\n" + self.before + accept_line + self.after + b"\r\n"
            )
            if self.accept:
                time.sleep(1)
                return
            self.seen.append(read_frame(conn))
            self.script(conn, self)
            time.sleep(0.3)
            conn.close()
        except Exception as e:  # reported by the test
            self.error = e


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_handshake_and_masked_frames_with_partial_reads(interp):
    def script(conn, srv):
        # A welcome split over three TCP writes, then two frames in one write.
        for part in (b"\x82", b"\x06\x81\x01", b"\x00\xe6\x39\x46"):
            conn.sendall(part)
            time.sleep(0.05)
        conn.sendall(b"\x82\x04\x82\x01\x00\x96" + b"\x82\x04\x82\x02\x02\x58")
        conn.sendall(b"\x88\x02\x03\xe8")  # close 1000
        srv.seen.append(read_frame(conn))

    srv = ScriptedServer(script)
    out = run_probe(interp, srv.port)
    srv.t.join(10)
    assert srv.error is None, srv.error
    assert "connected nodelay=True" in out, out
    assert "msg 810100e63946" in out and "msg 82010096" in out and "msg 82020258" in out, out
    assert "closed 1000" in out, out
    assert srv.seen[0][:2] == (2, b"probe")
    assert srv.seen[1][:2] == (8, b"\x03\xe8")  # our close echo, masked


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_ping_is_answered_with_a_masked_pong(interp):
    def script(conn, srv):
        conn.sendall(b"\x89\x03abc")
        srv.seen.append(read_frame(conn))
        conn.sendall(b"\x88\x02\x03\xe8")

    srv = ScriptedServer(script)
    out = run_probe(interp, srv.port)
    srv.t.join(10)
    assert srv.seen[1][:2] == (10, b"abc"), (srv.seen, out)


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_wrong_accept_key_is_refused(interp):
    srv = ScriptedServer(None, accept=b"AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    out = run_probe(interp, srv.port)
    assert "handshake error: wrong Sec-WebSocket-Accept" in out, out


@pytest.mark.parametrize(
    "frame,code",
    [
        (b"\x82\x86abcd" + b"\x00" * 6, 1002),  # a masked frame from the server
        (b"\x02\x02\x81\x01", 1002),  # fragmented (FIN clear)
        (b"\xc2\x01\x00", 1002),  # reserved bits set
        (b"\x82\x7e\x01\x2c" + b"\x00" * 300, 1009),  # 300 bytes: over our limit
        (b"\x82\x7f" + b"\x00" * 7 + b"\x10", 1009),  # a 64-bit length
    ],
)
@pytest.mark.parametrize("interp", INTERPRETERS)
def test_malformed_frames_fail_the_connection_without_crashing(interp, frame, code):
    def script(conn, srv):
        conn.sendall(b"\x81\x02hi")  # text: ignored, counted
        conn.sendall(frame)
        srv.seen.append(read_frame(conn))

    srv = ScriptedServer(script)
    out = run_probe(interp, srv.port)
    srv.t.join(10)
    assert f"closed {code}" in out, out
    assert srv.seen[1][0] == 8 and struct.unpack(">H", srv.seen[1][1][:2])[0] == code
    assert "Traceback" not in out, out


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_a_standard_websockets_server_accepts_our_frames(interp):
    """python-websockets closes with 1002 on an unmasked client frame; ours must pass."""
    import asyncio

    import websockets

    got, closes = [], []
    ready = threading.Event()
    port = []

    async def handler(ws):
        async for m in ws:
            got.append(m)
            await ws.send(b"\x81\x01\x00\xe6\x39\x46")
        closes.append(ws.close_code)

    async def main():
        async with websockets.serve(handler, "127.0.0.1", 0) as server:
            port.append(server.sockets[0].getsockname()[1])
            ready.set()
            await asyncio.sleep(8)

    t = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    t.start()
    assert ready.wait(10)
    out = run_probe(interp, port[0])
    assert got == [b"probe"], out
    assert "msg 810100e63946" in out, out
    assert closes in ([], [1000]), closes


def welcome_then_close(conn, srv):
    conn.sendall(b"\x82\x06\x81\x01\x00\xe6\x39\x46" + b"\x88\x02\x03\xe8")
    srv.seen.append(read_frame(conn))


# Answers a proxy or another server might give: longer than the 256-byte receive buffer in
# total, in one line, with the Accept line late, in lower case, or split by long lines.
LONG_ANSWERS = {
    "many_headers": (b"".join(b"X-Proxy-%d: %s\r\n" % (i, b"v" * 40) for i in range(40)), b""),
    "one_long_line": (b"Set-Cookie: id=" + b"c" * 1500 + b"\r\n", b"Server: x\r\n"),
    "line_of_255": (b"X-A: " + b"a" * 248 + b"\r\n", b""),  # CRLF lands on the buffer's edge
    "line_of_256": (b"X-A: " + b"a" * 249 + b"\r\n", b""),
    "line_of_257": (b"X-A: " + b"a" * 250 + b"\r\n", b""),  # its CR alone fills the buffer
    "accept_after": (b"", b"Via: 1.1 proxy\r\n" + b"X-Long: " + b"l" * 700 + b"\r\n"),
}


@pytest.mark.parametrize("answer", sorted(LONG_ANSWERS))
@pytest.mark.parametrize("interp", INTERPRETERS)
def test_a_long_handshake_answer_is_read_in_the_heap(interp, answer):
    before, after = LONG_ANSWERS[answer]
    srv = ScriptedServer(welcome_then_close, before=before, after=after)
    out = run_probe(interp, srv.port)
    srv.t.join(10)
    assert srv.error is None, srv.error
    assert "connected" in out, out
    assert "msg 810100e63946" in out and "closed 1000" in out, out  # a frame right after
    assert srv.seen[0][:2] == (2, b"probe"), out


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_accept_header_name_is_case_insensitive(interp):
    srv = ScriptedServer(welcome_then_close, accept_name=b"sec-websocket-ACCEPT")
    out = run_probe(interp, srv.port)
    srv.t.join(10)
    assert "msg 810100e63946" in out, out


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"accept": b"-"}, "hub sent no Sec-WebSocket-Accept"),
        ({"before": b"X-Big: " + b"b" * 20000 + b"\r\n"}, "over 16 KB of HTTP headers"),
        ({"accept": b"A" * 400}, "wrong Sec-WebSocket-Accept"),  # longer than the buffer
    ],
)
@pytest.mark.parametrize("interp", INTERPRETERS)
def test_broken_handshake_answers_are_refused_by_name(interp, kwargs, error):
    srv = (
        ScriptedServer(None, **kwargs)
        if "accept" in kwargs
        else ScriptedServer(welcome_then_close, **kwargs)
    )
    out = run_probe(interp, srv.port)
    assert "handshake error: " in out and error in out, out
    assert "Traceback" not in out, out
