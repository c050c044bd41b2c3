"""The firmware as a mip package (firmware/package.json) and as a freeze manifest
(firmware/manifest.py): both list exactly the modules `make flash` uploads, at the firmware's
version, and a real `mpremote mip install` of package.json onto the simulated board installs
them so that the board imports the firmware."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "firmware" / "host"))

import boardlink  # noqa: E402
import flash  # noqa: E402
import flashplan  # noqa: E402
from ptyboard import PtyBoard  # noqa: E402

FIRMWARE = ROOT / "firmware"


def library_modules():
    """What make flash puts under lib/ (source paths relative to firmware/)."""
    return sorted(u.source for u in flashplan.plan(flash.firmware_sources()) if "/" in u.source)


def firmware_version():
    text = (FIRMWARE / "blinkshot" / "__init__.py").read_text()
    return text.split('VERSION = "', 1)[1].split('"', 1)[0]


def test_make_flash_does_not_upload_the_manifest():
    uploads = flashplan.plan(flash.firmware_sources())
    assert "manifest.py" not in [u.source for u in uploads]
    assert {"boot.py", "main.py"} <= {u.source for u in uploads}


def test_package_json_lists_every_module_at_the_firmware_version():
    pkg = json.loads((FIRMWARE / "package.json").read_text())
    assert pkg["version"] == firmware_version()
    targets = [t for t, _ in pkg["urls"]]
    sources = [s for _, s in pkg["urls"]]
    assert targets == sources == library_modules()
    assert all((FIRMWARE / s).is_file() for s in sources)


def test_manifest_freezes_the_package_at_the_firmware_version():
    calls = []
    scope = {
        "metadata": lambda **kw: calls.append(("metadata", kw)),
        "include": lambda path: calls.append(("include", path)),
        "package": lambda name, **kw: calls.append(("package", name)),
        "module": lambda name, **kw: calls.append(("module", name)),
    }
    exec((FIRMWARE / "manifest.py").read_text(), scope)
    assert ("package", "blinkshot") in calls
    meta = dict(calls)["metadata"]
    assert meta["version"] == firmware_version()
    frozen = {m.split("/", 1)[0] for m in library_modules()}
    assert frozen == {"blinkshot"}  # the package holds every module make flash uploads


def test_mip_install_puts_the_firmware_on_a_board(tmp_path):
    board_dir = tmp_path / "board"
    with PtyBoard(board_dir) as board:
        r = subprocess.run(
            [boardlink.tool("mpremote"), "connect", board.device, "resume",
             "mip", "install", "--target", "lib", str(FIRMWARE / "package.json")],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert r.returncode == 0, r.stdout + r.stderr + board.output()
        check = subprocess.run(
            [boardlink.tool("mpremote"), "connect", board.device, "resume", "exec",
             "import sys; sys.path.insert(0, 'lib'); import blinkshot; print(blinkshot.VERSION)"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    installed = sorted(
        p.relative_to(board_dir / "lib").as_posix() for p in (board_dir / "lib").rglob("*.py")
    )
    assert installed == library_modules()
    for rel in installed:
        assert (board_dir / "lib" / rel).read_bytes() == (FIRMWARE / rel).read_bytes()
    assert check.stdout.strip().endswith(firmware_version()), check.stdout + check.stderr
    assert os.listdir(board_dir) == ["lib"]  # no fakes, nothing at the root
