"""The penalty box: connections from an address that keeps misbehaving are reset at accept.

Two guards (guard.py) count per address: wrong pairing codes (``CodeCheck``, pairing.py) and
bad input, that is a connection the hub ended for breaking the protocol: not HTTP or not a valid
upgrade, a close with one of ``BAD_INPUT``, or dropped for not reading (``strike``). Past the
free ones an address is blocked for 1, 2, 4 … s (at most 60). While it is blocked, its new
connections are reset at accept, before a byte of HTTP is read: by the hub's own listener
(listener.py) before any object is made for them, or, on the library's public API alone, by
``DoorCheck`` in ``connection_made``. A blocked
code guesser is still told why once per block (the close reason or the 429); bad input was told
by the close codes of its free attempts. Summary lines: ``code_guessing`` and ``bad_input``.
"""

import socket
import struct

try:
    import fcntl
    import termios
except ImportError:  # not POSIX: a plain close, as before
    fcntl = termios = None

from .codec import Close
from .guard import CodeGuard
from .hosts import address_key
from .pairing import Summaries

# Close codes the hub sends for broken input (1002 and 1007 come from the library's parser).
BAD_INPUT = frozenset({1002, 1003, 1007, Close.TOO_BIG, Close.MALFORMED, Close.UNKNOWN_TYPE,
                       Close.NO_HELLO, Close.RATE_LIMIT})  # fmt: skip


class BadInput(Summaries):
    what = "bad_input"

    def __init__(self, guard: CodeGuard | None = None, **kw):
        # No probation here (guard.py): a port check or a browser's unused preconnect is a
        # strike too, and loopback's honest windows must not be held to 10 connections a second.
        super().__init__(guard or CodeGuard(tell=False, trial_rate=None), **kw)

    def strike(self, addr: str | None):
        """A connection from ``addr`` broke the protocol."""
        key = address_key(addr or "?")
        now = self.clock()
        self.guard.failed(key, now)
        self._log(key, now)


class Door:
    """Both guards, as the connections see them."""

    def __init__(self, codes: Summaries, bad: BadInput | None = None):
        self.codes, self.bad = codes, bad or BadInput()
        self.turned_away = 0  # connections reset at accept (tests and the bench read it)
        self.on_drop = None  # called when an address starts to be dropped in the kernel

    def turn_away(self, addr: str | None) -> bool:
        if not (self.codes.guard.entries or self.bad.guard.entries):
            return False  # nobody in the box: the common case costs one check
        key = address_key(addr or "?")
        for check in (self.codes, self.bad):
            if check.turn_away(key):
                self.turned_away += 1
                e = check.guard.entries.get(key)
                if e is not None and e.turned == check.guard.drop_after and self.on_drop:
                    self.on_drop()  # from now on the kernel drops it (listener.py)
                return True
        return False

    def dropping(self) -> dict[str, float]:
        """Addresses to drop in the kernel now (``CodeGuard.dropping``), with when to stop,
        on the guards' clock."""
        out = self.bad.guard.dropping(self.bad.clock())
        for addr, until in self.codes.guard.dropping(self.codes.clock()).items():
            out[addr] = max(until, out.get(addr, 0.0))
        return out

    def drop_after(self, count: int | None):
        """Drop in the kernel after ``count`` turned away in a block (None: never)."""
        self.codes.guard.drop_after = self.bad.guard.drop_after = count


def reset(transport, always=False):
    """Drop the connection now. With a TCP reset when bytes are still owed to the peer (or
    ``always``): a plain close of a socket whose peer does not read would leave the kernel
    holding them (an orphan in FIN-WAIT-1) for minutes. A peer that took everything gets a
    plain close instead, so the close frame it has not read yet is not thrown away."""
    sock = transport.get_extra_info("socket")
    try:
        if always or transport.get_write_buffer_size() or unsent(sock):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except (AttributeError, OSError):  # no socket (or a loop that hides it): a plain abort
        pass
    transport.abort()


def unsent(sock) -> int:
    """Bytes in the kernel's send queue not yet acknowledged by the peer (0 if unknown)."""
    if fcntl is None:
        return 0
    try:
        return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
    except (AttributeError, OSError, ValueError):
        return 0


def peer_host(transport) -> str | None:
    peer = transport.get_extra_info("peername")
    return peer[0] if peer else None


class DoorCheck:
    """Connection mixin, before the library's class: resets connections from blocked addresses
    at accept, and strikes the address of a connection that ends for bad input."""

    door: Door | None = None  # set on a subclass per hub (server.py)
    check_at_accept = True  # False when the hub's own listener checked already (listener.py)
    turned_away = False
    unread = False  # dropped for not reading (wsshell.HubConnection)

    def connection_made(self, transport):
        door = self.door
        if door is not None and self.check_at_accept and door.turn_away(peer_host(transport)):
            self.turned_away = True
            reset(transport, always=True)
            return  # the library never sees it: no handshake, no task
        super().connection_made(transport)

    def connection_lost(self, exc):
        if self.turned_away:
            return
        super().connection_lost(exc)
        door = self.door
        if door is None:
            return
        sent = getattr(self.protocol, "close_sent", None)
        if (
            self.unread
            or getattr(self.protocol, "handshake_exc", None) is not None
            or (sent is not None and sent.code in BAD_INPUT)
        ):
            door.bad.strike(peer_host(self.transport))
