"""``python -m hub``: parse settings, set up logging, run until SIGINT/SIGTERM."""

import asyncio
import errno
import socket
import sys

from . import logs
from .config import from_args
from .server import Hub


def loop_factory(choice: str):
    """The event loop to run on: uvloop when asked for or, with "auto", when installed."""
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise SystemExit(
                "hub: --loop uvloop needs the uvloop package (`pip install uvloop`; it does not "
                "exist for Windows); or use --loop asyncio"
            ) from None
        return None
    return uvloop.new_event_loop


def main(argv=None) -> int:
    cfg = from_args(argv)
    logs.setup(cfg.log_level, cfg.log_format)
    try:
        with asyncio.Runner(loop_factory=loop_factory(cfg.loop)) as runner:
            runner.run(Hub(cfg).run())
    except OSError as exc:
        why = exc.strerror or exc
        print(f"hub: cannot listen on {cfg.host}:{cfg.port}: {why}", file=sys.stderr)
        print(f"  {listen_hint(exc, cfg.host, cfg.port)}", file=sys.stderr)
        return 2
    return 0


def listen_hint(exc: OSError, host: str, port: int) -> str:
    """What to do about a failed listen, for the error the system gave."""
    if isinstance(exc, socket.gaierror):
        return f"--host {host} is not an address or a name this machine can resolve"
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"--host {host} (or BLINKSHOT_HOST) is not an address of this machine; use "
            "0.0.0.0 (every interface), 127.0.0.1 (this machine only) or one of its addresses "
            "(`ip addr`)"
        )
    if exc.errno in (errno.EACCES, errno.EPERM) and 0 < port < 1024:
        return f"port {port} needs administrator rights; pick one from 1024 up with --port"
    return "pick another port with --port, or stop what is using it"


if __name__ == "__main__":
    sys.exit(main())
