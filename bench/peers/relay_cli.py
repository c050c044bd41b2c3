"""The command line of the Python peer relays: --host, --port (0: any free port), then run
`main(host, port)` until interrupted."""

import argparse
import asyncio


def run(main, doc):
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(main(args.host, args.port))
    except KeyboardInterrupt:
        pass
