"""``python -m hub``: parse settings, set up logging, run until SIGINT/SIGTERM."""

import asyncio
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
        print(
            f"hub: cannot listen on {cfg.host}:{cfg.port}: {exc.strerror or exc}", file=sys.stderr
        )
        print("  pick another port with --port, or stop what is using it", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
