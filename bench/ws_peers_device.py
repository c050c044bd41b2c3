"""Device side of bench/ws_peers.py: one WebSocket client library under the MicroPython unix
port sends binary frames to a server, through that library's public API.

    ws_peers_device.py CLIENT PORT FRAMES [alloc]

Prints `connected` once the handshake is through (or `refused: <error>`), then, with `alloc`,
`alloc: <bytes> per frame` (gc.mem_alloc growth over FRAMES sends after a warm-up, collector
off); without it just `sent <FRAMES>`. Exit status 0 only if everything ran. The adapters only
call each library; none of their code is here.
"""

import gc
import sys

PAYLOAD = b"\x01\x00\x2a\x03\x00\x00\x00\x00\x00\x00\x00"  # 11 bytes, like an input frame
WARM = 20


def run_blocking(connect, send, frames, alloc):
    connect()
    print("connected")
    for _ in range(WARM):
        send()
    measure(lambda: [send() for _ in range(frames)], frames, alloc)


def measure(body, frames, alloc):
    if not alloc:
        body()
        print("sent", frames)
        return
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    body()
    grown = gc.mem_alloc() - before
    gc.enable()
    # The list the comprehension builds (one slot per frame) is the harness's, not the
    # library's: measure it alone and take it off.
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    [None for _ in range(frames)]
    harness = gc.mem_alloc() - before
    gc.enable()
    print("alloc:", (grown - harness) // frames, "per frame")


def blinkshot(port, frames, alloc):
    from blinkshot import ws

    c = ws.Client()
    f = ws.Frame(ws.OP_BINARY, len(PAYLOAD))
    f.buf[6:] = PAYLOAD

    def send():
        c.send_frame(f)
        c.wait(0)  # the loop's idle point, where the mask pool is refilled: counted too

    run_blocking(lambda: c.connect("127.0.0.1", port, "/", 3000), send, frames, alloc)


def micropython_websocket(port, frames, alloc):
    from micropython_websocket import websocket

    box = []
    run_blocking(
        lambda: box.append(websocket.create_connection(f"ws://127.0.0.1:{port}/")),
        lambda: box[0].send_binary(PAYLOAD),
        frames,
        alloc,
    )


def run_async(make):
    import asyncio

    asyncio.run(make())


def micropython_websockets(port, frames, alloc):
    from micropython_websockets import websockets

    async def main():
        # (its documented `ws = await connect(...)` needs __await__, which MicroPython lacks)
        async with websockets.connect(f"ws://127.0.0.1:{port}/") as ws:
            await run_connected(lambda: ws.send_bytes(PAYLOAD), frames, alloc)

    run_async(main)


def async_websocket_client(port, frames, alloc):
    from async_websocket_client.ws import AsyncWebsocketClient

    async def main():
        c = AsyncWebsocketClient()
        await c.handshake(f"ws://127.0.0.1:{port}/")
        await run_connected(lambda: c.send(PAYLOAD), frames, alloc)

    run_async(main)


def aiohttp(port, frames, alloc):
    import aiohttp as ah

    async def main():
        async with ah.ClientSession() as session:
            async with session.ws_connect(f"ws://127.0.0.1:{port}/") as ws:
                await run_connected(lambda: ws.send_bytes(PAYLOAD), frames, alloc)

    run_async(main)


def chumicro_websockets(port, frames, alloc):
    import time

    from chumicro_websockets import WebSocketClient, WebSocketState

    c = WebSocketClient.from_config({})
    c.connect(f"ws://127.0.0.1:{port}/")
    for _ in range(3000):
        c.handle(time.ticks_ms())
        if c.state == WebSocketState.OPEN:
            break
        time.sleep_ms(1)
    if c.state != WebSocketState.OPEN:
        raise OSError("not open")

    def send():
        c.send_binary(PAYLOAD)
        c.handle(time.ticks_ms())  # the library writes queued frames from handle()

    run_blocking(lambda: None, send, frames, alloc)


async def run_connected(send, frames, alloc):
    """The async twin of run_blocking, once connected: warm up, then measure."""
    print("connected")
    for _ in range(WARM):
        await send()
    await measure_async(send, frames, alloc)


async def measure_async(send, frames, alloc):
    async def body():
        for _ in range(frames):
            await send()

    if not alloc:
        await body()
        print("sent", frames)
        return
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    await body()
    grown = gc.mem_alloc() - before
    gc.enable()
    print("alloc:", grown // frames, "per frame")


def none(port, frames, alloc):
    """The driver alone, no client: the heap every row needs anyway (the baseline)."""
    run_blocking(lambda: None, lambda: None, frames, alloc)


CLIENTS = {
    "none": none,
    "blinkshot": blinkshot,
    "micropython-websocket": micropython_websocket,
    "micropython-websockets": micropython_websockets,
    "micropython-async-websocket-client": async_websocket_client,
    "chumicro-websockets": chumicro_websockets,
    "aiohttp": aiohttp,
}


def main(argv):
    name, port, frames = argv[1], int(argv[2]), int(argv[3])
    try:
        CLIENTS[name](port, frames, "alloc" in argv)
    except Exception as e:  # the host side reads it: a refused handshake is a result
        print("refused:", repr(e))
        sys.exit(3)


main(sys.argv)
