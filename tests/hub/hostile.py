"""Tools for hostile-client tests: raw HTTP over a fresh socket, clients from chosen source
addresses, the hub's log as the command line sets it up."""

import asyncio
import contextlib
import io
import logging
import socket

from websockets.asyncio.client import connect

from hub import logs
from hub.server import lan_ip


def raw_http(port, data: bytes, src: str | None = None, host="127.0.0.1", family=socket.AF_INET):
    """Send ``data`` on a fresh TCP connection (from ``src`` if given); everything until EOF."""
    s = socket.socket(family)
    s.settimeout(5)
    try:
        if src:
            s.bind((src, 0))
        s.connect((host, port))
        s.sendall(data)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out
    finally:
        s.close()


def response(data: bytes):
    """(status, headers with lower-case names, body) of one HTTP response."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


async def http(port, method="GET", path="/", host="localhost", extra="", body=b"", src=None):
    req = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode() + body
    return response(await asyncio.to_thread(raw_http, port, req, src))


async def connect_from(src: str, ws_url: str, port: int, **kw):
    """A WebSocket client whose connection comes from address ``src``."""
    sock = socket.socket(socket.AF_INET6 if ":" in src else socket.AF_INET)
    sock.bind((src, 0))
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return await connect(ws_url, sock=sock, **kw)


def upgrade(path, host, origin=None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Upgrade: websocket",
             "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
             "Sec-WebSocket-Version: 13"]  # fmt: skip
    if origin:
        lines.append(f"Origin: {origin}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def lan_address() -> str | None:
    """This machine's LAN address: a client bound to it is not a loopback peer."""
    addr = lan_ip()
    return None if addr.startswith("127.") else addr


@contextlib.contextmanager
def hub_log(fmt="text"):
    """The hub's log as the command line sets it up (escaping, limits), into a string."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    buf = io.StringIO()
    logs.setup("info", fmt, stream=buf)
    try:
        yield buf
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def raw_http_first_line(port, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(data)
        return int(s.recv(4096).split(b" ", 2)[1])
    finally:
        s.close()


def silent_window(port, query: str, rcvbuf=4096, path="/ws/window") -> socket.socket:
    """A window (or controller, by ``path``) that completes the upgrade and then never reads (a
    small receive buffer, so the hub's output backs up soon). The caller closes the socket."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    s.sendall(upgrade(f"{path}?{query}", f"127.0.0.1:{port}"))
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)  # byte by byte: nothing after the handshake is read
    assert head.startswith(b"HTTP/1.1 101"), head
    return s


# A masked ping with a 125-byte payload (mask 0), the largest control frame: 131 bytes in, a
# 127-byte pong owed.
PING = bytes((0x89, 0x80 | 125, 0, 0, 0, 0)) + b"p" * 125


def ping_flood(sock: socket.socket, limit: int, seconds: float) -> tuple[int, str]:
    """Send pings on ``sock`` without reading, up to ``limit`` bytes or ``seconds``; (bytes
    sent, why it stopped: "limit", "blocked" (the hub stopped reading) or "closed")."""
    sock.settimeout(seconds)
    burst = PING * 64
    sent = 0
    try:
        while sent < limit:
            sock.sendall(burst)
            sent += len(burst)
    except TimeoutError:
        return sent, "blocked"
    except OSError:
        return sent, "closed"
    return sent, "limit"


def masked(payload: bytes, opcode=0x2, mask=b"\x37\xfa\x21\x3d") -> bytes:
    """One client frame (FIN, ``opcode``, masked with ``mask``) of under 126 bytes."""
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes((0x80 | opcode, 0x80 | len(payload))) + mask + body


async def raw_upgrade(port, path, host=None):
    """A bare TCP stream past the WebSocket upgrade of ``path``: (reader, writer), Nagle off."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    writer.write(upgrade(path, host or f"127.0.0.1:{port}"))
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 101"), head
    return reader, writer


async def unanswered(port, head: bytes, timeout=5.0) -> bytes:
    """Send an HTTP request that never ends; what the hub sends back before it closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    try:
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()


async def raw_controller(port, code, hello_frame: bytes):
    """A controller over a bare TCP stream, past its hello: (reader, writer), Nagle off."""
    reader, writer = await raw_upgrade(port, f"/ws/controller?room=default&code={code}")
    writer.write(masked(hello_frame))
    welcome = await asyncio.wait_for(reader.readexactly(8), 5)
    assert welcome[:2] == b"\x82\x06" and welcome[2] == 0x81, welcome  # a welcome message
    return reader, writer


def read_frame(sock: socket.socket) -> bytes:
    """One unmasked frame from the hub, read exactly (nothing after it); its payload."""

    def exactly(n):
        out = b""
        while len(out) < n:
            chunk = sock.recv(n - len(out))
            if not chunk:
                raise ConnectionError("closed")
            out += chunk
        return out

    n = exactly(2)[1] & 0x7F
    if n >= 126:
        n = int.from_bytes(exactly(2 if n == 126 else 8), "big")
    return exactly(n)


def hub_side_state(hub_port: int, client_port: int) -> str | None:
    """The TCP state of the hub's end of a loopback connection, as /proc/net/tcp names it
    ("01" established, "04" FIN-WAIT-1 ...), or None once the kernel holds nothing of it."""
    want = (f"0100007F:{hub_port:04X}", f"0100007F:{client_port:04X}")
    with open("/proc/net/tcp") as f:
        for line in f.read().splitlines()[1:]:
            fields = line.split()
            if (fields[1], fields[2]) == want:
                return fields[3]
    return None
