"""A minimal RFC 6455 WebSocket client for MicroPython (and CPython, for tests).

Why our own: see docs/websocket-client.md. In short: the built-in `websocket` module writes
unmasked frames (servers close with 1002), micropython-lib's aiohttp client allocates per frame
and skips the Sec-WebSocket-Accept check, danni/uwebsockets is unmaintained.

Blocking connect + handshake (Client._handshake: an answer of any length, read line by line),
then a polled receive path and one-write sends. Hot-path frames are preallocated (`Frame`):
the payload is packed in place, masked in place with a fresh mask from the os.urandom pool
(refill_masks), and written whole, so a send allocates nothing.
"""

import binascii
import hashlib
import os
import random
import select
import socket

from micropython import const

from blinkshot.ticks import sleep_ms as _sleep_ms

OP_TEXT = const(1)
OP_BINARY = const(2)
OP_CLOSE = const(8)
OP_PING = const(9)
OP_PONG = const(10)

EV_NONE = const(0)
EV_MESSAGE = const(1)
EV_CLOSED = const(2)

MAX_PAYLOAD = const(125)  # hub frames are tiny; control frames are <= 125 by the RFC
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_ACCEPT = b"sec-websocket-accept:"
_MAX_HEADERS = const(16384)  # bytes of answer before we call the server broken or hostile
_HDR = const(6)  # 2 header bytes + 4 mask bytes for payloads < 126
_AGAIN = (11, 35)  # EAGAIN on Linux/lwIP, and on macOS

# The unix port lacks these constants but accepts Linux's values (ESP32-NOTES section 4).
_IPPROTO_TCP = getattr(socket, "IPPROTO_TCP", 6)
_TCP_NODELAY = getattr(socket, "TCP_NODELAY", 1)


class HandshakeError(Exception):
    """The server did not accept the WebSocket upgrade. `status` is the HTTP status or 0."""

    def __init__(self, message, status=0):
        super().__init__(message)
        self.status = status


def accept_for(key):
    """Sec-WebSocket-Accept the server must send back for our Sec-WebSocket-Key."""
    return binascii.b2a_base64(hashlib.sha1(key + _GUID).digest()).strip()


# Mask keys (RFC 6455 section 5.3) from os.urandom, the ESP32's hardware RNG: drawn into one
# preallocated pool and handed out 4 bytes per frame, so a frame allocates nothing. os.urandom
# itself allocates, so the pool is refilled at the loop's idle point (Client.wait) once half is
# used, and at every connect: one 64-byte object per 8 frames. Should it run dry (no idle point
# reached, or a refill meets a full heap), a frame takes its mask from `random` (the PRNG,
# seeded at boot) and MASKS[2] counts it. `urandom` is a module global so tests can pin it.
urandom = os.urandom
_POOL = bytearray(64)
MASKS = [0, 0, 0]  # bytes left in _POOL, refills, fallbacks


def refill_masks():
    """Fill the pool from urandom (allocates). False if the heap is full: the rest is kept."""
    try:
        _POOL[:] = urandom(len(_POOL))  # slice assignment: the pool stays where it is
    except MemoryError:
        return False
    MASKS[0] = len(_POOL)
    MASKS[1] += 1
    return True


def mask_in_place(buf, start, size):
    """Write the next mask into buf[start - 4:start], then XOR buf[start:start + size] with
    it in place. Allocates nothing."""
    n = MASKS[0] - 4
    if n < 0:
        MASKS[2] += 1
        for k in range(4):
            buf[start - 4 + k] = random.getrandbits(8)
    else:
        MASKS[0] = n
        for k in range(4):
            buf[start - 4 + k] = _POOL[n + k]
    i = 0
    while i < size:
        buf[start + i] ^= buf[start - 4 + (i & 3)]
        i += 1


class Frame:
    """A preallocated masked client frame with a fixed payload size < 126.

    Pack the payload at `buf[6:]` (offset PAYLOAD), then Client.send_frame(frame)."""

    PAYLOAD = _HDR

    def __init__(self, opcode, size):
        if size > MAX_PAYLOAD:
            raise ValueError("Frame is for small payloads")
        self.size = size
        self.buf = bytearray(_HDR + size)
        self.buf[0] = 0x80 | opcode
        self.buf[1] = 0x80 | size


def build_frame(opcode, payload, mask=True):
    """A masked frame for any payload (allocates; for close and odd pongs). mask=False leaves
    the mask for Client.send_built (a frame built once and sent on every connection)."""
    n = len(payload)
    if n < 126:
        head = 2
    elif n < 65536:
        head = 4
    else:
        raise ValueError("payload too large")
    buf = bytearray(head + 4 + n)
    buf[0] = 0x80 | opcode
    if head == 2:
        buf[1] = 0x80 | n
    else:
        buf[1] = 0x80 | 126
        buf[2] = n >> 8
        buf[3] = n & 0xFF
    buf[head + 4 :] = payload
    if mask:
        mask_in_place(buf, head + 4, n)
    return buf


def _lower_is(rx, at, lit, fold=0x20):
    """True if rx[at:] starts with lit; with fold, ASCII letters in rx compare in lower case
    (header names ignore case; ':' and digits are unchanged by | 0x20)."""
    if at + len(lit) > len(rx):
        return False
    k = 0
    while k < len(lit):
        if rx[at + k] | fold != lit[k]:
            return False
        k += 1
    return True


class Client:
    def __init__(self, rx_size=192):
        self.sock = None
        self.rx = bytearray(rx_size)
        self.fill = 0
        self._scratch = bytearray(64)
        self._tail = bytearray(1)  # used only when rx is nearly full
        self.msg = b""
        self.heard = False  # set when any bytes arrived; the caller clears it
        self.close_code = 0
        self.close_reason = ""
        self.ignored = 0  # hub frames we could not use (text, oversized, unknown)
        self.nodelay = False
        self._ping = Frame(OP_PING, 0)
        self._pong0 = Frame(OP_PONG, 0)
        self._pong4 = Frame(OP_PONG, 4)
        self._wait = None  # bound to the socket by connect()
        self._send = None
        self._recv_into = None

    # ---- connection ----

    def connect(self, host, port, path, timeout_ms=3000):
        """Open TCP, do the upgrade, check Sec-WebSocket-Accept. Raises OSError or
        HandshakeError; on success the client is open."""
        self.close_code = 0
        self.close_reason = ""
        self.fill = 0
        addr = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0][-1]
        s = socket.socket()
        try:
            s.settimeout(timeout_ms / 1000)
            s.connect(addr)
            try:
                s.setsockopt(_IPPROTO_TCP, _TCP_NODELAY, 1)
                self.nodelay = True
            except (OSError, AttributeError):
                self.nodelay = False
            # Non-blocking from here: a socket readinto() on MicroPython otherwise waits until
            # the whole buffer is full; non-blocking, it returns what has arrived.
            s.setblocking(False)
            key = binascii.b2a_base64(os.urandom(16)).strip()
            self.sock = s
            # Method lookups allocate a bound method each time, so cache them once per socket.
            self._send = s.send
            self._recv_into = getattr(s, "readinto", None) or s.recv_into  # type: ignore  (CPython)
            p = select.poll()
            p.register(s, select.POLLIN)
            self._wait = getattr(p, "ipoll", None) or p.poll  # keeps p alive
            # Written piece by piece rather than built as one string: at this moment the heap
            # is at its fullest (docs/firmware.md, Memory), and TCP does not mind.
            for part in (
                b"GET ",
                path,
                b" HTTP/1.1\r\nHost: ",
                host,
                b":",
                str(port),
                b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ",
                key,
                b"\r\nSec-WebSocket-Version: 13\r\nUser-Agent: blinkshot-fw\r\n\r\n",
            ):
                self._send_all(part.encode() if isinstance(part, str) else part)
            refill_masks()  # a fresh pool for the new connection (allocates; not in the game)
            self._handshake(accept_for(key), timeout_ms)
        except Exception:
            self.sock = None
            s.close()
            raise

    def _read_some(self):
        """One non-blocking read into rx. 0 if nothing was there; OSError if the peer left.

        Reads into a scratch buffer and copies, because slicing rx (a memoryview slice) would
        allocate on every read, and a pong arrives every second."""
        room = len(self.rx) - self.fill
        if room <= 0:
            return 0
        try:
            n = self._recv_into(self._scratch if room >= len(self._scratch) else self._tail)  # pyright: ignore[reportOptionalCall]
        except OSError as e:
            if e.args and e.args[0] in _AGAIN:
                return 0
            raise
        if n is None:
            return 0  # MicroPython: would block
        if n == 0:
            raise OSError(104)  # connection closed by peer
        rx = self.rx
        src = self._scratch if room >= len(self._scratch) else self._tail
        f = self.fill
        i = 0
        while i < n:
            rx[f + i] = src[i]
            i += 1
        self.fill = f + n
        return n

    def _handshake(self, want, timeout_ms):
        """Read the answer to the upgrade one header line at a time, in rx, dropping each:
        any length fits (a proxy may add headers, cookies). A line longer than rx is skipped
        in pieces; the two lines that matter, the status line and Sec-WebSocket-Accept, are
        short. Bytes after the blank line stay in rx (a frame may follow at once)."""
        rx = self.rx
        size = len(rx)
        status = -1
        why = ""
        ok = -1  # -1: no Accept yet; 0/1: it did not / did match want
        skip = False  # inside a line longer than rx
        total = 0
        waited = 0
        while True:
            end = 1
            while end < self.fill and not (rx[end] == 10 and rx[end - 1] == 13):
                end += 1
            end = end - 1 if end < self.fill else -1  # index of the CR, or -1
            if end < 0 and self.fill < size:
                if self._read_some() == 0:
                    if waited >= timeout_ms:
                        raise HandshakeError("no complete answer to the WebSocket upgrade")
                    for _ in self._wait(50):  # pyright: ignore[reportOptionalCall]
                        pass
                    waited += 50
                continue
            n = size if end < 0 else end  # the line (or the buffer-full piece of it)
            total += n + 2
            if total > _MAX_HEADERS:
                raise HandshakeError("hub sent over 16 KB of HTTP headers")
            if status < 0:
                parts = bytes(rx[: min(n, 64)]).split(b" ", 2)
                status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
                why = parts[2].decode() if len(parts) > 2 else ""
            elif n == 0 and not skip:
                self._consume(2)  # the blank line: the headers are done
                break
            elif not skip and _lower_is(rx, 0, _ACCEPT):
                k = len(_ACCEPT)
                while k < n and rx[k] == 32:
                    k += 1
                e = n
                while e > k and rx[e - 1] == 32:
                    e -= 1
                ok = 1 if e - k == len(want) and _lower_is(rx, k, want, 0) else 0
            if end < 0:  # keep a CR that may start the CRLF
                keep = 1 if rx[size - 1] == 13 else 0
                rx[0] = 13
                self.fill = keep
                skip = True
            else:
                self._consume(end + 2)
                skip = False
        if status != 101:
            raise HandshakeError(f"hub answered HTTP {status} {why}", status)
        if ok < 0:
            raise HandshakeError("hub sent no Sec-WebSocket-Accept")
        if ok == 0:
            raise HandshakeError("wrong Sec-WebSocket-Accept from hub")

    def _drop(self, code, reason=""):
        if self.close_code == 0:
            self.close_code = code
            self.close_reason = reason
        s = self.sock
        self.sock = None
        if s is not None:
            try:
                s.close()
            except OSError:
                pass

    def _fail(self, code, reason):
        """Fail the connection: send a close frame (best effort) and drop the socket."""
        try:
            self._send_all(build_frame(OP_CLOSE, bytes((code >> 8, code & 0xFF))))
        except OSError:
            pass
        self._drop(code, reason)
        return EV_CLOSED

    def close(self, code=1000):
        if self.sock is None:
            return
        self._fail(code, "closed by controller")

    # ---- sending ----

    def _send_all(self, data):
        """Write all of data; a full socket buffer for over a second counts as a dead link."""
        sent = 0
        tries = 0
        mv = None
        while sent < len(data):
            try:
                n = self._send(data if mv is None else mv[sent:]) or 0  # pyright: ignore[reportOptionalCall]
            except OSError as e:
                if not e.args or e.args[0] not in _AGAIN:
                    raise
                n = 0
            sent += n
            if sent < len(data) and mv is None:
                mv = memoryview(data)
            if n == 0:
                tries += 1
                if tries > 100:
                    raise OSError(110)  # ETIMEDOUT
                _sleep_ms(10)

    def send_frame(self, frame):
        """Mask and write a preallocated Frame in one write. False if the link broke."""
        if self.sock is None:
            return False
        buf = frame.buf
        mask_in_place(buf, _HDR, frame.size)
        try:
            n = self._send(buf)  # pyright: ignore[reportOptionalCall]
            if n is None or n < len(buf):
                self._send_all(memoryview(buf)[n or 0 :])
        except OSError:
            self._drop(1006, "send failed")
            return False
        return True

    def send_bytes(self, payload, frame=None):
        """Send any binary message (allocates), or a ready frame."""
        if self.sock is None:
            return False
        try:
            self._send_all(frame or build_frame(OP_BINARY, payload))
        except OSError:
            self._drop(1006, "send failed")
            return False
        return True

    def send_built(self, buf):
        """Send a build_frame(..., mask=False) frame with a fresh mask, then unmask it again for
        next time: the hello goes out on every connect without allocating."""
        start = 8 if buf[1] & 0x7F == 126 else 6
        n = len(buf) - start
        mask_in_place(buf, start, n)
        try:
            return self.send_bytes(None, buf)
        finally:
            i = 0
            while i < n:
                buf[start + i] ^= buf[start - 4 + (i & 3)]
                i += 1

    def ping(self):
        return self.send_frame(self._ping)

    # ---- receiving ----

    def wait(self, timeout_ms):
        """Wait up to timeout_ms for bytes from the hub (the loop's idle point, where the mask
        pool is topped up)."""
        if self.sock is None:
            return True
        if MASKS[0] <= 32:
            refill_masks()
        for _ in self._wait(timeout_ms):  # pyright: ignore[reportOptionalCall]
            return True
        return False

    def poll(self):
        """Read what is available and handle at most one frame.

        Returns EV_NONE, EV_MESSAGE (binary payload in self.msg) or EV_CLOSED (close_code,
        close_reason set). Pings are answered here. Never raises on bad hub bytes."""
        if self.sock is None:
            return EV_CLOSED
        ev = self._parse()
        if ev != EV_NONE or self.sock is None:
            return ev
        readable = False
        for _ in self._wait(0):  # pyright: ignore[reportOptionalCall]
            readable = True
        if not readable:
            return EV_NONE
        try:
            if self._read_some() == 0:
                return EV_NONE
        except OSError:
            self._drop(1006, "connection lost")
            return EV_CLOSED
        self.heard = True
        return self._parse()

    def _consume(self, k):
        rx = self.rx
        rest = self.fill - k
        i = 0
        while i < rest:
            rx[i] = rx[k + i]
            i += 1
        self.fill = rest

    def _parse(self):
        rx = self.rx
        if self.fill < 2:
            return EV_NONE
        b0 = rx[0]
        b1 = rx[1]
        if b1 & 0x80:
            return self._fail(1002, "hub sent a masked frame")
        if b0 & 0x70:
            return self._fail(1002, "reserved bits set")
        op = b0 & 0x0F
        n = b1 & 0x7F
        head = 2
        if n == 126:
            if self.fill < 4:
                return EV_NONE
            n = (rx[2] << 8) | rx[3]
            head = 4
        elif n == 127:
            n = 1 << 16
        if n > MAX_PAYLOAD:
            self.ignored += 1
            return self._fail(1009, "hub frame too large")
        if not b0 & 0x80 or op == 0:
            return self._fail(1002, "fragmented frames are not supported")
        if self.fill < head + n:
            return EV_NONE  # partial frame: wait for the rest
        if op == OP_PONG:
            self._consume(head + n)
            return EV_NONE
        if op == OP_PING:
            # Answer with its payload. The common sizes (0, and 4 as python-websockets sends)
            # use preallocated frames, so keepalive traffic allocates nothing.
            f = self._pong0 if n == 0 else self._pong4 if n == 4 else Frame(OP_PONG, n)
            for i in range(n):
                f.buf[_HDR + i] = rx[head + i]
            self._consume(head + n)
            return EV_NONE if self.send_frame(f) else EV_CLOSED
        payload = bytes(rx[head : head + n]) if n else b""
        self._consume(head + n)
        if op == OP_BINARY:
            self.msg = payload
            return EV_MESSAGE
        if op == OP_CLOSE:
            code = (payload[0] << 8) | payload[1] if len(payload) >= 2 else 1005
            try:
                reason = payload[2:].decode()
            except (UnicodeError, ValueError):
                reason = ""
            try:
                self._send_all(build_frame(OP_CLOSE, payload[:2]))
            except OSError:
                pass
            self._drop(code, reason)
            return EV_CLOSED
        self.ignored += 1  # text or unknown opcode: not ours to act on
        if op > 2 and op < 8 or op > 10:
            return self._fail(1002, "unknown opcode")
        return EV_NONE
