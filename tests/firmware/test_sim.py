"""`make sim`'s program end to end: firmware/host/sim.py with a script, under the MicroPython
unix port, against a real hub, watched by a real game-window WebSocket client."""

import subprocess
import sys
import time

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


SIM = str(ROOT / "firmware" / "host" / "sim.py")


def run_sim(*args, timeout=60):
    r = subprocess.run(
        [sys.executable, SIM, *map(str, args)], capture_output=True, text=True, timeout=timeout
    )
    return r.returncode, r.stdout + r.stderr


def test_sim_explains_a_missing_hub_and_how_to_point_it_at_one():
    for args in (["--hub", "ws://127.0.0.1:9"], ["--port", "9"]):
        rc, out = run_sim(*args)
        assert rc != 0
        assert "no hub answered at http://127.0.0.1:9/pairing.json" in out, out
        assert "make sim PORT=" in out and "make sim HUB=ws://HOST:PORT" in out, out
        assert "make sim CODE=" in out, out


def test_sim_takes_the_hubs_port(tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("0 tap blink\n200 end\n")
    with HubProcess() as hub:
        rc, out = run_sim("--port", hub.port, "--script", script)
    assert rc == 0 and "sim: welcome slot=" in out, out
    assert f"ws://127.0.0.1:{hub.port}/ws/controller" in out, out


def test_make_sim_passes_port_hub_and_code():
    make = (ROOT / "Makefile").read_text()
    recipe = make.split("\nsim:", 1)[1].split("\n\n", 1)[0]
    for text in ("--hub $(HUB)", "--port $(PORT)", "--code $(CODE)", "$(SIM_ARGS)"):
        assert text in recipe, recipe


def test_sim_names_a_missing_script_file(tmp_path):
    missing = tmp_path / "nope" / "demo.txt"
    rc, out = run_sim("--code", "123456", "--script", missing)
    assert rc != 0
    assert f"no script file '{missing}'" in out and "firmware/host/demo.txt" in out, out
    assert "ENOENT" not in out


def test_a_long_script_streams_within_the_heap(tmp_path):
    """600 timed commands (a whole script would not fit the 64 KB heap): read line by line,
    every one runs, nothing runs out of memory."""
    lines = [f"{5 * i} stick {1000 if i % 2 else -1000} 0" for i in range(600)]
    script = tmp_path / "long.txt"
    script.write_text("\n".join(lines + ["3100 stick 0 0", "3200 state", "3300 end"]) + "\n")
    with HubProcess() as hub:
        rc, out = run_sim("--port", hub.port, "--script", script, timeout=120)
    assert rc == 0, out
    assert "MemoryError" not in out and "sim: done" in out, out
    assert out.count("sim: welcome slot=") == 1, out  # no reconnect on the way
    assert "sim: state=play" in out, out


def test_stay_keeps_running_after_end(tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("0 tap blink\n100 end\n")
    with HubProcess() as hub:
        proc = subprocess.Popen(
            [sys.executable, SIM, "--port", str(hub.port), "--script", str(script), "--stay"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            seen = []
            for line in proc.stdout:
                seen.append(line)
                if "staying on (--stay)" in line:
                    break
            time.sleep(1.0)
            assert proc.poll() is None, "".join(seen)  # still there after `end`
        finally:
            proc.terminate()
            proc.wait(10)


def test_docs_sim_examples_name_real_files():
    for doc in ("README.md", "docs/firmware.md"):
        text = (ROOT / doc).read_text()
        for part in text.split("--script ")[1:]:
            path = part.split()[0].strip("\"'`)")
            if path not in ("FILE", "FILE]", "-"):
                assert (ROOT / path).is_file(), f"{doc}: --script {path}"
