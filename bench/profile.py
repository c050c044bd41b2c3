"""Profile the hub under load with py-spy (sampling, native-free): where the server time goes.

Runs as its own pass after the measurements, because sampling slows the hub a little.
"""

import collections
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from bench import loadgen, servers


def py_spy():
    found = Path(sys.executable).with_name("py-spy")
    return str(found) if found.exists() else shutil.which("py-spy")


def summarize(raw_text, top=15):
    """Self and inclusive sample shares per function from py-spy's collapsed-stack output."""
    own, incl, total = collections.Counter(), collections.Counter(), 0
    for row in raw_text.splitlines():
        stack, _, count = row.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        own[_short(frames[-1])] += n
        for f in {_short(f) for f in frames}:
            incl[f] += n
    if not total:
        return {"samples": 0, "self": [], "inclusive": []}
    return {
        "samples": total,
        "self": [(f, round(100 * n / total, 1)) for f, n in own.most_common(top)],
        "inclusive": [(f, round(100 * n / total, 1)) for f, n in incl.most_common(top + 10)],
    }


def _short(frame):
    # "func (path/to/file.py:123)" → "func (file.py)": one row per function, not per line
    name, _, where = frame.partition(" (")
    if not where:
        return name
    return f"{name} ({where.rsplit('/', 1)[-1].rsplit(':', 1)[0].rstrip(')')})"


def run(ctrl, rate, win, duration, out_path, procs=None, generator="auto"):
    spy = py_spy()
    if not spy:
        return {"error": "py-spy not found: `.venv/bin/pip install py-spy` (in the bench extra)"}
    server = servers.make("hub")
    server.start()
    result = {}
    try:
        cmd = [
            spy,
            "record",
            "--pid",
            str(server.proc.pid),
            "--duration",
            str(int(duration) + 2),
            "--rate",
            "500",
            "--format",
            "raw",
            "--output",
            str(out_path),
            "--nonblocking",
        ]
        spy = []

        def start():
            spy.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
            threading.Event().wait(0.3)

        load = loadgen.run_point(
            server,
            ctrl,
            rate,
            win,
            duration,
            hub_mode=True,
            procs=procs,
            idle_s=0.1,
            on_go=start,
            generator=generator,
        )
        spy_proc = spy[0]
        spy_out = spy_proc.communicate(timeout=duration + 30)[0].decode(errors="replace")
        if spy_proc.returncode != 0 or not Path(out_path).exists():
            return {"error": f"py-spy failed: {spy_out[-500:]}"}
        result = summarize(Path(out_path).read_text())
        result["load"] = {k: load[k] for k in ("delivered", "expected", "p99_ms")}
        result["raw"] = str(out_path)
    finally:
        server.stop()
    return result
