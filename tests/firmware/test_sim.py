"""`make sim`'s program end to end: firmware/host/sim.py with a script, under the MicroPython
unix port, against a real hub, watched by a real game-window WebSocket client."""

import subprocess
import sys

from mpunix import ROOT
from test_scenarios import HubProcess, Window

SCRIPT = """# move right, back, blink, shoot
0 stick 1000 0
300 stick 0 0
400 tap blink
600 tap shoot 10
900 end
"""


def test_scripted_sim_appears_moves_blinks_and_shoots(tmp_path):
    script = tmp_path / "demo.txt"
    script.write_text(SCRIPT)
    with HubProcess() as hub:
        win = Window(hub.ws_url("window"))
        try:
            r = subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "firmware" / "host" / "sim.py"),
                    "--hub",
                    f"ws://127.0.0.1:{hub.port}",  # no --code: read from /pairing.json
                    "--name",
                    "Simmy",
                    "--id",
                    "5151deadbeef",
                    "--script",
                    str(script),
                ],
                capture_output=True,
                text=True,
                timeout=60,
            )
            out = r.stdout + r.stderr
            assert r.returncode == 0, out
            assert "sim: welcome slot=" in out and "sim: done" in out, out
            created = win.wait(
                lambda m: m.get("type") == "create_player" and m["player"]["name"] == "Simmy"
            )
            pid = created["player"]["id"]
            win.wait(lambda m: m.get("type") == "move" and m["id"] == pid and m["x"] >= 990)
            win.wait(lambda m: m.get("type") == "blink" and m["id"] == pid)
            win.wait(lambda m: m.get("type") == "shoot" and m["id"] == pid)
        finally:
            win.close()
    assert "id=5151deadbeef" in hub.output()


def test_sim_explains_a_missing_hub():
    r = subprocess.run(
        [sys.executable, str(ROOT / "firmware" / "host" / "sim.py"), "--hub", "ws://127.0.0.1:9"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode != 0
    assert "is the hub running? Or pass --code" in r.stderr
