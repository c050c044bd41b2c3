"""Hostile clients on the LAN against a real hub over real sockets (issue 13, docs/security.md).

One section per kind of attack, numbered as in issue 13; each test is a client doing what an
attacker would and asserting what the hub promises. The clients' tools are in hostile.py.
"""

import asyncio
import contextlib
import json
import re
import socket

import pytest
from hostile import (
    connect_from,
    http,
    hub_log,
    lan_address,
    masked,
    ping_flood,
    raw_controller,
    raw_http,
    raw_http_first_line,
    raw_upgrade,
    response,
    silent_window,
    unanswered,
    upgrade,
)
from hubkit import (
    CODE,
    expect_close,
    hello,
    inp,
    next_msg,
    open_controller,
    open_window,
    run,
    running_hub,
    url,
)
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import InvalidMessage

from hub.hosts import is_loopback

# 1. Unbounded output to a peer that does not read -------------------------------------------

READ_MAX = 256 * 1024


@pytest.mark.parametrize(
    "path, code",
    [("/ws/controller", CODE), ("/ws/window", CODE), ("/ws/controller", "000000")],
    ids=["before-hello", "window", "wrong-code"],
)
def test_a_ping_flood_that_never_reads_is_paused_then_dropped(monkeypatch, path, code):
    from hub.wsshell import OUTPUT_LIMIT, HubConnection

    monkeypatch.setattr(HubConnection, "output_stall_s", 1.0)
    monkeypatch.setattr(HubConnection, "dropped_unread", 0)

    async def body():
        async with running_hub(hello_timeout=60, stall_timeout=60) as hub:
            sock = await asyncio.to_thread(
                silent_window, hub.port, f"room=default&code={code}", path=path
            )
            most = 0

            async def watch():
                nonlocal most
                while True:
                    for conn in hub.server.connections:
                        most = max(most, conn.transport.get_write_buffer_size())
                    await asyncio.sleep(0.005)

            watcher = asyncio.create_task(watch())
            sent, why = await asyncio.to_thread(ping_flood, sock, 64 << 20, 3.0)
            while HubConnection.dropped_unread == 0 and why != "closed":
                await asyncio.sleep(0.05)  # dropped by the bound, not by the test's end
            watcher.cancel()
            sock.close()
            # 64 MiB were not sent: the hub stopped reading (or dropped the peer) long before,
            # and never held more than the limit plus the pongs of one read (asyncio reads at
            # most 256 KiB at a time).
            assert sent < 16 << 20 and why in ("blocked", "closed"), (sent, why)
            assert most < OUTPUT_LIMIT + READ_MAX, most
            assert not hub.server.connections  # gone
            ws, _ = await open_window(hub)  # and the hub serves the next client
            await ws.close()

    run(body(), timeout=60)


# 2. Guessing the pairing code --------------------------------------------------------------


def test_wrong_codes_from_one_address_block_it_even_for_the_right_code(caplog):
    async def body():
        async with running_hub() as hub:
            port = hub.port
            for _ in range(5):  # typos are free
                ws = await connect_from("127.0.0.2", url(hub, code="000000"), port)
                code, reason = await expect_close(ws)
                assert code == 4004 and reason.startswith("wrong pairing code")
            ws = await connect_from("127.0.0.2", url(hub, code="000001"), port)
            assert (await expect_close(ws))[0] == 4004
            ws = await connect_from("127.0.0.2", url(hub), port)  # the right code, too late
            code, reason = await expect_close(ws)
            assert code == 4004 and "too many wrong pairing codes" in reason
            other = await connect_from("127.0.0.3", url(hub), port)  # another address is fine
            await next_msg(other, "welcome")
            await other.close()

    run(body())
    lines = [r.getMessage() for r in caplog.records if "code_guessing" in r.getMessage()]
    assert lines and "addr=127.0.0.2" in lines[0] and "failed=6" in lines[0]


def test_guessing_that_goes_on_is_summed_up_a_line_a_period_not_a_line_a_guess(caplog):
    from hub.guard import CodeGuard

    def counts():
        lines = [r.getMessage() for r in caplog.records if "code_guessing" in r.getMessage()]
        return lines, [tuple(map(int, re.findall(r"(?:failed|refused)=(\d+)", x))) for x in lines]

    async def body():
        async with running_hub() as hub:
            hub.codes.guard = CodeGuard(base_s=30, report_s=0.3)  # long blocks, short period
            for n in range(6):
                await http(hub.port, path=f"/qr.svg?code=8{n:05d}")
            for _ in range(40):  # refused while blocked: counted, not logged one by one
                with contextlib.suppress(ConnectionError):
                    await http(hub.port, path="/qr.svg?code=777777")
            assert hub.door.turned_away == 39  # told once (429), then reset at accept
            while sum(refused for _, refused in counts()[1]) < 40:
                await asyncio.sleep(0.05)  # the last summary comes from the hub's timer

    run(body())
    lines, numbers = counts()
    assert numbers[0] == (6, 0) and "blocked_s=30" in lines[0]
    assert sum(f for f, _ in numbers[1:]) == 0 and sum(r for _, r in numbers) == 40
    assert len(lines) < 10  # one per 0.3 s period, not one per attempt


def test_wrong_codes_on_qr_svg_count_too_and_get_429_with_retry_after():
    async def body():
        async with running_hub() as hub:
            for n in range(5):
                status, _, _ = await http(hub.port, path=f"/qr.svg?code=9{n:05d}")
                assert status == 403
            status, headers, text = await http(hub.port, path="/qr.svg?code=999999")
            assert status == 429 and int(headers["retry-after"]) >= 1
            status, _, text = await http(hub.port, path=f"/qr.svg?code={CODE}")
            assert status == 429 and b"too many wrong pairing codes" in text
            # Told twice in this block: from now on it is reset at accept, WebSocket or not.
            with pytest.raises((ConnectionError, InvalidMessage)):
                await connect(url(hub))
            assert hub.door.turned_away == 1

    run(body())


# 3. DNS rebinding --------------------------------------------------------------------------


def test_requests_naming_a_foreign_host_are_refused():
    async def body():
        async with running_hub() as hub:
            for path in ["/pairing.json", "/", "/healthz", f"/qr.svg?code={CODE}"]:
                status, _, text = await http(hub.port, path=path, host="evil.example:8000")
                assert status == 403 and b"--allow-host evil.example" in text, path
            origin = "http://evil.example:8000"
            data = upgrade(url(hub).split(str(hub.port), 1)[1], "evil.example:8000", origin)
            status, _, _ = response(await asyncio.to_thread(raw_http, hub.port, data))
            assert status == 403
            status, _, text = await http(hub.port, path="/pairing.json", host=f"[::1]:{hub.port}")
            assert status == 200 and json.loads(text)["code"] == CODE

    run(body())


def test_origin_is_checked_against_the_allow_list_not_the_host_header():
    async def body():
        async with running_hub(allow_host=["game.party"]) as hub:
            path = url(hub).split(str(hub.port), 1)[1]
            for host, origin, expected in [
                ("evil.example", "http://evil.example", 403),  # rebinding: Host matches Origin
                ("localhost", "http://evil.example", 403),
                ("localhost", "null", 403),
                ("game.party", "http://game.party:9999", 101),
                ("localhost", "http://localhost:3000", 101),
                (f"127.0.0.1:{hub.port}", f"http://127.0.0.1:{hub.port}", 101),
            ]:
                data = upgrade(path, host, origin)
                got = await asyncio.to_thread(raw_http_first_line, hub.port, data)
                assert got == expected, (host, origin)

    run(body())


def test_pairing_json_needs_this_machine_and_an_allowed_name():
    src = lan_address()
    if src is None:
        pytest.skip("this machine has no LAN address to send from")

    async def body():
        async with running_hub() as hub:
            status, _, _ = await http(hub.port, path="/pairing.json", src=src)
            assert status == 403
            status, _, _ = await http(hub.port, path="/pairing.json", host="localhost")
            assert status == 200

    run(body())


# 4. Seat exhaustion ------------------------------------------------------------------------


def test_one_window_cannot_take_more_than_one_seat():
    async def body():
        async with running_hub() as hub:
            grabber, _ = await open_window(hub)
            for n in range(5):  # a burst of ids (more are closed 4005: see the session tests)
                await grabber.send(json.dumps({"type": "join", "name": "G", "id": f"grab{n:04d}"}))
                await next_msg(grabber, "joined")
            assert len(hub.state.rooms["default"].seats) == 1
            for n in range(5, 17):  # more ids than the room has seats
                await grabber.send(json.dumps({"type": "join", "name": "G", "id": f"grab{n:04d}"}))
            assert (await expect_close(grabber))[0] == 4005
            assert len(hub.state.rooms["default"].seats) == 1  # still its one player (in grace)
            ws, welcome = await open_controller(hub)  # an honest controller still gets a seat
            assert welcome[0] == 0x81
            assert len(hub.state.rooms["default"].seats) == 2
            await ws.close()

    run(body())


# 5. Player hijack --------------------------------------------------------------------------


def test_a_player_is_resumed_only_with_the_token_given_to_its_window():
    async def body():
        async with running_hub() as hub:
            owner, _ = await open_window(hub)
            await owner.send(json.dumps({"type": "join", "name": "Kim"}))  # as the page does
            joined = await next_msg(owner, "joined")
            pid, token = joined["player"], joined["token"]
            status, _, text = await http(hub.port, path="/healthz")
            assert token.encode() not in text  # listed nowhere, not even for this machine
            status, _, text = await http(hub.port, path=f"/dashboard?code={CODE}")
            assert token.encode() not in text
            thief, _ = await open_window(hub)
            assert len(token) == 24 and token not in pid
            for guess in (pid, pid[2:], "w1__", "k-w1"):  # the public id, window-like ids
                await thief.send(json.dumps({"type": "join", "name": "T", "id": guess}))
                assert (await next_msg(thief, "joined"))["player"] != pid
            players = hub.state.rooms["default"].game.players
            assert players[pid].name == "Kim" and players[pid].connected
            await owner.close()  # a reload: the new page joins with the token it kept
            again, _ = await open_window(hub)
            await again.send(json.dumps({"type": "join", "name": "Kim", "id": token}))
            resumed = await next_msg(again, "joined")
            assert resumed["player"] == pid
            await again.close()
            await thief.close()

    run(body())


# 6. Spoofed announcements ------------------------------------------------------------------


def test_only_the_hub_sends_system_messages():
    async def body():
        async with running_hub(round_seconds=1) as hub:
            viewer, _ = await open_window(hub)
            fake, _ = await open_window(hub)
            await fake.send(json.dumps({"type": "join", "name": "hub", "id": "tab-hub1"}))
            text = "Nobody wins the round! Round 9."
            await fake.send(json.dumps({"type": "message", "text": text, "system": True}))
            chat = await next_msg(viewer, "message", lambda m: m["text"] == text)
            assert chat["from"] == "hub" and "system" not in chat
            real = await next_msg(viewer, "message", lambda m: m["text"] != text)  # round end
            assert real["system"] is True and real["from"] == "hub" and "Round" in real["text"]

    run(body())


# 7. Logs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_client_strings_cannot_forge_log_lines(fmt):
    forged = "2026-01-01T00:00:00.000Z"  # a line of its own would start like this

    async def body():
        async with running_hub() as hub:
            ws = await connect(url(hub, "controller"))
            await ws.send(hello(name="Ada", fw="1\n" + forged))
            await ws.recv()
            await ws.close()
            ws = await connect(url(hub, "controller"))
            await ws.send(hello(dev="00000000beef", fw="1\r" + forged + "\u2028" + forged[:4]))
            await ws.recv()

    with hub_log(fmt) as buf:
        run(body())
    lines = buf.getvalue().splitlines()
    assert any("hello" in line for line in lines)
    assert not any(line.startswith(forged) for line in lines), lines
    for line in lines:
        assert "\u2028" not in line and "\r" not in line
        if fmt == "json":
            json.loads(line)


def test_deep_json_nesting_is_a_bad_message_not_a_crash():
    async def body():
        async with running_hub() as hub:
            other, _ = await open_window(hub)
            ws, _ = await open_window(hub)
            await ws.send("[" * 1500 + "]" * 1500)
            code, reason = await expect_close(ws)
            assert code == 4001 and "nested deeper than 32" in reason
            await other.send(json.dumps({"type": "ping", "id": 1, "t": 1}))
            assert (await next_msg(other, "pong"))["id"] == 1

    with hub_log() as buf:
        run(body())
    assert "Traceback" not in buf.getvalue()


def test_a_bug_hit_by_every_message_leaves_a_few_tracebacks_not_one_each(monkeypatch):
    from hub.rooms import Room

    def broken(self, sender, text, t):
        raise RuntimeError("a bug in chat")

    monkeypatch.setattr(Room, "chat", broken)

    async def body():
        async with running_hub(max_connections=100) as hub:
            for _ in range(30):
                ws, _ = await open_window(hub)
                await ws.send(json.dumps({"type": "message", "text": "hi"}))
                assert (await expect_close(ws))[0] == 1011

    with hub_log() as buf:
        run(body(), timeout=60)
    assert 1 <= buf.getvalue().count("Traceback") <= 5


# 8. Frame boundaries on the short way in ----------------------------------------------------


def test_a_frame_split_after_its_header_is_not_read_as_new_frames():
    async def moves(win, count):
        return [((m := await next_msg(win, "move"))["cseq"], m["x"]) for _ in range(count)]

    async def body():
        async with running_hub() as hub:
            win, _ = await open_window(hub)
            reader, writer = await raw_controller(hub.port, CODE, hello("5b1175b1175b", "Split"))
            writer.write(masked(inp(1)) + masked(inp(2, x=20)))  # the short way is in use
            assert await moves(win, 1) == [(2, 20)]
            (conn,) = hub.controllers
            assert conn.fast_frames == 2
            payload = inp(3, x=30)
            # A mask that makes the frame's tail look like a frame of its own: 0x82 (binary),
            # then a masked length that ends the tail exactly.
            frame = masked(payload, mask=bytes((0x82, 0x80 | (len(payload) - 2), 0x11, 0x22)))
            writer.write(frame[:2])  # the header alone, in one segment
            await writer.drain()
            await asyncio.sleep(0.1)
            writer.write(frame[2:])  # mask and payload in the next
            await writer.drain()
            await asyncio.sleep(0.1)
            writer.write(masked(b"p1", opcode=0x9) + masked(inp(4, x=40)))
            assert await moves(win, 2) == [(3, 30), (4, 40)]  # nothing forged, nothing lost
            assert await asyncio.wait_for(reader.readexactly(4), 5) == b"\x8a\x02p1"  # pong
            (session,) = [s for s in hub.links if s.kind == "controller"]
            assert not session.closed
            writer.close()
            await win.close()

    run(body())


# 9. A stalled window: against the hub as a process, in test_stalled_window.py -------------


# 10. HTTP and JSON details ------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,extra,body",
    [
        ("OPTIONS", "", b""),
        ("TRACE", "", b""),
        ("DELETE", "", b""),
        ("PUT", "Content-Length: 3\r\n", b"abc"),
        ("POST", "Content-Length: 5\r\n", b"hello"),
        ("POST", "Transfer-Encoding: chunked\r\n", b"5\r\nhello\r\n0\r\n\r\n"),
    ],
)
def test_other_methods_get_405_with_allow(method, extra, body):
    async def go():
        async with running_hub() as hub:
            status, headers, text = await http(hub.port, method, "/", extra=extra, body=body)
            assert status == 405 and headers["allow"] == "GET, HEAD", text
            assert method.encode() in text

    run(go())


def test_head_gets_the_headers_without_a_body():
    async def go():
        async with running_hub() as hub:
            for path, expected in [("/", 200), ("/healthz", 200), ("/nope.html", 404)]:
                status, headers, got = await http(hub.port, "HEAD", path)
                assert status == expected and int(headers["content-length"]) > 0
                assert got == b"", path

    run(go())


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_malformed_never_echoed(number):
    async def body():
        async with running_hub() as hub:
            ws, _ = await open_window(hub)
            await ws.send('{"type": "ping", "id": 1, "t": ' + number + "}")
            code, reason = await expect_close(ws)
            assert code == 4001 and "not valid JSON" in reason

    run(body())


def test_details_in_healthz_only_for_this_machine_or_with_the_code():
    src = lan_address()

    async def body():
        async with running_hub() as hub:
            ctl = await connect(url(hub, "controller"))
            await ctl.send(hello())
            await ctl.recv()
            await open_window(hub)
            if src is None:  # no LAN address here: the hub is told the peer is not local
                hub.http.local_peer = lambda addr: False
            status, _, text = await http(hub.port, path="/healthz", src=src)
            h = json.loads(text)
            assert status == 200 and h["detail"] is False and h["controllers"] == 1
            (room,) = h["rooms"]
            assert (room["controller_count"], room["window_count"]) == (1, 1)
            assert "history" not in room and "last_winner" not in room["round"]
            assert "a4cf12fe0b1c" not in text.decode() and "127.0.0.1" not in text.decode()
            status, _, text = await http(hub.port, path=f"/healthz?code={CODE}", src=src)
            assert json.loads(text)["rooms"][0]["controllers"][0]["id"] == "a4cf12fe0b1c"
            assert (await http(hub.port, path="/healthz?code=000000", src=src))[0] == 403
            assert (await http(hub.port, path="/dashboard?code=000000", src=src))[0] == 403
            status, _, text = await http(hub.port, path="/dashboard", src=src)
            assert status == 200 and b"dashboard.js" in text
            hub.http.local_peer = is_loopback
            status, _, text = await http(hub.port, path="/healthz")
            assert json.loads(text)["detail"] is True

    run(body())


def test_ipv4_mapped_loopback_peer_is_this_machine():
    async def body():
        async with running_hub() as hub:
            sock = socket.socket(socket.AF_INET6)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)  # dual stack
            sock.bind(("::", 0))
            port = sock.getsockname()[1]
            async with serve(hub.handler, sock=sock, process_request=hub.process_request):
                req = f"GET /pairing.json HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
                data = await asyncio.to_thread(
                    raw_http, port, req, host="::ffff:127.0.0.1", family=socket.AF_INET6
                )
                status, _, text = response(data)
                assert status == 200 and json.loads(text)["code"] == CODE

    run(body())


# What already held when the issue was filed: framing, sizes, rate, traversal, slowloris, floods


def test_unmasked_and_reserved_frames_close_1002():
    async def body():
        async with running_hub() as hub:
            for frame in [b"\x82\x0b" + inp(1), b"\x83\x80abcd"]:  # unmasked; opcode 3
                path = url(hub, "controller").split(str(hub.port), 1)[1]
                reader, writer = await raw_upgrade(hub.port, path, "localhost")
                writer.write(frame)
                close = await asyncio.wait_for(reader.read(4), 5)
                assert close[0] == 0x88 and int.from_bytes(close[2:4], "big") == 1002
                writer.close()

    run(body())


def test_traversal_and_encoded_dots_get_404():
    async def body():
        async with running_hub() as hub:
            for path in ["/../pyproject.toml", "/%2e%2e/pyproject.toml", "/web/../server.py",
                         "/.git/config", "//etc/passwd", "/js/../../server.py"]:  # fmt: skip
                assert (await http(hub.port, path=path))[0] == 404, path

    run(body())


def test_slowloris_headers_are_cut_at_the_handshake_timeout():
    async def body():
        async with running_hub(handshake_timeout=0.3) as hub:
            head = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-a: "
            assert await unanswered(hub.port, head) == b""

    run(body())


def test_oversized_and_flooding_clients_are_closed_others_keep_playing():
    async def body():
        async with running_hub(max_connections=6) as hub:
            viewer, _ = await open_window(hub)
            big, _ = await open_window(hub)
            await big.send(json.dumps({"type": "message", "text": "x" * 5000}))
            assert (await expect_close(big))[0] == 1009
            flood = await connect(url(hub, "controller"))
            await flood.send(hello())
            await flood.recv()
            with contextlib.suppress(Exception):
                for seq in range(1, 3000):
                    await flood.send(inp(seq))
            assert (await expect_close(flood))[0] == 4005
            while len(hub.controllers) + len(hub.windows) > 1:
                await asyncio.sleep(0.01)
            extra = [await connect(url(hub)) for _ in range(8)]
            codes = [c for c, _ in [await expect_close(w, 2) for w in extra[5:]]]
            assert codes == [4007, 4007, 4007]
            await viewer.send(json.dumps({"type": "ping", "id": 9, "t": 1}))
            assert (await next_msg(viewer, "pong"))["id"] == 9

    run(body())
