"""Peer: the smallest useful `websockets` broadcast relay.

Every message a client on /ws/controller sends goes to every client on /ws/window, unchanged,
with `websockets.broadcast` (no backpressure: a slow window just buffers). No validation, no
game: the floor for a relay written on the same library as the hub.

    python bench/peers/websockets_relay.py --port 0
"""

import asyncio

import relay_cli  # this folder: the script's own, first on sys.path
from websockets.asyncio.server import broadcast, serve

windows = set()


async def handle(ws):
    path = ws.request.path
    if path.startswith("/ws/window"):
        windows.add(ws)
        try:
            await ws.wait_closed()
        finally:
            windows.discard(ws)
    elif path.startswith("/ws/controller"):
        async for message in ws:
            broadcast(windows, message)
    else:
        await ws.close(4002, "unknown path; use /ws/controller or /ws/window")


async def main(host, port):
    async with serve(handle, host, port, compression=None, max_size=4096) as server:
        bound = server.sockets[0].getsockname()[1]
        print(f"websockets relay listening on http://{host}:{bound}", flush=True)
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    relay_cli.run(main, __doc__)
