"""Run the real hub as a subprocess for tests: ``with HubProcess() as hub: ...``.

The hub listens on 127.0.0.1 on a free port (``--port 0``, then the same port again after
``restart()``), with pairing code 123456 and no LAN beacon unless ``beacon_addr`` is given.
Each hub keeps its state in its own temporary directory (``state_dir``, kept across
``restart()``), so tests never read or write the user's ~/.local/state.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
_LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")


class HubProcess:
    """A hub subprocess. Attributes: ``port``, ``http_url``, ``code`` (None: let the hub keep
    or draw its own), ``room``, ``proc``, ``state_dir``."""

    def __init__(
        self,
        *args,
        code="123456",
        room=None,
        beacon_addr=None,
        env=None,
        timeout=15.0,
        python=sys.executable,
        state_dir=None,
    ):
        self.extra = [str(a) for a in args]
        self.code, self.room, self.beacon_addr = code, room or "default", beacon_addr
        # The open arena and no lobby unless asked (env=, or --map in args): tests
        # place players by hand and shoot at once, and would otherwise meet the default map's
        # pillars and the countdown before each round.
        defaults = {"BLINKSHOT_MAP": "open", "BLINKSHOT_NO_LOBBY": "1"}
        self.env = {**defaults, **os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.timeout, self.python = timeout, python
        self.port = 0
        self.proc = None
        if state_dir is None:  # removed when this object goes
            self._state_tmp = tempfile.TemporaryDirectory(prefix="blinkshot-hub-state-")
            state_dir = self._state_tmp.name
        self.state_dir = Path(state_dir)
        self._lines: list[str] = []
        self._lock = threading.Lock()

    # Lifecycle -------------------------------------------------------------------------------

    def start(self):
        cmd = [self.python, "-m", "hub", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.code is not None:
            cmd += ["--pairing-code", self.code]
        cmd += ["--room", self.room, "--state-dir", str(self.state_dir)]
        cmd += ["--beacon-addr", self.beacon_addr] if self.beacon_addr else ["--no-beacon"]
        cmd += self.extra
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        found = threading.Event()
        proc = self.proc

        def pump():
            for line in proc.stdout:
                with self._lock:
                    self._lines.append(line)
                m = _LISTENING.search(line)
                if m and not found.is_set():
                    self.port = int(m.group(1))
                    found.set()
            found.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + self.timeout
        while not found.wait(0.05):
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"hub did not start within {self.timeout} s:\n{self.output()}")
        if not self.port or proc.poll() is not None and not self._listening_seen():
            raise RuntimeError(f"hub exited before listening:\n{self.output()}")
        return self

    def _listening_seen(self):
        return any(_LISTENING.search(line) for line in self._lines)

    def stop(self, timeout=10.0) -> int | None:
        """SIGTERM by PID, wait; SIGKILL if it does not exit. Returns the exit code."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        return proc.returncode

    def kill(self):
        """SIGKILL by PID: no shutdown, no last save."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self, kill=False):
        """Stop (or ``kill``) and start again on the same port and state directory."""
        if kill:
            self.kill()
        self.stop()
        time.sleep(0.05)
        with self._lock:
            self._lines.append("--- restart ---\n")
        return self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # Addresses and output --------------------------------------------------------------------

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, kind="window", room="default", code=None) -> str:
        """``code=None`` uses the hub's code; ``code=""`` leaves it out."""
        query = {"room": room}
        code = self.code if code is None else code
        if code:
            query["code"] = code
        return f"ws://127.0.0.1:{self.port}/ws/{kind}?{urlencode(query)}"

    def output(self) -> str:
        with self._lock:
            return "".join(self._lines)

    def wait_for_output(self, pattern, timeout=10.0) -> re.Match:
        """Wait until the hub's output matches ``pattern`` (a regex); return the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = rx.search(self.output())
            if m:
                return m
            time.sleep(0.02)
        raise AssertionError(f"hub output never matched {pattern!r}:\n{self.output()}")
