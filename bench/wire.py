"""Wire cost: bytes per input event for the binary protocol, JSON over WebSocket, HTTP polling.

WebSocket figures are whole frames as the client writes them (header + 4-byte mask + payload)
and as the hub writes them back, counted on real connections to a real hub. The HTTP figure is
a real `fetch()` POST from headless Chromium to a local `http.server`, counting every byte of
request and response, headers included (plus a minimal Python `urllib` request for contrast).
TCP/IP headers (~52 bytes per segment each way on loopback IPv4 with timestamps) come on top
of every row alike and are left out.
"""

import asyncio
import json
import statistics
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench import chromium, loadgen, servers, wsclient

EVENT = {"seq": 1234, "buttons": 1, "presses": [3, 0, 0], "x": -250, "y": 600}


def binary_input():
    e = EVENT
    return loadgen.INPUT.pack(1, e["seq"], e["buttons"], *e["presses"], e["x"], e["y"])


def json_input():
    return json.dumps({"type": "input", **EVENT}, separators=(",", ":")).encode()


class Counting:
    """Wraps a file object and counts the bytes that pass through it."""

    def __init__(self, inner, tally):
        self.inner, self.tally = inner, tally

    def readline(self, *a):
        data = self.inner.readline(*a)
        self.tally[0] += len(data)
        return data

    def read(self, *a):
        data = self.inner.read(*a)
        self.tally[0] += len(data)
        return data

    def write(self, data):
        self.tally[1] += len(data)
        return self.inner.write(data)

    def flush(self):
        return self.inner.flush()

    def __getattr__(self, name):
        return getattr(self.inner, name)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a polling client would use
    posts = []  # (request bytes, response bytes) per POST

    def setup(self):
        super().setup()
        self.tally = [0, 0]
        self.mark = [0, 0]  # tally at the end of the previous request on this connection
        self.rfile = Counting(self.rfile, self.tally)
        self.wfile = Counting(self.wfile, self.tally)

    def do_GET(self):
        body = b"<!doctype html><title>poll</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.mark = list(self.tally)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()
        self.wfile.flush()
        Handler.posts.append((self.tally[0] - self.mark[0], self.tally[1] - self.mark[1]))
        self.mark = list(self.tally)

    def log_message(self, *args):
        pass


def http_poll(count=20):
    Handler.posts = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    out = {}
    body = json_input()
    try:
        out["chromium_error"] = None
        try:
            out["chromium"] = _chromium_posts(port, body, count)
        except Exception as exc:  # report and carry on with urllib
            out["chromium_error"] = str(exc)[:300]
        for _ in range(count):
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/input",
                data=body,
                headers={"Content-Type": "application/json"},
            )
            urllib.request.urlopen(req, timeout=10).read()
        urllib_posts = Handler.posts[-count:]
        out["urllib"] = _median(urllib_posts)
    finally:
        httpd.shutdown()
        httpd.server_close()
    return out


def _median(posts):
    return {
        "request_bytes": int(statistics.median(p[0] for p in posts)),
        "response_bytes": int(statistics.median(p[1] for p in posts)),
    }


def _chromium_posts(port, body, count):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium.resolve(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            start = len(Handler.posts)
            page.evaluate(
                """async ([body, n]) => {
                    for (let i = 0; i < n; i++) {
                        await fetch('/input', {method: 'POST', body,
                            headers: {'Content-Type': 'application/json'}});
                    }
                }""",
                [body.decode(), count],
            )
            return _median(Handler.posts[start:])
        finally:
            browser.close()


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


async def _hub_ws_bytes(port):
    """Send one real input frame to the hub; count bytes out and bytes the window gets back."""
    ctrl_path, win_path = loadgen.paths(True)
    got = []
    window = await wsclient.connect("127.0.0.1", port, win_path, lambda op, p: got.append(p))
    welcomed = asyncio.get_running_loop().create_future()

    def on_ctrl(op, payload):
        if payload[:1] == b"\x81" and not welcomed.done():
            welcomed.set_result(payload)

    ctrl = await wsclient.connect("127.0.0.1", port, ctrl_path, on_ctrl)
    ctrl.send(loadgen.hello(0, 0))
    await asyncio.wait_for(welcomed, 5)
    ctrl.send(loadgen.INPUT.pack(1, 1, 0, *EVENT["presses"], 0, 0))  # baseline: stick moves only
    await asyncio.sleep(0.3)
    written = []
    real_write = ctrl.transport.write
    ctrl.transport.write = lambda data: (written.append(len(data)), real_write(data))
    del got[:]
    ctrl.send(binary_input())
    await asyncio.sleep(0.3)
    moves = [p for p in got if b'"type":"move"' in p and b'"cseq":1234' in p]
    ctrl.close()
    window.close()
    return {
        "controller_frame_bytes": written[0] if written else None,
        # Unmasked server frame: 2-byte header below 126 bytes of payload, 4 up to 64 KiB.
        "window_move_frame_bytes": len(moves[0]) + (2 if len(moves[0]) < 126 else 4)
        if moves
        else None,
        "window_move_example": moves[0].decode() if moves else None,
    }


def run():
    hub = servers.make("hub")
    hub.start()
    try:
        hub_bytes = asyncio.run(_hub_ws_bytes(hub.port))
    finally:
        hub.stop()
    payload = binary_input()
    jpayload = json_input()
    return {
        "event": EVENT,
        "binary_ws": {"payload": len(payload), "frame": len(wsclient.encode_frame(2, payload))},
        "json_ws": {
            "payload": len(jpayload),
            "frame": len(wsclient.encode_frame(1, jpayload)),
            "example": jpayload.decode(),
        },
        "hub_measured": hub_bytes,
        "http_poll": http_poll(),
    }
