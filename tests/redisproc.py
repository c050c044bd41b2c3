"""A real redis-server for tests: ``with RedisProcess() as r: ... r.url``.

It listens on 127.0.0.1 on a free port, keeps nothing on disk (no RDB, no AOF; its working
directory is a temporary one) and is stopped by its PID. ``restart()`` brings it back empty on
the same port, as a Redis without persistence comes back after a crash. Without redis-server
the test is skipped, except in CI, where that is a failure: .ci/run installs it.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from hub.localcluster import redis_command

SERVER = os.environ.get("BLINKSHOT_REDIS_SERVER") or shutil.which("redis-server")


def need_redis_server():
    if SERVER and os.access(SERVER, os.X_OK):
        return
    msg = "redis-server not found: sudo apt-get install redis-server (Debian package)"
    if os.environ.get("CI"):
        pytest.fail("CI: " + msg + "; .ci/run must install it")
    pytest.skip(msg)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisProcess:
    def __init__(self, *args, timeout=10.0):
        """``args``: extra redis-server options, e.g. ``"--requirepass", "s3cret"``."""
        need_redis_server()
        self.args = [str(a) for a in args]
        self.timeout = timeout
        self.port = free_port()
        self.proc = None
        self._dir = tempfile.TemporaryDirectory(prefix="blinkshot-redis-")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        cmd = [*redis_command(SERVER, self.port, self._dir.name), "--daemonize", "no", *self.args]
        log = open(os.path.join(self._dir.name, "redis.log"), "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + self.timeout
        while not self._answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on {self.port}:\n{self.log()}")
            time.sleep(0.02)
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64)[:1] in (b"+", b"-")  # PONG, or NOAUTH: it is up
        except OSError:
            return False

    def stop(self):
        """SIGTERM by PID; SIGKILL if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def restart(self):
        self.stop()
        return self.start()

    def log(self) -> str:
        try:
            with open(os.path.join(self._dir.name, "redis.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        self._dir.cleanup()
