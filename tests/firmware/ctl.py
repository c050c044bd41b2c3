"""Pytest side of the end-to-end firmware scenarios: run the real firmware (through
firmware/host/virtual/simdriver.py) under CPython or the MicroPython unix port, feed it commands on
stdin, and wait for lines it prints. Plus a TCP proxy that can go silent (a dead link)."""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

from mpunix import ROOT, sim

INTERPRETERS = ("cpython", "micropython")
# The heap of the virtual controller in these runs: the whole firmware (imports + connect +
# play) plus the driver that scripts its pins. The firmware alone is proven in 64k by
# test_heap64k.py; the driver and its commands need a few KB more (docs/firmware.md, Memory).
FIRMWARE_HEAP = os.environ.get("BLINKSHOT_FW_HEAP", "72k")
# Test harnesses that build the App from test modules compiled in RAM (mprun.py +
# test_recover.py, alloc_check.py): their own code and vectors need more room.
HARNESS_HEAP = os.environ.get("BLINKSHOT_HARNESS_HEAP", "128k")
DRIVER = ROOT / "firmware" / "host" / "virtual" / "simdriver.py"


class Controller:
    """A virtual controller process. `lines` holds everything it printed."""

    def __init__(
        self, interp, hub_url, code="123456", name="Ada", device_id="a4cf12fe0b1c", extra=None
    ):
        self.dir = tempfile.mkdtemp(prefix="bs-ctl-")
        cfg = {
            "wifi_ssid": "blinkshot-test",
            "wifi_password": "secret-pass",
            "hub": hub_url,
            "room": "default",
            "code": code,
            "name": name,
            **(extra or {}),
        }
        path = os.path.join(self.dir, "config.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        argv = [path, "--id", device_id, "--script", "-", "--stay"]
        if interp == "micropython":
            cmd, env = sim.micropython_command(FIRMWARE_HEAP, argv)
        else:
            cmd = [sys.executable, "-u", str(DRIVER), *argv]
            fw, fakes = ROOT / "firmware", ROOT / "firmware" / "host" / "virtual"
            env = {**os.environ, "PYTHONPATH": f"{fakes}{os.pathsep}{fw}"}
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.dir,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self.lines = []
        self._done = False
        self._cv = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            with self._cv:
                self.lines.append(line.rstrip("\n"))
                self._cv.notify_all()
        with self._cv:
            self._done = True
            self._cv.notify_all()

    def send(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def wait_for(self, pattern, timeout=20.0, after=0):
        """The first line (index >= after) matching the regex; fails with the output."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                for i in range(after, len(self.lines)):
                    m = rx.search(self.lines[i])
                    if m:
                        return i, m
                left = deadline - time.monotonic()
                if left <= 0 or self._done:
                    break
                self._cv.wait(min(left, 0.2))
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s:\n{self.output()}")

    def welcomes(self):
        return [
            int(m.group(1))
            for m in map(re.compile(r"sim: welcome slot=(\d+)").search, self.lines)
            if m
        ]

    def state(self):
        n = len(self.lines)
        self.send("state")
        _, m = self.wait_for(
            r"sim: state=(\w+) led=(\w+) slot=(-?\d+) sent=(\d+) ignored=(\d+) "
            r"heap_used=(\d+) wdt_feeds=(-?\d+) motor_writes=(-?\d+)",
            after=n,
        )
        return {
            "state": m.group(1),
            "led": m.group(2),
            "slot": int(m.group(3)),
            "sent": int(m.group(4)),
            "ignored": int(m.group(5)),
            "heap_used": int(m.group(6)),
            "wdt_feeds": int(m.group(7)),
            "motor_writes": int(m.group(8)),
        }

    def output(self):
        with self._cv:
            return "\n".join(self.lines)

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.send("end")
                self.proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class SilentProxy:
    """TCP proxy to 127.0.0.1:target_port. `go_silent()` stops forwarding in both directions
    without closing anything: the link is dead but no side gets an error (WiFi gone quiet)."""

    def __init__(self, target_port):
        self.target = target_port
        self.silent = threading.Event()
        self.srv = socket.socket()
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(8)
        self.port = self.srv.getsockname()[1]
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            u = socket.create_connection(("127.0.0.1", self.target))
            self.conns += [c, u]
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, a, b):
        while True:
            try:
                data = a.recv(4096)
            except OSError:
                return
            if not data:
                try:
                    b.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            while self.silent.is_set():
                time.sleep(0.05)  # hold the bytes: nothing arrives, nothing errors
            try:
                b.sendall(data)
            except OSError:
                return

    def go_silent(self):
        self.silent.set()

    def heal(self):
        """Forget the dead connections (as the real network eventually would) and forward
        new ones again."""
        for s in self.conns:
            try:
                s.close()
            except OSError:
                pass
        self.conns = []
        self.silent.clear()

    def close(self):
        self.srv.close()
        self.heal()
