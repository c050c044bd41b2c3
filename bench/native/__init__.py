"""The native window side of the load generator: build `windows.c`, run it, talk to it.

At 16 controllers × 100 Hz → 64 windows the windows receive ~100 k messages/s; in Python that
takes most of a core, which the server under test then competes with. `windows.c` does the
same counting as `loadgen.WindowStats` in one epoll thread. It is compiled on first use with
`$CC` (or `cc`) `-O2` into bench/native/build/ (gitignored), again whenever the source is newer.
"""

import array
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "windows.c"
BUILD = HERE / "build"


def compiler():
    """The C compiler to use ($CC, else cc), or None when there is none."""
    return shutil.which(os.environ.get("CC") or "cc")


def build():
    """Path of the compiled program, compiling it if it is missing or older than the source."""
    exe = BUILD / "windows"
    if exe.exists() and exe.stat().st_mtime >= SOURCE.stat().st_mtime:
        return exe
    cc = compiler()
    if not cc:
        raise RuntimeError("no C compiler: set $CC or install cc (gcc or clang)")
    BUILD.mkdir(exist_ok=True)
    tmp = BUILD / f"windows.{os.getpid()}.tmp"  # concurrent builds must not see half a file
    argv = [cc, "-O2", "-std=c99", "-Wall", "-o", str(tmp), str(SOURCE)]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    os.replace(tmp, exe)
    return exe


class NativeWindows:
    """One `windows` process holding `count` windows; the same calls as the Python worker."""

    def __init__(self, port, path, count, n_ctrl, shm_name):
        fd, self.lat_path = tempfile.mkstemp(prefix="blinkshot-lat-", suffix=".bin")
        os.close(fd)
        argv = [str(build()), str(port), path, str(count), str(n_ctrl), shm_name]
        self.proc = subprocess.Popen(
            argv + [self.lat_path], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.pid = self.proc.pid
        self._pending = b""

    def _line(self, what, timeout):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise RuntimeError(f"native load generator: no {what} within {timeout:.0f} s")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError(f"native load generator exited before {what}")
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        text = line.decode()
        if text.startswith("error"):
            raise RuntimeError(f"native load generator: {text}")
        return text

    def _send(self, text):
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()

    def ready(self, timeout):
        return int(self._line("windows ready", timeout).split()[1])

    def expect(self, total, wait_s):
        self._send(f"expect {total} {wait_s}")

    def result(self, timeout):
        """The same dict as the Python window worker's, latencies as raw doubles in "lat"."""
        stats = json.loads(self._line("window results", timeout))
        lat = array.array("d")
        with open(self.lat_path, "rb") as f:
            lat.frombytes(f.read())
        stats["lat"] = lat.tobytes()
        return stats

    def bye(self):
        try:
            self._send("bye")
        except (BrokenPipeError, ValueError):
            pass

    def join(self, timeout):
        try:
            self.proc.stdin.close()  # EOF: it exits, whatever it was waiting for
        except BrokenPipeError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        Path(self.lat_path).unlink(missing_ok=True)
