"""``python -m hub``: parse settings, set up logging, run until SIGINT/SIGTERM."""

import asyncio
import sys

from . import logs
from .config import from_args
from .server import Hub


def main(argv=None) -> int:
    cfg = from_args(argv)
    logs.setup(cfg.log_level, cfg.log_format)
    try:
        asyncio.run(Hub(cfg).run())
    except OSError as exc:
        print(
            f"hub: cannot listen on {cfg.host}:{cfg.port}: {exc.strerror or exc}", file=sys.stderr
        )
        print("  pick another port with --port, or stop what is using it", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
