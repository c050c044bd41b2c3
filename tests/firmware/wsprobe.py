"""Drive blinkshot.ws.Client by hand (runs under CPython and the MicroPython unix port):
    wsprobe.py PORT
connects to 127.0.0.1:PORT, sends one binary message b"probe", then prints every event for
up to 4 s: `msg <hex>`, `closed <code> <reason>`, or `handshake error: <text>`."""

import sys

from blinkshot import ws
from blinkshot.ticks import ticks_diff, ticks_ms


def main(port):
    c = ws.Client()
    try:
        c.connect("127.0.0.1", port, "/ws/controller?room=default&code=123456", 3000)
    except ws.HandshakeError as e:
        print("handshake error:", e)
        return
    print(f"connected nodelay={c.nodelay}")
    c.send_bytes(b"probe")
    t0 = ticks_ms()
    while ticks_diff(ticks_ms(), t0) < 4000:
        c.wait(20)
        ev = c.poll()
        if ev == ws.EV_MESSAGE:
            print("msg", "".join(f"{b:02x}" for b in c.msg))
        elif ev == ws.EV_CLOSED:
            print("closed", c.close_code, c.close_reason)
            return
    print(f"timeout ignored={c.ignored}")
    c.close()


main(int(sys.argv[1]))
