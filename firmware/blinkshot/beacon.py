"""Hub discovery: listen for the hub's UDP beacon (docs/protocol.md). Imported only while
looking for a hub (config "hub": "auto") and dropped again once one is found."""

import json
import socket

BEACON_MAGIC = b"BSHUB1 "


def parse_beacon(data, sender_ip):
    """(host, port, path) from a hub beacon datagram, or None if it is not one."""
    if not data.startswith(BEACON_MAGIC):
        return None
    try:
        info = json.loads(data[len(BEACON_MAGIC) :])
        port = info["port"]
        path = info.get("path", "/ws/controller")
        if info.get("proto", 1) != 1 or not isinstance(port, int) or not 0 < port < 65536:
            return None
        if not isinstance(path, str) or not path.startswith("/"):
            return None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return sender_ip, port, path


class BeaconListener:
    """Listen for the hub's UDP beacon (docs/protocol.md) without blocking the loop."""

    def __init__(self, port):
        self.port = port
        self.sock = None

    def open(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        except (OSError, AttributeError):
            pass
        s.bind(socket.getaddrinfo("0.0.0.0", self.port)[0][-1])
        s.setblocking(False)
        self.sock = s

    def check(self):
        """A (host, port, path) if a beacon arrived, else None."""
        if self.sock is None:
            self.open()
        try:
            data, addr = self.sock.recvfrom(600)
        except OSError:
            return None  # EAGAIN: nothing yet
        ip = addr[0] if isinstance(addr, tuple) else _ip_from_sockaddr(addr)
        return parse_beacon(data, ip)

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _ip_from_sockaddr(raw):
    # MicroPython's unix port returns a raw sockaddr: family(2), port(2), address(4).
    return f"{raw[4]}.{raw[5]}.{raw[6]}.{raw[7]}"
