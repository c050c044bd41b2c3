"""The hub over real sockets: in-process hub on 127.0.0.1:0, real websockets clients."""

import asyncio
import json
import time
import urllib.request

import pytest
from hostile import unanswered
from hubkit import (
    CODE,
    TIMEOUT,
    VECTORS,
    expect_close,
    hello,
    inp,
    messages,
    next_msg,
    open_controller,
    open_window,
    run,
    running_hub,
    url,
)
from websockets.asyncio.client import connect

DEV = "a4cf12fe0b1c"


def test_inputs_relayed_to_every_window_with_hub_seq_and_time():
    async def body():
        async with running_hub() as hub:
            w1, welcome = await open_window(hub)
            w2, _ = await open_window(hub)
            assert welcome["arena"] == {"w": 1600, "h": 900} and welcome["tick_hz"] == 60
            c, _ = await open_controller(hub)
            await c.send(inp(1))
            t0 = time.time() * 1000
            await c.send(inp(2, presses=(1, 0, 0), x=0, y=-1000))
            await c.send(inp(3, presses=(1, 1, 0), x=0, y=-1000))
            for w in (w1, w2):
                move = await next_msg(w, "move")
                blink = await next_msg(w, "blink")
                shoot = await next_msg(w, "shoot")
                assert (move["id"], move["cseq"], move["x"], move["y"]) == (f"c-{DEV}", 2, 0, -1000)
                assert blink["cseq"] == 2 and blink["to"][1] < blink["from"][1]
                assert shoot["cseq"] == 3 and shoot["projectile"]["vy"] < 0
                assert move["seq"] < blink["seq"] < shoot["seq"]
                assert abs(move["t"] - t0) < 2000

    run(body())


def test_late_join_gets_full_state_at_once():
    async def body():
        async with running_hub() as hub:
            c, _ = await open_controller(hub)
            me = hub.rooms["default"].game.players[f"c-{DEV}"]
            me.x, me.y = 100.0, 450.0  # room for the shot to fly right
            await c.send(inp(1))
            await c.send(inp(2, presses=(1, 1, 0), x=1000))
            await asyncio.sleep(0.05)
            w = await connect(url(hub))
            first = messages(await w.recv()) + messages(await w.recv())
            assert [m["type"] for m in first[:2]] == ["welcome", "state"]
            state = first[1]
            (p,) = state["players"]
            assert p["id"] == f"c-{DEV}" and p["name"] == "Ada" and p["hp"] == 100
            assert p["blink_cd"] > 0 and p["shoot_cd"] >= 0 and "score" in p
            assert len(state["projectiles"]) == 1

    run(body())


def test_reconnect_within_grace_keeps_slot_colour_score_position():
    async def body():
        async with running_hub(grace=5.0) as hub:
            await open_controller(hub, dev="000000000001", name="One")
            c, welcome = await open_controller(hub)
            p = hub.rooms["default"].game.players[f"c-{DEV}"]
            p.x, p.y, p.score = 321.0, 654.0, 2
            await c.close()
            await asyncio.sleep(0.1)
            assert not p.connected
            c2, welcome2 = await open_controller(hub)
            assert welcome2 == welcome and welcome2[2] == 1  # same slot and colour
            p = hub.rooms["default"].game.players[f"c-{DEV}"]
            assert (p.x, p.y, p.score, p.connected) == (321.0, 654.0, 2, True)

    run(body())


def test_after_grace_player_removed_for_windows():
    async def body():
        async with running_hub(grace=0.3) as hub:
            w, _ = await open_window(hub)
            c, _ = await open_controller(hub)
            await next_msg(w, "create_player")
            await c.close()
            removed = await next_msg(w, "remove_player")
            assert removed["id"] == f"c-{DEV}"

    run(body())


def test_same_device_again_replaces_old_connection_4008():
    async def body():
        async with running_hub() as hub:
            old, _ = await open_controller(hub)
            new, _ = await open_controller(hub)
            code, reason = await expect_close(old)
            assert code == 4008 and "same device" in reason
            await new.send(inp(1))
            assert hub.rooms["default"].game.players[f"c-{DEV}"].connected

    run(body())


@pytest.mark.parametrize("kind", ["controller", "window"])
@pytest.mark.parametrize("code", ["000000", ""])
def test_wrong_or_missing_pairing_code_4004(kind, code):
    async def body():
        async with running_hub() as hub:
            ws = await connect(url(hub, kind, code=code))
            got, reason = await expect_close(ws)
            assert got == 4004 and "pairing code" in reason

    run(body())


def test_bad_room_name_4001():
    async def body():
        async with running_hub() as hub:
            ws = await connect(url(hub, "window", room="no/slashes"))
            assert (await expect_close(ws))[0] == 4001

    run(body())


FIRST = {"hello_wrong_version", "hello_bad_json", "hello_missing_id"}


@pytest.mark.parametrize("vec", VECTORS["invalid_controller_frames"], ids=lambda v: v["name"])
def test_invalid_controller_frame_closes_with_its_code_others_unaffected(vec, caplog):
    async def body():
        async with running_hub() as hub:
            w, _ = await open_window(hub)
            good, _ = await open_controller(hub, dev="0000000000aa", name="Good")
            if vec["name"] in FIRST:
                bad = await connect(url(hub, "controller"))
            else:
                bad, _ = await open_controller(hub)
            await bad.send(bytes.fromhex(vec["hex"]))
            code, reason = await expect_close(bad)
            assert code == vec["close"], reason
            assert reason
            await good.send(inp(1))
            await good.send(inp(2, x=250))
            move = await next_msg(w, "move")
            assert move["x"] == 250
            rejected = [r for r in caplog.records if "rejected" in r.getMessage()]
            assert len(rejected) == 1 and str(vec["close"]) in rejected[0].getMessage()

    run(body())


@pytest.mark.parametrize("vec", VECTORS["invalid_window_frames"], ids=lambda v: v["name"])
def test_invalid_window_frame_closes_with_its_code(vec):
    async def body():
        async with running_hub() as hub:
            other, _ = await open_window(hub)
            w, _ = await open_window(hub)
            if vec["name"].startswith("input"):
                await w.send(json.dumps({"type": "join", "name": "Kim"}))
            await w.send(vec["text"])
            code, reason = await expect_close(w)
            assert code == vec["close"], reason
            await other.send(json.dumps({"type": "ping", "id": 1, "t": 5}))
            assert (await next_msg(other, "pong"))["id"] == 1

    run(body())


def test_text_on_controller_and_binary_on_window_1003():
    async def body():
        async with running_hub() as hub:
            c, _ = await open_controller(hub)
            await c.send("hello")
            code, reason = await expect_close(c)
            assert code == 1003 and "binary" in reason
            w, _ = await open_window(hub)
            await w.send(b"\x01\x02")
            code, reason = await expect_close(w)
            assert code == 1003 and "text" in reason

    run(body())


def test_too_big_messages_1009():
    async def body():
        async with running_hub() as hub:
            c, _ = await open_controller(hub)
            await c.send(b"\x03\x01" + b" " * 1100)
            assert (await expect_close(c))[0] == 1009
            w, _ = await open_window(hub)
            await w.send(json.dumps({"type": "message", "text": "x" * 5000}))
            assert (await expect_close(w))[0] == 1009

    run(body())


def test_no_hello_in_time_or_not_first_4003():
    async def body():
        async with running_hub(hello_timeout=0.3) as hub:
            silent = await connect(url(hub, "controller"))
            code, reason = await expect_close(silent)
            assert code == 4003 and "hello" in reason
            early = await connect(url(hub, "controller"))
            await early.send(inp(1))
            assert (await expect_close(early))[0] == 4003

    run(body())


def test_controller_flood_closed_4005_normal_rate_is_fine():
    async def body():
        async with running_hub() as hub:
            normal, _ = await open_controller(hub, dev="0000000000aa")
            for seq in range(1, 120):  # ~100 Hz
                await normal.send(inp(seq, x=seq))
                await asyncio.sleep(0.01)
            flood, _ = await open_controller(hub)
            for seq in range(1, 2000):
                try:
                    await flood.send(inp(seq))
                except Exception:
                    break
            code, reason = await expect_close(flood)
            assert code == 4005 and "100 input frames/s" in reason
            await normal.send(inp(500, x=1))
            await asyncio.sleep(0.05)
            assert normal.close_code is None

    run(body())


def test_hub_full_4007():
    async def body():
        async with running_hub(max_connections=2) as hub:
            await open_window(hub)
            await open_controller(hub)
            third = await connect(url(hub))
            code, reason = await expect_close(third)
            assert code == 4007 and "full" in reason

    run(body())


def test_keyboard_player_chat_and_ping_from_a_window():
    async def body():
        async with running_hub() as hub:
            viewer, _ = await open_window(hub)
            w, _ = await open_window(hub)
            await w.send(json.dumps({"type": "join", "name": "Kim", "id": "tab-1234"}))
            created = await next_msg(viewer, "create_player")
            player = created["player"]
            assert player["kind"] == "keyboard" and player["name"] == "Kim"
            await w.send(json.dumps(VECTORS["window_to_hub"][1]["json"]))
            move = await next_msg(viewer, "move")
            assert move["id"] == player["id"] and move["cseq"] == 12
            await w.send(json.dumps({"type": "message", "text": "gg"}))
            chat = await next_msg(viewer, "message")
            assert (chat["from"], chat["text"]) == ("Kim", "gg")
            await w.send(json.dumps({"type": "ping", "id": 7, "t": 1234.5}))
            pong = await next_msg(w, "pong")
            assert (pong["id"], pong["t"]) == (7, 1234.5) and pong["hub_t"] > 0

    run(body())


def test_hit_sends_feedback_to_that_controller():
    async def body():
        async with running_hub() as hub:
            shooter, _ = await open_controller(hub, dev="0000000000aa", name="S")
            victim, _ = await open_controller(hub, dev="0000000000bb", name="V")
            game = hub.rooms["default"].game
            a, b = game.players["c-0000000000aa"], game.players["c-0000000000bb"]
            a.x, a.y, b.x, b.y = 200.0, 450.0, 320.0, 450.0
            await shooter.send(inp(1, x=1000))
            await shooter.send(inp(2, presses=(0, 1, 0), x=1000))
            fb = await asyncio.wait_for(victim.recv(), TIMEOUT)
            assert fb == bytes.fromhex("82010096")  # hit, 150 ms

    run(body())


def test_stalled_window_closed_4006_while_others_keep_receiving(caplog):
    async def body():
        import socket

        async with running_hub(stall_timeout=0.5, rate=100000) as hub:
            fast, _ = await open_window(hub)
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", hub.port))
            stalled = await connect(url(hub), sock=sock, max_queue=1)
            await stalled.recv()  # welcome; then it stops reading
            stalled.transport.pause_reading()
            c, _ = await open_controller(hub)
            lags, got, seq = [], set(), 0

            def take(raw):
                for m in messages(raw):
                    if m["type"] == "move":
                        got.add(m["cseq"])
                        lags.append(time.time() * 1000 - m["t"])

            subscribers = hub.bus.windows.rooms["default"]
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and len(subscribers) > 1:
                seq += 1
                await c.send(inp(seq, x=(seq % 2000) - 1000, y=500))
                take(await asyncio.wait_for(fast.recv(), TIMEOUT))
            assert len(subscribers) == 1, "stalled window never dropped"
            assert any("window_stalled" in r.getMessage() for r in caplog.records)
            while seq not in got:
                take(await asyncio.wait_for(fast.recv(), TIMEOUT))
            assert len(got) == seq  # the window that keeps up got every move
            assert max(lags) < 1000  # generous: only a stall would break it
            stalled.transport.resume_reading()
            code, _ = await expect_close(stalled)
            assert code in (4006, 1006)  # 1006 if the close frame could not get through
            assert len(hub.windows) == 1

    run(body(), timeout=40)


def test_http_paths():
    async def body():
        async with running_hub() as hub:
            base = f"http://127.0.0.1:{hub.port}"

            def get(path):
                try:
                    with urllib.request.urlopen(base + path, timeout=TIMEOUT) as r:
                        return r.status, r.headers.get("Content-Type"), r.read()
                except urllib.error.HTTPError as e:
                    return e.code, e.headers.get("Content-Type"), e.read()

            def fetch(path):
                return asyncio.to_thread(get, path)

            status, ctype, body_ = await fetch("/healthz")
            health = json.loads(body_)
            assert status == 200 and health["controllers"] == 0 and health["windows"] == 0
            status, _, body_ = await fetch("/pairing.json")
            assert json.loads(body_)["code"] == CODE
            status, ctype, body_ = await fetch("/dashboard")
            assert status == 200 and ctype.startswith("text/html") and b"dashboard.js" in body_
            for bad in ["/../pyproject.toml", "/..%2fpyproject.toml", "/web/../server.py",
                        "/.hidden", "/js/", "/nope.html", "//etc/passwd"]:  # fmt: skip
                assert (await fetch(bad))[0] == 404, bad
            assert (await fetch("/qr.svg"))[0] == 403
            status, ctype, body_ = await fetch(f"/qr.svg?code={CODE}")
            assert status == 200 and ctype == "image/svg+xml" and b"<svg" in body_

    run(body())


def test_origin_check():
    from websockets.exceptions import InvalidStatus

    async def body():
        async with running_hub(allow_origin=["http://game.example:9000"]) as hub:
            for ok in [f"http://127.0.0.1:{hub.port}", "http://localhost:3000",
                       "http://game.example:9000"]:  # fmt: skip
                ws = await connect(url(hub), origin=ok)
                await next_msg(ws, "welcome")
                await ws.close()
            with pytest.raises(InvalidStatus) as err:
                await connect(url(hub), origin="http://evil.example")
            assert err.value.response.status_code == 403
            assert b"--allow-origin" in err.value.response.body

    run(body())


def test_is_loopback():
    from hub.server import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("127.9.9.9")
    assert not is_loopback("192.168.1.20") and not is_loopback("10.0.0.1")


def test_healthz_lists_controller_details():
    async def body():
        async with running_hub() as hub:
            c, _ = await open_controller(hub)
            await c.send(bytes.fromhex("02c30f820029"))  # telemetry: -61 dBm, 3970 mV
            await c.send(inp(1))
            await open_window(hub)
            await asyncio.sleep(0.1)
            from hub.health import health

            h = health(hub)
            (room,) = h["rooms"]
            (ctl,) = room["controllers"]
            assert (ctl["id"], ctl["name"], ctl["fw"], ctl["reset"]) == (
                DEV,
                "Ada",
                "0.1.0",
                "soft",
            )
            assert (ctl["rssi"], ctl["battery_mv"]) == (-61, 3970)
            assert {"fps", "rtt_ms"} <= ctl.keys()
            (win,) = room["windows"]
            assert {"rtt_ms", "queued", "buffered_bytes", "behind_s"} <= win.keys()

    run(body())


def test_hello_extra_kind_phone():
    async def body():
        async with running_hub() as hub:
            w, _ = await open_window(hub)
            ws = await connect(url(hub, "controller"))
            await ws.send(hello("00000000beef", "Phone", kind="phone"))
            await ws.recv()
            created = await next_msg(w, "create_player")
            assert created["player"]["kind"] == "phone"

    run(body())


def test_slow_window_gets_every_chat_and_button_event_and_latest_move():
    import socket

    async def body():
        async with running_hub(stall_timeout=30, rate=100000) as hub:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", hub.port))
            slow = await connect(url(hub), sock=sock, max_queue=1)
            await next_msg(slow, "state")
            slow.transport.pause_reading()
            talker, _ = await open_window(hub)
            c, _ = await open_controller(hub)
            n = 0
            for seq in range(1, 20000):
                await c.send(inp(seq, x=(seq % 1999) - 999))
                if seq % 10 == 0:
                    n += 1
                    await talker.send(json.dumps({"type": "message", "text": f"c{n}"}))
                    await next_msg(talker, "message", lambda m, n=n: m["text"] == f"c{n}")
                if n >= 100 and any(w.sink.outbox.live > 20 for w in hub.windows.values()):
                    break
            last_x = (seq % 1999) - 999
            slow.transport.resume_reading()
            chats, moves, final = [], 0, None
            while True:
                raw = await asyncio.wait_for(slow.recv(), TIMEOUT)
                for m in messages(raw):
                    if m["type"] == "message":
                        chats.append(m["text"])
                    elif m["type"] == "move":
                        moves += 1
                        final = m["x"]
                if len(chats) == n and final == last_x:
                    break
            assert chats == [f"c{i}" for i in range(1, n + 1)]  # none dropped, in order
            assert moves < seq  # moves were coalesced while it was behind

    run(body(), timeout=60)


def test_silent_tcp_connection_dropped_after_handshake_timeout():
    async def body():
        async with running_hub(handshake_timeout=0.3) as hub:
            head = b"GET /ws/window HTTP/1.1\r\nHost: x\r\n"  # never finishes
            data = await unanswered(hub.port, head, TIMEOUT)
            assert data == b""  # closed by the hub, no response

    run(body())


def test_bad_input_log_lines_are_rate_limited(caplog):
    from hub.guard import CodeGuard

    async def body():
        async with running_hub() as hub:
            hub.codes.guard = CodeGuard(free=100, trial_rate=None)  # every attempt answered
            for _ in range(30):
                ws = await connect(url(hub, code="999999"))
                await expect_close(ws)
            await asyncio.sleep(0.05)

    run(body())
    lines = [r.getMessage() for r in caplog.records if r.name == "hub"]
    assert sum("rejected" in x for x in lines) == 20  # then silence until the period ends
    assert not any(x.startswith(("connect", "disconnect")) for x in lines)


def test_reloaded_window_gets_its_keyboard_player_back_within_grace():
    async def body():
        async with running_hub(grace=5.0) as hub:
            viewer, _ = await open_window(hub)
            tab, _ = await open_window(hub)
            await tab.send(json.dumps({"type": "join", "name": "Kim", "id": "tab-1234"}))
            first = (await next_msg(viewer, "create_player"))["player"]
            p = hub.rooms["default"].game.players[first["id"]]
            p.x, p.score = 777.0, 4
            await tab.close()
            reloaded, _ = await open_window(hub)
            await reloaded.send(json.dumps({"type": "join", "name": "Kim", "id": "tab-1234"}))
            again = (await next_msg(viewer, "create_player"))["player"]
            assert (again["id"], again["slot"], again["color"]) == (
                first["id"],
                first["slot"],
                first["color"],
            )
            assert (again["x"], again["score"], again["connected"]) == (777.0, 4, True)
            assert len(hub.rooms["default"].game.players) == 1

    run(body())


def test_game_clock_runs_on_the_hub_with_no_window_watching():
    async def body():
        async with running_hub() as hub:
            c, _ = await open_controller(hub)
            p = hub.rooms["default"].game.players[f"c-{DEV}"]
            p.x, p.y = 400.0, 450.0
            await c.send(inp(1, x=1000))
            await asyncio.sleep(0.5)
            assert p.x > 450  # moved at ~320 units/s without any window connected
            w, _ = await open_window(hub)
            state = await next_msg(w, "state")
            assert state["players"][0]["x"] == round(p.x, 1) or state["players"][0]["x"] > 450

    run(body())


def test_background_tasks_are_kept_until_they_end_and_shutdown_awaits_them():
    async def body():
        async with running_hub() as hub:
            gate = asyncio.Event()
            task = hub.spawn(gate.wait())
            assert task in hub.tasks  # a reference is held: the task cannot be collected
            gate.set()
            await task
            assert task not in hub.tasks
            pending = hub.spawn(asyncio.sleep(3600))
        assert pending.cancelled() and not hub.tasks  # stop() cancelled and awaited it

    run(body())


def test_a_refusal_on_the_short_way_in_closes_through_a_kept_task():
    async def body():
        async with running_hub() as hub:
            c, _ = await open_controller(hub)
            (link,) = hub.controllers.values()
            await c.send(inp(1))
            await c.send(b"\x01\x00")  # truncated input: refused on the short way in
            code, _ = await expect_close(c)
            assert code == 4001
            assert link.closing in hub.tasks or link.closing.done()
            await asyncio.wait_for(link.closing, TIMEOUT)
            await asyncio.sleep(0)  # done callbacks run on the next pass
            assert link.closing not in hub.tasks

    run(body())


def test_an_untested_websockets_runs_on_the_public_api_alone(monkeypatch, caplog):
    import hub.server

    monkeypatch.setattr(hub.server, "check_library", lambda: ["websockets 99.0 is outside"])

    async def body():
        async with running_hub() as h:
            assert not h.fast and h.listener is None  # the loop's own accept
            w, _ = await open_window(h)
            shooter, _ = await open_controller(h, dev="0000000000aa", name="S")
            victim, _ = await open_controller(h, dev="0000000000bb", name="V")
            game = h.rooms["default"].game
            a, b = game.players["c-0000000000aa"], game.players["c-0000000000bb"]
            a.x, a.y, b.x, b.y = 200.0, 450.0, 320.0, 450.0
            await shooter.send(inp(1, x=1000))
            await shooter.send(inp(2, presses=(0, 1, 0), x=1000))
            assert (await next_msg(w, "move"))["x"] == 1000
            fb = await asyncio.wait_for(victim.recv(), TIMEOUT)
            assert fb == bytes.fromhex("82010096")  # feedback through the library's send
            conn = next(iter(h.controllers))
            assert type(conn).__name__ == "ServerConnection"  # no short way in

    run(body())
    assert any("websockets_untested" in r.getMessage() for r in caplog.records)
