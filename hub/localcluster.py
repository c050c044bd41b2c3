"""Try several hub processes on one machine: ``python -m hub.localcluster`` (``make cluster``).

Starts a ``redis-server`` on a free loopback port (no persistence, a temporary directory) and
N hub processes (default 3) on ports PORT, PORT+1, ... all with ``--redis`` and one pairing
code, prints their addresses, and on Ctrl-C (or SIGTERM) stops every process it started, by
its PID. Extra arguments after ``--`` go to every hub.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_command(server, port, workdir):
    """A redis-server on loopback that keeps nothing on disk (no RDB, no AOF): a test bed, not
    a store (the tests, the benchmarks and `make cluster` all start it this way)."""
    return [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", workdir, "--loglevel", "warning"]  # fmt: skip


def wait_port(port, proc, what, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"cluster: {what} exited with code {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"cluster: {what} did not listen on {port} within {timeout:g} s")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="make cluster", description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=3, help="hub processes (default 3)")
    ap.add_argument("--port", type=int, default=8001, help="first hub's port (default 8001)")
    ap.add_argument("--pairing-code", default=None, help="default: the shared one in Redis")
    ap.add_argument("hub_args", nargs="*", help="after --: more arguments for every hub")
    args = ap.parse_args(argv)
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit(
            "cluster: redis-server not found; install it (Debian: sudo apt-get install "
            "redis-server) or run the hubs yourself with --redis URL"
        )
    procs: list[tuple[str, subprocess.Popen]] = []

    def interrupt(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    tmp = tempfile.mkdtemp(prefix="blinkshot-cluster-")
    try:
        rport = free_port()
        redis = subprocess.Popen(redis_command(server, rport, tmp))
        procs.append(("redis-server", redis))
        wait_port(rport, redis, "redis-server")
        url = f"redis://127.0.0.1:{rport}/0"
        print(f"redis-server  pid {redis.pid}  {url}", flush=True)
        for i in range(args.n):
            port = args.port + i
            cmd = [sys.executable, "-m", "hub", "--port", str(port), "--redis", url]
            cmd += ["--state-dir", os.path.join(tmp, f"hub-{port}")]
            if args.pairing_code and i == 0:
                cmd += ["--pairing-code", args.pairing_code]
            hub = subprocess.Popen(cmd + args.hub_args)  # its banner and log: this terminal
            procs.append((f"hub {port}", hub))
            wait_port(port, hub, f"hub on port {port}")
            print(f"hub {i + 1}         pid {hub.pid}  http://localhost:{port}/", flush=True)
        print(
            f"{args.n} hubs share rooms through {url}; open any of them, connect controllers "
            "to any (the pairing code is in each hub's banner above). Ctrl-C stops all.",
            flush=True,
        )
        while all(p.poll() is None for _, p in procs):
            time.sleep(0.5)
        dead = [w for w, p in procs if p.poll() is not None]
        print(f"cluster: {', '.join(dead)} exited; stopping the rest", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for _, p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for _, p in reversed(procs):
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
