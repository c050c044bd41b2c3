"""A blocked address that keeps coming is dropped in the kernel (hub/listener.py, a socket
filter from hub/synfilter.py), over real sockets: its first refusals in a block are still
told why (the close reason, or a reset after bad input's close codes), the next connects get
no answer at all (a timeout, not a reset), others are served meanwhile, and when the block ends
it connects again. Timeouts here are liveness bounds, not measurements."""

import asyncio
import socket

import pytest
from hostile import hub_log
from hubkit import CODE, expect_close, open_window, run, running_hub
from test_door import open_from

from hub import listener, synfilter
from hub.guard import DROP_AFTER, CodeGuard
from hub.hosts import address_key

NO_ANSWER_S = 1.0  # a dropped SYN is retried after 1 s: no answer within it is a drop


def attempt(port, src, timeout=NO_ANSWER_S) -> str:
    """One connection from ``src``: "timeout" (no answer: the SYN was dropped), "reset" (the
    hub reset it at accept), or "open" (the hub kept it open to talk)."""
    family = socket.AF_INET6 if ":" in src else socket.AF_INET
    s = socket.socket(family)
    s.settimeout(timeout)
    try:
        s.bind((src, 0))
        s.connect((src if ":" in src else "127.0.0.1", port))
        s.settimeout(10)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        return "open" if s.recv(1) else "reset"
    except TimeoutError:
        return "timeout"
    except ConnectionError:
        return "reset"
    finally:
        s.close()


async def until_served(port, src, limit_s=30.0) -> str:
    """Try from ``src`` until the hub answers (its block ended); the last outcome."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit_s
    got = "timeout"
    while got != "open" and loop.time() < end:
        got = await asyncio.to_thread(attempt, port, src)
        if got != "open":
            await asyncio.sleep(0.2)
    return got


async def block_by_codes(hub, src):
    """Wrong codes until ``src`` is blocked, then the one refusal that tells it why."""
    for _ in range(6):
        ws = await open_from(src, hub.port, "000000")
        assert (await expect_close(ws))[0] == 4004
    ws = await open_from(src, hub.port, CODE)
    code, reason = await expect_close(ws)
    assert code == 4004 and "too many wrong pairing codes" in reason  # told why


async def block_by_garbage(hub, src):
    for _ in range(6):  # each: not HTTP, closed by the hub (a bad-input strike)
        assert await asyncio.to_thread(attempt_garbage, hub.port, src) != "reset"
    entries = hub.door.bad.guard.entries
    while (e := entries.get(address_key(src))) is None or e.blocked_until <= hub.door.bad.clock():
        await asyncio.sleep(0.01)  # the last strike lands when the hub sees the close


def attempt_garbage(port, src) -> str:
    s = socket.socket(socket.AF_INET6 if ":" in src else socket.AF_INET)
    s.settimeout(10)
    try:
        s.bind((src, 0))
        s.connect((src if ":" in src else "127.0.0.1", port))
        s.sendall(b"\x16\x03\x01 not HTTP\r\n\r\n" + bytes(range(256)))
        while s.recv(4096):
            pass
        return "closed"
    except ConnectionError:
        return "reset"
    finally:
        s.close()


# family: (the hub's --host, the attacker's address); honest clients always use 127.0.0.1
FAMILIES = {"ipv4": ("127.0.0.1", "127.0.0.2"), "ipv6": ("", "::1")}


@pytest.mark.parametrize("how", ["codes", "garbage"])
@pytest.mark.parametrize("family", FAMILIES)
def test_an_address_that_keeps_coming_while_blocked_gets_no_answer_until_its_block_ends(
    family, how
):
    host, src = FAMILIES[family]

    async def body():
        async with running_hub(host=host) as hub:
            # A 4 s first block, summaries every 0.2 s.
            hub.codes.guard = CodeGuard(base_s=4, report_s=0.2, drop_after=DROP_AFTER)
            hub.door.bad.guard = CodeGuard(tell=False, base_s=4, report_s=0.2,
                                           drop_after=DROP_AFTER, trial_rate=None)  # fmt: skip
            await (block_by_codes if how == "codes" else block_by_garbage)(hub, src)
            for _ in range(DROP_AFTER):  # still turned away at accept, with a reset
                assert await asyncio.to_thread(attempt, hub.port, src) == "reset"
            assert hub.door.turned_away == DROP_AFTER
            assert await asyncio.to_thread(attempt, hub.port, src) == "timeout"  # dropped
            assert hub.door.turned_away == DROP_AFTER  # the hub never saw that one
            win, _ = await open_window(hub)  # meanwhile another address is served
            assert await asyncio.to_thread(attempt, hub.port, "127.0.0.1") == "open"
            assert await until_served(hub.port, src) == "open"  # the block ended: let in
            assert not hub.listener.dropped and not hub.door.dropping()
            await win.close()

    with hub_log() as buf:
        run(body(), timeout=60)
    what = "code_guessing" if how == "codes" else "bad_input"
    lines = [x for x in buf.getvalue().splitlines() if what in x]
    assert any("kernel_drop=yes" in x for x in lines), lines  # the summary says so


def test_a_dual_stack_listener_drops_a_v4_mapped_peer_and_serves_the_others():
    sock = socket.socket(socket.AF_INET6)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    try:  # the hub keys a v4-mapped peer as its IPv4 address
        listener.attach_filter(sock, synfilter.build([address_key("::ffff:127.0.0.2")]))
        assert connects(port, "127.0.0.2") == "timeout"  # IPv4 header: source at +12
        assert connects(port, "127.0.0.1") == "connected"
        assert connects(port, "::1") == "connected"
        listener.attach_filter(sock, synfilter.build(["::1"]))  # IPv6 header: source at +8
        assert connects(port, "::1") == "timeout"
        assert connects(port, "127.0.0.2") == "connected"
        listener.attach_filter(sock, [])  # lifted
        assert connects(port, "::1") == "connected"
    finally:
        sock.close()


def connects(port, src) -> str:
    """Whether a connect from ``src`` to a bare listener completes ("connected"), or gets no
    answer ("timeout"); the listener never accepts, the kernel completes the handshake."""
    s = socket.socket(socket.AF_INET6 if ":" in src else socket.AF_INET)
    s.settimeout(NO_ANSWER_S)
    try:
        s.bind((src, 0))
        s.connect(("::1" if ":" in src else "127.0.0.1", port))
        return "connected"
    except TimeoutError:
        return "timeout"
    finally:
        s.close()


def test_where_the_kernel_takes_no_filter_a_blocked_address_is_still_reset(monkeypatch):
    def refuse(sock, program):
        raise OSError(92, "Protocol not available")

    monkeypatch.setattr(listener, "attach_filter", refuse)

    async def body():
        async with running_hub() as hub:
            await block_by_codes(hub, "127.0.0.2")
            got = [await asyncio.to_thread(attempt, hub.port, "127.0.0.2") for _ in range(40)]
            assert got == ["reset"] * 40 and not hub.listener.filtering
            assert hub.door.codes.guard.drop_after is None  # no summary says kernel_drop
            ws, _ = await open_window(hub)
            await ws.close()

    run(body())
