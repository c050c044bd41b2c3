"""The HTTP side of the one port: which requests are answered, and with what.

Every request, WebSocket upgrades included, first passes ``Front.refuse``: the method (GET or
HEAD; 405 otherwise), the Host header (hosts.py's allow-list; 403 otherwise) and, for upgrades,
the Origin. ``Front.answer`` serves the plain HTTP paths. Details that identify devices
(``/healthz``, ``/dashboard``) go only to this machine or to a client showing the pairing code;
``/pairing.json`` only to this machine under a name on the allow-list.
"""

import dataclasses
import json
import logging
import socket
from urllib.parse import parse_qs, urlsplit

from . import static
from .health import health
from .hosts import HostAllowList, host_of, is_loopback, own_names
from .logs import event
from .methods import ALLOW_HEADER
from .pairing import BLOCKED, OK, reason
from .rooms import ROOM_NAME

WS_PATHS = ("/ws/controller", "/ws/window")


def without_body(r):
    """The answer to a HEAD request: the same headers (Content-Length included), no body."""
    return dataclasses.replace(r, body=b"")


def peer_of(conn) -> str:
    return (conn.remote_address or ("",))[0]


def local_of(conn) -> str | None:
    addr = conn.local_address
    return addr[0] if addr else None


class Front:
    def __init__(self, hub):
        self.hub = hub
        self._hosts = None
        self.local_peer = is_loopback  # which peers are this machine (a test may pretend not)

    @property
    def hosts(self) -> HostAllowList:
        """Built on first use, after start() knows the address the LAN reaches us at."""
        if self._hosts is None:
            cfg = self.hub.cfg
            names = own_names(socket.gethostname()) + [self.hub.public_host, cfg.host]
            self._hosts = HostAllowList(names=names, extra=cfg.allow_host)
        return self._hosts

    # Checks every request passes ------------------------------------------------------------

    def refuse(self, conn, request):
        """A response that refuses ``request`` (method, Host, Origin), or None to go on."""
        path = urlsplit(request.path).path
        if request.method not in ("GET", "HEAD"):
            r = static.text(405, f"method {request.method} not allowed; use GET")
            r.headers["Allow"] = ALLOW_HEADER
            return r
        raw = request.headers.get("Host")
        if not self.hosts.allows(host_of(raw), local_of(conn)):
            shown = (raw or "")[:100]
            if self.hub.bad_log.allow():
                event("host_rejected", logging.WARNING, host=shown, path=path[:100],
                      addr=peer_of(conn))  # fmt: skip
            name = host_of(raw) or "NAME"
            r = static.text(403, f"host {shown or '(none)'} not allowed; if players reach the "
                            f"hub under this name, start it with --allow-host {name}")  # fmt: skip
            return without_body(r) if request.method == "HEAD" else r
        if path in WS_PATHS:
            if request.method == "HEAD":
                return without_body(static.text(400, "a WebSocket upgrade uses GET"))
            return self.refuse_origin(conn, request, path)
        return None

    def refuse_origin(self, conn, request, path):
        """A browser's upgrade must come from a page under an allowed name (or a listed origin);
        clients that send no Origin (firmware, Node, Python) are not browsers."""
        origin = request.headers.get("Origin")
        if origin is None or origin in self.hub.cfg.allow_origin:
            return None
        if self.hosts.allows_origin(origin, local_of(conn)):
            return None
        shown = origin[:100]
        if self.hub.bad_log.allow():
            event("origin_rejected", logging.WARNING, origin=shown, path=path)
        return static.text(
            403, f"origin {shown} not allowed; start the hub with --allow-origin {shown}"
        )

    # Plain HTTP paths -----------------------------------------------------------------------

    def answer(self, conn, request):
        r = self._answer(conn, request)
        return without_body(r) if request.method == "HEAD" else r

    def _answer(self, conn, request):
        hub = self.hub
        url = urlsplit(request.path)
        path, query = url.path, parse_qs(url.query)
        peer = peer_of(conn)
        code = query.get("code", [""])[0]
        if path in ("/healthz", "/dashboard"):
            detail = self.local_peer(peer)
            if code and not detail:
                refused = self.check_code(peer, code)
                if refused is not None:
                    return refused
                detail = True
            if path == "/dashboard":
                return static.serve_file(path)
            doc = health(hub, detail=detail)
            body = json.dumps(doc).encode()
            return static.response(200 if doc["ok"] else 503, body, "application/json")
        if path == "/pairing.json":
            host = host_of(request.headers.get("Host"))
            if not self.local_peer(peer) or not self.hosts.allows(host, local_of(conn)):
                return static.text(403, "pairing.json answers only on the hub's own machine")
            body = {"room": hub.cfg.room, "code": hub.cfg.pairing_code,
                    "phone_url": hub.phone_url(hub.cfg.room)}  # fmt: skip
            return static.response(200, json.dumps(body).encode(), "application/json")
        if path == "/qr.svg":
            if not code:
                return static.text(403, "qr.svg needs ?code= with the pairing code")
            refused = self.check_code(peer, code)
            if refused is not None:
                return refused
            room = query.get("room", [hub.cfg.room])[0]
            if not ROOM_NAME.fullmatch(room):
                return static.text(400, "bad room name")
            return static.response(200, static.qr_svg(hub.phone_url(room)), "image/svg+xml")
        return static.serve_file(path)

    def check_code(self, peer, code):
        """None when ``code`` is right; else 403 (wrong) or 429 (too many wrong ones)."""
        verdict, wait = self.hub.codes.check(peer, code)
        if verdict == OK:
            return None
        if verdict == BLOCKED:
            r = static.text(429, reason(verdict, wait))
            r.headers["Retry-After"] = str(max(1, round(wait)))
            return r
        return static.text(403, reason(verdict, wait))
