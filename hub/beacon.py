"""UDP discovery beacon (docs/protocol.md): ``BSHUB1 `` + JSON, once a second."""

import asyncio
import json
import logging
import socket

from .logs import event

BEACON_PORT = 47810
PREFIX = b"BSHUB1 "


def beacon_payload(port: int, name: str, path: str = "/ws/controller", proto: int = 1) -> bytes:
    body = {"port": port, "path": path, "proto": proto, "name": name}
    return PREFIX + json.dumps(body, separators=(",", ":")).encode()


def parse_addr(text: str) -> tuple[str, int]:
    """'HOST:PORT' or 'HOST' (port 47810) -> (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, BEACON_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"bad beacon address {text!r}: use HOST:PORT, e.g. 192.168.1.255:47810")
    return host or "255.255.255.255", int(port)


async def run_beacon(payload: bytes, addr: tuple[str, int], interval: float = 1.0):
    """Send ``payload`` to ``addr`` every ``interval`` s until cancelled; errors are logged once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.setblocking(False)
    failing = False
    try:
        while True:
            try:
                sock.sendto(payload, addr)
                if failing:
                    event("beacon_ok", addr=f"{addr[0]}:{addr[1]}")
                failing = False
            except OSError as exc:
                if not failing:
                    event("beacon_failed", logging.WARNING, addr=f"{addr[0]}:{addr[1]}", error=exc)
                failing = True
            await asyncio.sleep(interval)
    finally:
        sock.close()
