"""HTTP side of the one port: static files from hub/web only, pairing info, QR code."""

import io
import mimetypes
from http import HTTPStatus
from pathlib import Path

import segno
from websockets.datastructures import Headers
from websockets.http11 import Response

WEB_ROOT = Path(__file__).resolve().parent / "web"
ROUTES = {"/": "index.html", "/phone": "phone.html", "/dashboard": "dashboard.html"}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
}


def response(status: int, body: bytes, ctype: str, extra: dict | None = None) -> Response:
    headers = Headers()
    headers["Content-Type"] = ctype
    headers["Content-Length"] = str(len(body))
    headers["Cache-Control"] = "no-cache"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Connection"] = "close"
    for k, v in (extra or {}).items():
        headers[k] = v
    st = HTTPStatus(status)
    return Response(st.value, st.phrase, headers, body)


def text(status: int, msg: str) -> Response:
    return response(status, (msg + "\n").encode(), "text/plain; charset=utf-8")


def resolve(path: str, root: Path = WEB_ROOT) -> Path | None:
    """Map a URL path to a file inside ``root``; None for anything outside, hidden or a dir."""
    rel = ROUTES.get(path)
    if rel is None:
        if not path.startswith("/") or "\\" in path or "\x00" in path:
            return None
        parts = path[1:].split("/")
        if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            return None
        rel = "/".join(parts)
    target = (root / rel).resolve()
    try:
        target.relative_to(root.resolve())
    except ValueError:
        return None
    return target if target.is_file() else None


def serve_file(path: str, root: Path = WEB_ROOT) -> Response:
    target = resolve(path, root)
    if target is None:
        return text(404, f"not found: {path[:80]}")
    ctype = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
    return response(200, target.read_bytes(), ctype or "application/octet-stream")


def qr_svg(url: str) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=6, border=2, xmldecl=False)
    return buf.getvalue()
