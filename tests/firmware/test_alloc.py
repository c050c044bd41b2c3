"""The steady-state path from reading the inputs to the bytes handed to the socket allocates
nothing: proven under micropython.heap_lock() on the unix port (a MicroPython-only test by
nature: CPython has no heap lock), talking to a real hub."""

import json
import re
import sys
import tempfile
from pathlib import Path

from ctl import HARNESS_HEAP
from mpunix import ROOT, run_script

sys.path.insert(0, str(ROOT / "tests"))
from hubproc import HubProcess  # noqa: E402


def test_input_to_socket_path_allocates_nothing_under_heap_lock():
    with HubProcess("--rate", "100000") as hub:
        cfg = {
            "wifi_ssid": "blinkshot-test",
            "wifi_password": "secret-pass",
            "hub": f"ws://127.0.0.1:{hub.port}",
            "code": "123456",
            "name": "Alloc",
        }
        path = Path(tempfile.mkdtemp(prefix="bs-alloc-")) / "config.json"
        path.write_text(json.dumps(cfg))
        r = run_script(ROOT / "tests" / "firmware" / "alloc_check.py", path, heap=HARNESS_HEAP)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    m = re.search(r"alloc: (-?\d+) bytes over (\d+) frames", out)
    assert m and int(m.group(1)) == 0, out
    m = re.search(r"locked: (\d+) frames, (\d+) loop passes", out)
    assert m and int(m.group(1)) >= 1000 and int(m.group(2)) > 100, out
    assert "state: play" in out, out
    # Mask keys from os.urandom: one 64-byte draw per 8 frames at the idle point (allocates
    # there, never in a frame), no frame short of a pool mask.
    m = re.search(r"refills: (\d+) over 800 frames, (-?\d+) bytes, fallbacks (\d+)", out)
    assert m, out
    refills, grown, fallbacks = map(int, m.groups())
    assert 95 <= refills <= 105 and fallbacks == 0, out
    assert grown <= refills * 128, out  # each draw: 64 bytes plus its object header
    print(out)
