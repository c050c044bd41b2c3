"""A simulated MicroPython board for real mpremote: a pseudo-terminal bridged to the unix port.

mpremote talks to a serial device. Here that device is one end of a pty pair whose other end
is bridged (by a thread in this process) to a second pty that is the controlling terminal of
`micropython -i`, the MicroPython unix port's REPL. Both ptys are in raw mode, so the bytes
mpremote sends (Ctrl-C, Ctrl-A raw REPL, code, Ctrl-D) reach the REPL unchanged, and files
that `mpremote fs cp` writes land in the board's working directory.

    with PtyBoard(workdir) as board:
        subprocess.run(["mpremote", "connect", board.device, "resume", "exec", "print(1)"])

Always pass `resume` to mpremote: the unix port's Ctrl-D in raw REPL is not a board's soft
reset. If the interpreter exits (e.g. a fake `machine.reset()`), the board boots it again,
like a board coming back from a hard reset. Host-only; never copied to a device.
"""

import os
import select
import signal
import subprocess
import sys
import termios
import threading
import time
import tty
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FAKES = ROOT / "firmware" / "host" / "virtual"


def default_micropython():
    """The unix port next to this interpreter (.venv/bin/micropython), else the one on PATH."""
    local = Path(sys.executable).with_name("micropython")
    return str(local) if local.exists() else "micropython"


def _raw(fd, isig=False):
    """Put a tty in raw mode, no echo. isig keeps Ctrl-C turning into SIGINT for the REPL side."""
    tty.setraw(fd)
    attrs = termios.tcgetattr(fd)
    attrs[3] &= ~termios.ECHO
    if isig:
        attrs[3] |= termios.ISIG
    termios.tcsetattr(fd, termios.TCSANOW, attrs)


class PtyBoard:
    """A MicroPython unix-port REPL behind a pty, for `mpremote connect <board.device> resume`.

    workdir is the board's filesystem (its cwd); sys.path is '', 'lib' (like a board's /lib)
    and then extra_path (by default firmware/host/virtual, so `machine` and `network` import).
    """

    def __init__(self, workdir, micropython=None, extra_path=(FAKES,), heapsize=None):
        self.workdir = Path(workdir)
        self.micropython = micropython or default_micropython()
        self.extra_path = [str(p) for p in extra_path]
        self.heapsize = heapsize
        self.device = None
        self.boots = 0
        self._log = bytearray()
        self._proc = None
        self._stop = threading.Event()
        self._thread = None
        self._fds = []

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.workdir.mkdir(parents=True, exist_ok=True)
        # The end mpremote opens: keep our copy of the slave open so that mpremote closing it
        # between commands does not hang up the master.
        self._host_master, self._host_slave = os.openpty()
        _raw(self._host_slave)
        self.device = os.ttyname(self._host_slave)
        self._fds += [self._host_master, self._host_slave]
        self._boot()
        self._thread = threading.Thread(target=self._bridge, name="ptyboard", daemon=True)
        self._thread.start()
        self._wait_for_prompt()

    def _boot(self):
        self._repl_master, repl_slave = os.openpty()
        _raw(repl_slave, isig=True)
        env = dict(os.environ)
        env["MICROPYPATH"] = os.pathsep.join(["", ".frozen", "lib", *self.extra_path])
        cmd = [self.micropython]
        if self.heapsize:
            cmd += ["-X", f"heapsize={self.heapsize}"]
        cmd.append("-i")
        self._proc = subprocess.Popen(
            cmd,
            cwd=self.workdir,
            env=env,
            stdin=repl_slave,
            stdout=repl_slave,
            stderr=repl_slave,
            start_new_session=True,  # setsid, so the pty becomes its controlling terminal
            close_fds=True,
        )
        os.close(repl_slave)
        self.boots += 1

    def _wait_for_prompt(self, timeout=15):
        deadline = time.monotonic() + timeout
        while b">>> " not in self._log:
            if time.monotonic() > deadline:
                raise RuntimeError(f"simulated board did not show a prompt: {self.output()!r}")
            if self._proc.poll() is not None and self._stop.is_set():
                raise RuntimeError(f"micropython exited: {self.output()!r}")
            time.sleep(0.02)

    def _bridge(self):
        host, repl = self._host_master, self._repl_master
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([host, repl], [], [], 0.1)
            except (OSError, ValueError):
                return
            if host in ready:
                data = _read(host)
                if data:
                    _write(repl, data)
            if repl in ready:
                data = _read(repl)
                if data:
                    self._log += data
                    _write(host, data)
                elif self._proc.poll() is not None and not self._stop.is_set():
                    # The interpreter exited: boot it again, like a board after a reset.
                    os.close(repl)
                    self._boot()
                    repl = self._repl_master

    def output(self):
        """Everything the board has printed so far (for failure messages)."""
        return bytes(self._log).decode("utf-8", "replace")

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2)
        if self._proc and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
        for fd in [*self._fds, self._repl_master]:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds = []


def _read(fd):
    try:
        return os.read(fd, 4096)
    except OSError:  # EIO: the other side closed
        return b""


def _write(fd, data):
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            time.sleep(0.001)
            continue
        except OSError:
            return
        view = view[n:]


def main(argv=None):
    """Run a simulated board until Ctrl-C: `python firmware/host/ptyboard.py WORKDIR`."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("workdir", help="directory that plays the board's filesystem")
    parser.add_argument("--heap", help="heap size, e.g. 64k")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the interpreter on the way out
    with PtyBoard(args.workdir, heapsize=args.heap) as board:
        print(f"simulated board on {board.device}; try:", flush=True)
        print(f"  .venv/bin/mpremote connect {board.device} resume exec 'print(1)'", flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
