"""The hub's listening sockets, accepted in our own code so the penalty box costs almost nothing.

When the event loop accepts, every connection gets a transport and a protocol object (and the
WebSocket library a connection object) before the hub can look at the peer's address: about
0.13 ms of the hub's CPU per attempt, so an address in the penalty box (door.py) hammering the
hub flat out took half a core. Here a reader callback on each listening socket accepts up to
``BATCH`` connections per wake-up. One from a blocked address is reset at once: its descriptor
is closed with the SO_LINGER 0 it inherited from the listening socket, and no object is made
for it. Every other one is handed to the loop with ``connect_accepted_socket`` and the
WebSocket server's protocol factory, as the loop's own accept would. ``Listener`` stands in for
the ``asyncio.Server`` under the library's ``Server`` (hub/wsshell.py ``serve_on``), so closing
the hub closes it. Both asyncio and uvloop.

An address that keeps coming while blocked (``guard.DROP_AFTER`` turned away in one block) is
then dropped in the kernel: a socket filter on each listening socket (synfilter.py) drops its
SYNs until its block ends, when the filter is rebuilt without it. At most
``synfilter.MAX_ADDRS`` addresses are in it; the others are still reset here. Where the
filter cannot be attached (not Linux, or the kernel says no), every refusal stays a reset.
"""

import asyncio
import contextlib
import ctypes
import errno
import logging
import os
import socket
import struct
import sys

from . import synfilter
from .guard import DROP_AFTER

BATCH = 64  # accepts per wake-up: a flood cannot hold the loop for long
BACKLOG = 1024  # the kernel caps it at net.core.somaxconn
RETRY_S = 1.0  # out of file descriptors: stop accepting for this long (as asyncio does)
LINGER_0 = struct.pack("ii", 1, 0)  # close() sends a reset and keeps no state
LINGER_OFF = struct.pack("ii", 0, 0)
STARVED = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
SO_ATTACH_FILTER, SO_DETACH_FILTER = 26, 27  # Linux (asm-generic/socket.h)
log = logging.getLogger(__name__)


def attach_filter(sock: socket.socket, program) -> None:
    """Put ``program`` (synfilter.build) on ``sock``, or take any filter off if it is empty.
    Raises OSError where the kernel does not take it (and on anything but Linux)."""
    if not sys.platform.startswith("linux"):
        raise OSError(errno.ENOPROTOOPT, "socket filters are Linux's")
    if not program:
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_DETACH_FILTER, 0)
        except OSError as exc:
            if exc.errno != errno.ENOENT:  # ENOENT: there was none
                raise
        return
    code = ctypes.create_string_buffer(synfilter.pack(program))
    fprog = struct.pack("HP", len(program), ctypes.addressof(code))  # struct sock_fprog
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)  # the kernel copies it


def listen_sockets(host: str | None, port: int, backlog: int = BACKLOG) -> list[socket.socket]:
    """Bound, listening, non-blocking sockets for ``host`` ("" or None: every interface, both
    families), as ``loop.create_server`` makes them; with port 0 every socket gets the port the
    first one got, so the hub has one port."""
    infos = socket.getaddrinfo(host or None, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0,
                               socket.AI_PASSIVE)  # fmt: skip
    socks: list[socket.socket] = []
    try:
        for family, kind, proto, _, addr in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            socks.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if port == 0 and len(socks) > 1:
                addr = (addr[0], socks[0].getsockname()[1], *addr[2:])
            # Accepted sockets inherit it (Linux, BSD): closing a refused one is a reset.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_0)
            sock.bind(addr)
            sock.listen(backlog)
            sock.setblocking(False)
    except BaseException:
        for sock in socks:
            sock.close()
        raise
    return socks


class Listener:
    """Accepts on ``socks``; ``door.turn_away(host)`` says which peers are reset unheard, and
    ``factory()`` makes the protocol of every other connection."""

    def __init__(self, socks, factory, door):
        self.loop = asyncio.get_running_loop()
        self.socks, self.factory, self.door = tuple(socks), factory, door
        self.serving = False
        self.handed = 0  # connections given to the loop (tests read it)
        self.pending: set[asyncio.Task] = set()
        self.dropped: frozenset[str] = frozenset()  # addresses in the kernel's filter now
        self.filtering = door is not None  # False once the kernel refused a filter
        self.lift = None  # the timer that rebuilds the filter when the first block ends
        if door is not None:
            door.on_drop = self.refilter
            door.drop_after(DROP_AFTER)

    # What the library's Server calls on the asyncio.Server it normally wraps ------------------

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return self.socks

    def get_loop(self):
        return self.loop

    def is_serving(self) -> bool:
        return self.serving

    async def start_serving(self):
        if not self.serving and self.socks:
            self.serving = True
            for sock in self.socks:
                self.loop.add_reader(sock.fileno(), self._accept, sock)

    def close(self):
        self._pause()
        if self.lift is not None:
            self.lift.cancel()
            self.lift = None
        for sock in self.socks:
            sock.close()
        self.socks = ()

    async def wait_closed(self):
        if self.pending:  # connections accepted but not yet handed over
            await asyncio.wait(self.pending)

    # Accepting ----------------------------------------------------------------------------------

    def _pause(self):
        if self.serving:
            self.serving = False
            for sock in self.socks:
                self.loop.remove_reader(sock.fileno())

    def _accept(self, sock):
        door = self.door
        take = sock._accept  # (fd, address): no socket object for a peer about to be reset
        for _ in range(BATCH):
            try:
                fd, addr = take()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in STARVED:  # try again later rather than spin on it
                    self._pause()
                    self.loop.call_later(RETRY_S, self._resume)
                    return
                continue  # e.g. ECONNABORTED: that peer is gone already
            if door is not None and door.turn_away(addr[0]):
                os.close(fd)  # a reset: the socket has the listener's SO_LINGER 0
                continue
            self._hand_over(socket.socket(sock.family, sock.type, sock.proto, fd))

    # Dropping in the kernel ------------------------------------------------------------------

    def refilter(self):
        """Make each listening socket's filter drop what the door says now (door.dropping)."""
        if self.lift is not None:
            self.lift.cancel()
            self.lift = None
        if not self.filtering or not self.socks:
            return
        drops = self.door.dropping()
        keep = sorted(drops, key=drops.get, reverse=True)[: synfilter.MAX_ADDRS]
        if frozenset(keep) != self.dropped:
            program = synfilter.build(keep) if keep else []
            try:
                for sock in self.socks:
                    attach_filter(sock, program)
            except OSError as exc:
                log.info("no socket filter (%s): blocked addresses are reset at accept", exc)
                for sock in self.socks:  # none half on
                    with contextlib.suppress(OSError):
                        attach_filter(sock, [])
                self.filtering, keep = False, []
                self.door.drop_after(None)  # the summaries must not claim it
            self.dropped = frozenset(keep)
        if self.dropped:  # rebuilt when the first of their blocks ends
            wait = min(drops[a] for a in self.dropped) - self.door.codes.clock()
            self.lift = self.loop.call_later(max(0.0, wait) + 0.01, self.refilter)

    def _resume(self):
        if self.socks:
            self.loop.create_task(self.start_serving())

    def _hand_over(self, conn):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_OFF)  # a normal close again
        conn.setblocking(False)
        self.handed += 1
        task = self.loop.create_task(self.loop.connect_accepted_socket(self.factory, conn))
        self.pending.add(task)
        task.add_done_callback(lambda t: self._handed(t, conn))

    def _handed(self, task, conn):
        self.pending.discard(task)
        if task.cancelled() or task.exception() is not None:
            conn.close()  # the loop could not take it (closing down): nothing else holds it
