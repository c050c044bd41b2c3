"""``make cluster`` (python -m hub.localcluster): redis-server and N hubs that share one code,
every address printed, everything stopped on Ctrl-C."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

from hubkit import ROOT
from redisproc import free_port, need_redis_server


def test_cluster_starts_hubs_on_one_redis_and_stops_them_all():
    need_redis_server()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hub.localcluster", "-n", "2", "--port", str(port), "--",
         "--host", "127.0.0.1", "--no-beacon"],  # fmt: skip
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if "share rooms through" in line:
                break
        out = "".join(lines)
        pids = [int(p) for p in re.findall(r"pid (\d+)", out)]
        assert len(pids) == 3, out  # redis-server and two hubs
        codes = set(re.findall(r"pairing code: (\d{6})", out))
        assert len(codes) == 1, out  # one code for both hubs, from Redis
        for p in (port, port + 1):
            with urllib.request.urlopen(f"http://127.0.0.1:{p}/healthz", timeout=5) as r:
                assert r.status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    time.sleep(0.2)
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"process {pid} still running after Ctrl-C")
