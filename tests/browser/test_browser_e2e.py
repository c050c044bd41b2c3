"""End to end (issue 2): the real firmware under the MicroPython unix port -> hub -> Chromium.

The virtual controller (firmware/host/sim.py) runs firmware/blinkshot on fake pins and plays a
script; the game page must show the player appear, move, blink and shoot.
"""

import math
import subprocess
import sys
import threading

import pytest
from browserkit import ROOT, HubProcess, events, open_game, player, wait_js, wait_player, wait_until

SIM = ROOT / "firmware" / "host" / "sim.py"
SCRIPT = """\
# ms since the hub's welcome, command
200 stick 1000 0
1000 stick -1000 0
2600 stick 0 0
2900 tap blink
3500 tap shoot
4500 end
"""


class Sim:
    """sim.py as a subprocess, its output collected line by line."""

    def __init__(self, hub, script, name, dev_id):
        cmd = [sys.executable, str(SIM), "--hub", f"ws://127.0.0.1:{hub.port}"]
        cmd += ["--code", hub.code, "--name", name, "--id", dev_id, "--script", str(script)]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def output(self):
        return "".join(self.lines)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture
def e2e_hub():
    with HubProcess() as h:
        yield h


def test_firmware_under_micropython_plays_in_chromium(browser, e2e_hub, tmp_path):
    hub = e2e_hub
    page = open_game(browser, hub)
    script = tmp_path / "e2e.txt"
    script.write_text(SCRIPT)
    sim = Sim(hub, script, "Sim1", "5151515151e2")
    try:

        def welcomed():
            if sim.proc.poll() not in (None, 0):
                raise AssertionError(f"sim exited with {sim.proc.returncode}:\n{sim.output()}")
            return "sim: welcome slot=" in sim.output()

        wait_until(welcomed, 60, "the sim's welcome")
        first = wait_js(
            page,
            "window.blinkshot.state().players.find((p) => p.name === 'Sim1')",
            timeout=10_000,
        )
        assert first["kind"] == "controller" and first["id"] == "c-5151515151e2"
        start = (first["x"], first["y"])

        def moved():
            p = player(page, "Sim1")
            return p and math.dist(start, (p["x"], p["y"])) > 100

        wait_until(moved, 15, "the sim's player to move")
        pid = first["id"]
        blink = wait_js(
            page,
            "(id) => window.blinkshot.events.find((e) => e.type === 'blink' && e.id === id)",
            pid,
        )
        # The blink's target is where the player then stands (a wall may shorten the jump).
        wait_player(page, "Sim1", f"Math.hypot(p.x - {blink['to'][0]}, p.y - {blink['to'][1]}) < 1")
        # The shot is relayed at once, and the page draws its projectile.
        wait_js(
            page,
            "(id) => window.blinkshot.events.some((e) => e.type === 'shoot' && e.id === id)",
            pid,
        )
        wait_js(
            page,
            "(id) => window.blinkshot.state().drawn_projectiles.some((s) => s.owner === id)",
            pid,
        )
        assert sim.proc.wait(30) == 0, sim.output()
        assert [e["type"] for e in events(page) if e.get("id") == pid].count("shoot") == 1
    finally:
        sim.stop()
    assert page.errors == []
    page.close()
