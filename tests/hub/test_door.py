"""The penalty box at accept (hub/door.py), over real sockets: an address that keeps sending
bad input is reset before any HTTP is read, for a growing block, while others play on; the hub
makes no object for those connections (its own accept, hub/listener.py), on both event loops
and both address families."""

import asyncio
import contextlib
import socket

import pytest
import uvloop
from hostile import connect_from, hub_log, upgrade
from hubkit import CODE, expect_close, hello, inp, next_msg, open_window, run, running_hub, url
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import InvalidMessage

from hub.hosts import address_key


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


LOOPS = {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}
# family: (the hub's --host, the attacker's address); honest clients always use 127.0.0.1
FAMILIES = {"ipv4": ("127.0.0.1", "127.0.0.2"), "ipv6": ("", "::1")}
ATTEMPTS = 2000


def hammer(port, src, count) -> list[bytes]:
    """``count`` connections from ``src``, each waiting for the hub's answer; what each got:
    b"reset" for a TCP reset, else the bytes before the hub closed."""
    got = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET6 if ":" in src else socket.AF_INET)
        s.settimeout(5)
        try:
            s.bind((src, 0))
            s.connect((src if ":" in src else "127.0.0.1", port))
            got.append(s.recv(4096))
        except ConnectionResetError:
            got.append(b"reset")
        finally:
            s.close()
    return got


def ws_url(port, src, code) -> str:
    host = "[::1]" if ":" in src else "127.0.0.1"
    return f"ws://{host}:{port}/ws/window?room=default&code={code}"


async def open_from(src, port, code):
    if ":" in src:
        return await connect(ws_url(port, src, code))
    return await connect_from(src, ws_url(port, src, code), port)


async def block(hub, src, guard):
    """Put ``src`` in the penalty box for 32 s (longer than any attack here): 11 wrong codes
    (6 over the wire), then the one refusal that tells it why; or 11 bad-input strikes."""
    if guard == "bad":
        for _ in range(11):
            hub.door.bad.strike(src)
        return
    for _ in range(6):
        ws = await open_from(src, hub.port, "000000")
        assert (await expect_close(ws))[0] == 4004
    for _ in range(5):
        hub.door.codes.guard.failed(address_key(src), hub.door.codes.clock())
    ws = await open_from(src, hub.port, CODE)
    code, reason = await expect_close(ws)
    assert code == 4004 and "too many wrong pairing codes" in reason


@pytest.mark.parametrize("guard", ["codes", "bad"])
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("loop", LOOPS)
def test_a_blocked_address_makes_no_connection_object_while_others_play(
    monkeypatch, loop, family, guard
):
    made = []
    init = ServerConnection.__init__

    def counted(self, *args, **kw):
        made.append(1)
        init(self, *args, **kw)

    monkeypatch.setattr(ServerConnection, "__init__", counted)
    host, src = FAMILIES[family]

    async def body():
        async with running_hub(host=host) as hub:
            hub.door.drop_after(None)  # the accept-time reset (test_kernel_drop.py: the drop)
            await block(hub, src, guard)
            win, _ = await open_window(hub)
            ctl = await connect(url(hub, "controller"))
            await ctl.send(hello())
            await ctl.recv()
            before, turned = len(made), hub.door.turned_away
            attack = asyncio.ensure_future(asyncio.to_thread(hammer, hub.port, src, ATTEMPTS))
            sent = 0
            while not attack.done() or sent < 20:  # honest presses all through the attack
                sent += 1
                await ctl.send(inp(sent, presses=(sent & 0xFF, 0, 0), x=sent % 2 * 100))
                await asyncio.sleep(0.01)
            moves = [(await next_msg(win, "move"))["cseq"] for _ in range(sent)]
            assert moves == list(range(1, sent + 1))  # no press lost
            assert await attack == [b"reset"] * ATTEMPTS  # each reset, unheard
            assert hub.door.turned_away - turned == ATTEMPTS
            assert len(made) == before  # not one connection object for them
            await ctl.close()
            await win.close()

    with asyncio.Runner(loop_factory=LOOPS[loop]) as runner:
        runner.run(asyncio.wait_for(body(), 60))


def test_on_the_public_api_alone_a_blocked_address_is_still_reset_unheard(monkeypatch):
    import hub.server

    monkeypatch.setattr(hub.server, "check_library", lambda: ["websockets 99.0 is outside"])

    async def body():
        async with running_hub() as hub_:
            assert hub_.listener is None  # the loop accepts; DoorCheck resets in connection_made
            await block(hub_, "127.0.0.2", "bad")
            got = await asyncio.to_thread(hammer, hub_.port, "127.0.0.2", 50)
            assert got == [b"reset"] * 50 and hub_.door.turned_away == 50
            other = await connect_from("127.0.0.3", url(hub_), hub_.port)
            await next_msg(other, "welcome")
            await other.close()

    run(body())


def burst(port, src, count) -> list[str]:
    """``count`` connections from ``src`` made at once, then a request on each: what each
    got ("answered", or "reset" at accept)."""
    socks, got = [], []
    for _ in range(count):
        s = socket.socket()
        s.settimeout(10)
        s.bind((src, 0))
        try:
            s.connect(("127.0.0.1", port))  # the kernel's handshake, before the hub accepts
            socks.append(s)
        except ConnectionError:  # the hub accepted and reset it before connect() returned
            got.append("reset")
            s.close()
    for s in socks:
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            got.append("answered" if s.recv(1) else "reset")
        except ConnectionError:
            got.append("reset")
        finally:
            s.close()
    return got


def test_an_address_with_wrong_codes_on_record_cannot_rush_in_by_the_hundred():
    from hub.guard import TRIAL_BURST

    async def body():
        async with running_hub() as hub:
            for _ in range(3):  # typos: not blocked, but on record
                ws = await open_from("127.0.0.2", hub.port, "000000")
                assert (await expect_close(ws))[0] == 4004
            got = await asyncio.to_thread(burst, hub.port, "127.0.0.2", 60)
            # the burst, less the two typos after the first, plus a few refilled meanwhile
            assert TRIAL_BURST - 2 <= got.count("answered") <= TRIAL_BURST + 5, got
            assert got.count("reset") >= 30
            port_check = ("127.0.0.1", hub.port)
            socket.create_connection(port_check, source_address=("127.0.0.3", 0)).close()
            while address_key("127.0.0.3") not in hub.door.bad.guard.entries:
                await asyncio.sleep(0.01)  # a bad-input strike (a port check) is no probation
            other = await asyncio.to_thread(burst, hub.port, "127.0.0.3", 60)
            assert other.count("answered") == 60
            await asyncio.sleep(0.3)  # a few connections' worth back
            ws = await open_from("127.0.0.2", hub.port, CODE)  # the right code forgets it
            await next_msg(ws, "welcome")
            again = await asyncio.to_thread(burst, hub.port, "127.0.0.2", 60)
            assert again.count("answered") == 60
            await ws.close()

    run(body())
