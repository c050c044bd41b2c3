"""A lean asyncio WebSocket client for the load generator.

The `websockets` client spends ~10 µs of Python per received message; at 100 k deliveries/s
that alone would make the load generator the bottleneck on a 2-core machine. This client does
the RFC 6455 handshake and framing by hand: server frames are parsed straight out of the
receive buffer, client frames are masked with a random key as the RFC requires. Fragmented
messages and extensions are not supported (no server in the bench sends them).
"""

import asyncio
import base64
import os

OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA


def encode_frame(opcode, payload, mask=None):
    """One final client frame (masked); `mask` is pinned only by tests and the wire bench."""
    key = os.urandom(4) if mask is None else mask
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    if n:
        repeated = (key * (n // 4 + 1))[:n]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
            n, "big"
        )
    else:
        masked = b""
    return head + key + masked


def handshake_request(host, port, path):
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


class WSClient(asyncio.Protocol):
    """Calls `on_message(opcode, payload)` for every data frame; answers pings."""

    def __init__(self, host, port, path, on_message):
        self.request = handshake_request(host, port, path)
        self.on_message = on_message
        self.transport = None
        self.buf = bytearray()
        self.upgraded = False
        self.opened = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.close_code = None
        self.close_reason = ""

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data):
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buf[: buf.find(b"\r\n")])
            if b" 101 " not in status + b" ":
                if not self.opened.done():
                    self.opened.set_exception(ConnectionError(f"handshake refused: {status!r}"))
                self.transport.close()
                return
            del buf[: end + 4]
            self.upgraded = True
            self.opened.set_result(None)
        self._parse()

    def _parse(self):
        buf = self.buf
        size = len(buf)
        pos = 0
        on_message = self.on_message
        while size - pos >= 2:
            b0 = buf[pos]
            n = buf[pos + 1] & 0x7F
            head = 2
            if n == 126:
                if size - pos < 4:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                head = 4
            elif n == 127:
                if size - pos < 10:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
            if size - pos < head + n:
                break
            start = pos + head
            payload = bytes(buf[start : start + n])
            pos = start + n
            opcode = b0 & 0x0F
            if opcode == OP_TEXT or opcode == OP_BINARY:
                on_message(opcode, payload)
            elif opcode == OP_PING:
                self.transport.write(encode_frame(OP_PONG, payload))
            elif opcode == OP_CLOSE:
                self._on_close(payload)
        if pos:
            del buf[:pos]

    def _on_close(self, payload):
        if len(payload) >= 2:
            self.close_code = int.from_bytes(payload[:2], "big")
            self.close_reason = payload[2:].decode("utf-8", "replace")
        else:
            self.close_code = 1005
        if not self.transport.is_closing():
            self.transport.write(encode_frame(OP_CLOSE, payload[:2]))
            self.transport.close()

    def send(self, payload, opcode=OP_BINARY):
        self.transport.write(encode_frame(opcode, payload))

    def close(self):
        if self.transport and not self.transport.is_closing():
            self.transport.write(encode_frame(OP_CLOSE, (1000).to_bytes(2, "big")))
            self.transport.close()

    def connection_lost(self, exc):
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during handshake"))
        if not self.closed.done():
            self.closed.set_result(self.close_code)


async def connect(host, port, path, on_message, timeout=10.0):
    loop = asyncio.get_running_loop()
    _, proto = await loop.create_connection(
        lambda: WSClient(host, port, path, on_message), host, port
    )
    await asyncio.wait_for(proto.opened, timeout)
    return proto
