"""Hub discovery: listen for the hub's UDP beacon (docs/protocol.md). Imported only while
looking for a hub (config "hub": "auto") and dropped again once one is found.

With several hubs on one network, config "hub_name" picks one by the name in its beacon, and
a hub that refused our pairing code is skipped for a while (App.skip) so the others get a try.
"""

import json
import socket

from blinkshot.ticks import ticks_add, ticks_diff

BEACON_MAGIC = b"BSHUB1 "


def parse_beacon(data, sender_ip):
    """(host, port, path, name) from a hub beacon datagram, or None if it is not one."""
    if not data.startswith(BEACON_MAGIC):
        return None
    try:
        info = json.loads(data[len(BEACON_MAGIC) :])
        port = info["port"]
        path = info.get("path", "/ws/controller")
        name = info.get("name", "")
        if not isinstance(name, str):
            return None
        if info.get("proto", 1) != 1 or not isinstance(port, int) or not 0 < port < 65536:
            return None
        if not isinstance(path, str) or not path.startswith("/"):
            return None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return sender_ip, port, path, name


SKIP_MS = 60000  # how long "hub": "auto" passes over a found hub that refused us


def pass_over(skip, hub, now, why):
    """Note that hub (host, port, path) refused us: skip it for SKIP_MS (at most 4 noted)."""
    print(f"blinkshot: {why}; passing over {hub[0]}:{hub[1]} for {SKIP_MS // 1000} s")
    if len(skip) >= 4:
        skip.pop(0)
    skip.append((hub[0], hub[1], ticks_add(now, SKIP_MS)))


def skipped(skip, host, port, now):
    """True if (host, port) refused our code less than its skip time ago."""
    for h, p, until in skip:
        if h == host and p == port and ticks_diff(until, now) > 0:
            return True
    return False


class BeaconListener:
    """Listen for the hub's UDP beacon (docs/protocol.md) without blocking the loop.

    want: the hub name to accept ("" = any). skip: [(host, port, until_ticks)] of hubs that
    refused our pairing code; their beacons are passed over until then."""

    def __init__(self, port, want="", skip=()):
        self.port = port
        self.want = want
        self.skip = skip
        self.sock = None
        self.told = []  # hubs passed over and already logged, so each is logged once

    def open(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        except (OSError, AttributeError):
            pass
        s.bind(socket.getaddrinfo("0.0.0.0", self.port)[0][-1])
        s.setblocking(False)
        self.sock = s

    def check(self, now):
        """A (host, port, path) if a beacon of a hub we may use arrived, else None."""
        if self.sock is None:
            self.open()
        try:
            data, addr = self.sock.recvfrom(600)  # type: ignore  (open() set it)
        except OSError:
            return None  # EAGAIN: nothing yet
        ip = addr[0] if isinstance(addr, tuple) else _ip_from_sockaddr(addr)
        found = parse_beacon(data, ip)
        if found is None:
            return None
        host, port, path, name = found
        why = None
        if self.want and name != self.want:
            why = "it is not hub_name " + repr(self.want)
        elif skipped(self.skip, host, port, now):
            why = "it refused our pairing code; trying others first"
        if why is None:
            return host, port, path
        key = host + ":" + str(port) + why
        if key not in self.told and len(self.told) < 8:
            self.told.append(key)
            print(f"blinkshot: passing over hub {name!r} at {host}:{port}: {why}")
        return None

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _ip_from_sockaddr(raw):
    # MicroPython's unix port returns a raw sockaddr: family(2), port(2), address(4).
    return f"{raw[4]}.{raw[5]}.{raw[6]}.{raw[7]}"
