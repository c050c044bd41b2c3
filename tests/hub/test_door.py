"""The penalty box at accept (hub/door.py), over real sockets: an address that keeps sending
bad input is reset before any HTTP is read, for a growing block, while others play on."""

import asyncio
import contextlib
import socket

from hostile import connect_from, hub_log, upgrade
from hubkit import next_msg, run, running_hub, url
from websockets.exceptions import InvalidMessage


def garbage(port, src="127.0.0.2", after_upgrade=False) -> bytes:
    """One connection from ``src`` that sends junk (raw, or after a good upgrade); what the hub
    answered, b"" if it reset the connection at once."""
    s = socket.socket()
    s.settimeout(5)
    s.bind((src, 0))
    out = b""
    try:
        s.connect(("127.0.0.1", port))  # a reset can come before connect() looks
        if after_upgrade:
            s.sendall(upgrade("/ws/controller?room=default&code=123456", f"127.0.0.1:{port}"))
            while b"\r\n\r\n" not in out:
                out += s.recv(1)
        s.sendall(b"\x16\x03\x01 not a frame, not HTTP\r\n\r\n" + bytes(range(256)))
        while chunk := s.recv(4096):
            out += chunk
    except ConnectionError:
        pass
    finally:
        s.close()
    return out


def test_an_address_that_keeps_sending_garbage_is_reset_at_accept_others_play_on():
    async def body():
        async with running_hub() as hub:
            for n in range(6):  # raw junk and junk frames after a good upgrade both count
                answer = await asyncio.to_thread(garbage, hub.port, after_upgrade=n % 2)
                assert hub.door.turned_away == 0
                if n % 2:
                    assert b"\x88" in answer and b"\x03\xea" in answer  # its close: 1002
            for _ in range(3):  # the sixth strike blocked the address: reset unheard
                assert await asyncio.to_thread(garbage, hub.port) == b""
            assert hub.door.turned_away == 3
            with contextlib.suppress(OSError, InvalidMessage):  # even a good client, for now
                await connect_from("127.0.0.2", url(hub), hub.port)
            assert hub.door.turned_away == 4
            other = await connect_from("127.0.0.3", url(hub), hub.port)  # another address: fine
            await next_msg(other, "welcome")
            await other.close()

    with hub_log() as buf:
        run(body())
    lines = [x for x in buf.getvalue().splitlines() if "bad_input" in x]
    assert lines and "addr=127.0.0.2" in lines[0] and "failed=6" in lines[0]
