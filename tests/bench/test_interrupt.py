"""SIGTERM to `bench/run.py` stops the servers it started (they run in their own sessions)."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]


def find_relay(runner, deadline):
    while time.monotonic() < deadline:
        assert runner.poll() is None, "the bench runner exited before starting the relay"
        for child in psutil.Process(runner.pid).children(recursive=True):
            try:
                if any("websockets_relay.py" in part for part in child.cmdline()):
                    return child
            except psutil.NoSuchProcess:
                pass
        time.sleep(0.1)
    raise AssertionError("the websockets relay did not start within 60 s")


def test_sigterm_stops_the_servers_the_runner_started(tmp_path):
    argv = [sys.executable, str(ROOT / "bench" / "run.py"), "--servers", "websockets"]
    argv += ["--only", "relay", "--duration", "60", "--out", str(tmp_path)]
    with open(tmp_path / "run.log", "wb") as log:
        runner = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        relay = find_relay(runner, time.monotonic() + 60)
        time.sleep(1.0)  # let the load generator connect: the runner is mid-point
        children = psutil.Process(runner.pid).children(recursive=True)
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(30) == 128 + signal.SIGTERM
        _, alive = psutil.wait_procs([relay, *children], timeout=5)
        assert not alive, f"left running: {[p.pid for p in alive]}"
        assert not psutil.pid_exists(relay.pid) or relay.status() == psutil.STATUS_ZOMBIE
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
