"""Peer: a broadcast relay on picows (a Cython WebSocket library).

Same behaviour as websockets_relay.py: /ws/controller messages go unchanged to every
/ws/window client.

    python bench/peers/picows_relay.py --port 0
"""

import relay_cli  # this folder: the script's own, first on sys.path
from picows import WSListener, WSMsgType, ws_create_server

windows = set()


class Window(WSListener):
    def on_ws_connected(self, transport):
        windows.add(transport)

    def on_ws_disconnected(self, transport):
        windows.discard(transport)


class Controller(WSListener):
    def on_ws_frame(self, transport, frame):
        kind = frame.msg_type
        if kind == WSMsgType.BINARY or kind == WSMsgType.TEXT:
            payload = frame.get_payload_as_bytes()
            for window in windows:
                window.send(kind, payload)
        elif kind == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code())
            transport.disconnect()


def route(request):
    path = request.path
    if path.startswith(b"/ws/window"):
        return Window()
    if path.startswith(b"/ws/controller"):
        return Controller()
    return None


async def main(host, port):
    server = await ws_create_server(route, host, port, max_frame_size=4096)
    bound = server.sockets[0].getsockname()[1]
    print(f"picows relay listening on http://{host}:{bound}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    relay_cli.run(main, __doc__)
