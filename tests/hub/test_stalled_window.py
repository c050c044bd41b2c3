"""A window that stops reading (issue 13, item 9), against the hub as users run it.

The hub runs as a process with its default settings (``--stall-timeout 5``) while a player
moves, so states flow at the default rate and an honest window reads them all. Then windows
complete their upgrade, read their welcome and read nothing more, as a hung page or an attacker
would: one with a 4 KiB receive buffer (the hub's own buffer fills within seconds), one with the
kernel's default, one with 4 MiB (the kernels hide minutes of states: the hub's buffer never
fills). A fourth window stops reading for 3 s, as a busy page might, and then reads on.

``timeline`` measures this once for the module: when each window stopped (on the client side),
when the hub logged its 4006 decision (``window_stalled``), and when the hub's end of the TCP
connection stopped holding anything for it (/proc/net/tcp). The tests assert on it.
"""

import asyncio
import contextlib
import json
import re
import socket
import sys
import time

import pytest
from hostile import hub_side_state, read_frame, upgrade
from hubkit import hello, inp, messages, next_msg, open_window, run, running_hub
from hubproc import HubProcess
from websockets.asyncio.client import connect

from hub.windowsink import READ_CHECK_S
from hub.wsshell import CLOSE_BOUND_S

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/net/tcp (Linux)")

STALL_S = 5.0  # the hub's default --stall-timeout
SLACK_S = 1.0  # a busy shared machine
PAUSE_S = 3.0  # the busy page's pause: under the stall limit
BUFFERS = {"4 KiB": 4096, "default": None, "4 MiB": 4 << 20}
# Not in the table, or holding nothing for the peer: FIN-WAIT-2 (everything delivered, the
# kernel waits a minute at most for the peer's FIN), TIME-WAIT, CLOSE. Not FIN-WAIT-1 (04):
# unread bytes still held, for minutes.
GONE = (None, "05", "06", "07")
WATCH_S = 30.0  # longer than the hub's keepalive (2 s + 20 s)


def stopped_window(port, rcvbuf):
    """A window that reads its welcome and then nothing: (socket, window id, when it stopped)."""
    sock = socket.socket()
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(5)
    sock.connect(("127.0.0.1", port))
    sock.sendall(upgrade("/ws/window?room=default&code=123456", f"127.0.0.1:{port}"))
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)  # byte by byte: nothing after the handshake is read by accident
    assert head.startswith(b"HTTP/1.1 101"), head
    welcome = json.loads(read_frame(sock))
    return sock, welcome["window"], time.time()


def logged_at(stamp: str) -> float:
    """Unix time of a log line's stamp (the hub writes local time)."""
    whole, _, ms = stamp.rstrip("Z").partition(".")
    return time.mktime(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + int(ms) / 1000


async def watch(hub):
    done = asyncio.Event()
    honest = {"states": 0, "last": 0.0, "closed": None}
    busy = {"closed": None}

    async def play():  # one player running left and right: states carry news
        async with connect(hub.ws_url("controller")) as ctl:
            await ctl.send(hello("5a1105a1105a", "Runner"))
            await ctl.recv()
            seq = 0
            while not done.is_set():
                seq += 1
                await ctl.send(inp(seq, x=600 if (seq // 50) % 2 else -600, y=300))
                await asyncio.sleep(0.02)

    async def read_all():
        async with connect(hub.ws_url(), max_size=None) as ws:
            with contextlib.suppress(Exception):
                async for raw in ws:
                    honest["states"] += sum(m["type"] == "state" for m in messages(raw))
                    honest["last"] = time.time()
            honest["closed"] = ws.close_code

    async def pause_then_read():
        async with connect(hub.ws_url(), max_size=None, max_queue=1) as ws:
            await next_msg(ws, "welcome")
            ws.transport.pause_reading()
            await asyncio.sleep(PAUSE_S)
            ws.transport.resume_reading()
            with contextlib.suppress(Exception):
                async for _ in ws:
                    pass
            busy["closed"] = ws.close_code

    tasks = [asyncio.create_task(c()) for c in (play, read_all, pause_then_read)]
    await asyncio.sleep(1.0)  # the game is under way
    windows = {}
    for label, rcvbuf in BUFFERS.items():
        windows[label] = await asyncio.to_thread(stopped_window, hub.port, rcvbuf)
    gone = {}
    deadline = time.time() + WATCH_S
    while len(gone) < len(windows) and time.time() < deadline:
        for label, (sock, _, _) in windows.items():
            if label not in gone and hub_side_state(hub.port, sock.getsockname()[1]) in GONE:
                gone[label] = time.time()
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.5)
    result = {"honest": dict(honest), "busy": dict(busy), "now": time.time(), "gone": gone}
    result["windows"] = {label: (wid, at) for label, (_, wid, at) in windows.items()}
    done.set()
    for sock, _, _ in windows.values():
        sock.close()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return result


@pytest.fixture(scope="module")
def timeline():
    with HubProcess() as hub:
        result = run(watch(hub), timeout=WATCH_S + 30)
    decided = {}
    stalled = re.compile(r"^(\S+) WARNING +window_stalled window=(\S+)", re.M)
    for stamp, wid in stalled.findall(hub.output()):
        decided.setdefault(wid, logged_at(stamp))
    result["decided"] = decided
    return result


@pytest.mark.parametrize("buffer", BUFFERS)
def test_the_4006_decision_comes_the_stall_timeout_after_the_window_stopped_reading(
    timeline, buffer
):
    wid, stopped = timeline["windows"][buffer]
    assert wid in timeline["decided"], f"no window_stalled line for {wid} in {WATCH_S:g} s"
    after = timeline["decided"][wid] - stopped
    # The kernels' buffers do not delay it: the read check queued at most READ_CHECK_S after
    # the stop goes unanswered for STALL_S.
    assert STALL_S - 0.5 < after < STALL_S + READ_CHECK_S + SLACK_S, after


@pytest.mark.parametrize("buffer", BUFFERS)
def test_its_connection_lets_go_of_everything_within_the_close_bound(timeline, buffer):
    _, stopped = timeline["windows"][buffer]
    assert buffer in timeline["gone"], f"the hub's end still held after {WATCH_S:g} s"
    after = timeline["gone"][buffer] - stopped
    # Not the keepalive's 22 s, and no orphan in FIN-WAIT-1 holding the unread states.
    assert after < STALL_S + READ_CHECK_S + CLOSE_BOUND_S + SLACK_S, after


def test_windows_that_read_stay_a_busy_page_included(timeline):
    honest, busy = timeline["honest"], timeline["busy"]
    assert honest["closed"] is None and busy["closed"] is None, (honest, busy)
    assert honest["states"] > 100 and timeline["now"] - honest["last"] < 1.0


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "public-api"])
def test_the_read_check_also_works_on_the_library_s_public_api(monkeypatch, caplog, fast):
    import hub.server

    if not fast:  # as with a websockets version the shell was not tested with
        monkeypatch.setattr(hub.server, "check_library", lambda: ["websockets 99.0 is outside"])

    async def body():
        async with running_hub(stall_timeout=1.0) as h:
            assert h.fast is fast
            ws, _ = await open_window(h, max_queue=1)
            ws.transport.pause_reading()  # reads nothing from now on
            stopped = time.monotonic()
            (link,) = h.windows.values()
            while link.closing is None:
                await asyncio.sleep(0.01)
            after = time.monotonic() - stopped
            assert 1.0 - 0.1 < after < 1.0 + READ_CHECK_S + SLACK_S, after
            ws.transport.abort()

    run(body())
    (line,) = [r.getMessage() for r in caplog.records if "window_stalled" in r.getMessage()]
    assert float(re.search(r"unread_s=([\d.]+)", line).group(1)) >= 1.0
