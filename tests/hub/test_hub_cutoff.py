"""A hub process cut off from Redis, with real hub processes and a real redis-server: its windows
are told at once (a ``status`` hub message) and /healthz answers 503; a window that opens
meanwhile is told before it gets the state; when Redis is back the windows get the live game
again. A network split (only one process cut off, through a real TCP forwarder the test cuts)
where the other process takes the room over ends, after healing, with every window on both
processes in the same game and no ``seq`` going back. Controllers on a cut-off process neither
walk on in the owner's game nor have their presses replayed late, and one that connects meanwhile
is welcomed when the link is back."""

import asyncio
import json
import urllib.error
import urllib.request

import pytest
from clusterkit import ADA, BOB, Watcher, hubs, join, until, watch
from front import Front
from hubkit import hello as hello_frame
from hubkit import inp
from hubproc import HubProcess
from redisproc import RedisProcess
from websockets.asyncio.client import connect


@pytest.fixture
def redis_server():
    with RedisProcess() as server:
        yield server


def healthz(hub) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(hub.http_url + "/healthz", timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def statuses(w, link=None):
    return [m for m in w.of("status") if link is None or m["link"] == link]


def seqs(w):
    return [m["seq"] for m in w.msgs]


def after(w, first):
    """The messages ``w`` got after the message ``first`` (by identity)."""
    return w.msgs[next(i for i, m in enumerate(w.msgs) if m is first) + 1 :]


def players(state):
    return {p["id"]: p for p in state["players"]}


async def walk(ctrl, seq, n, x=600):
    for _ in range(n):
        seq += 1
        x = -x
        await ctrl.send(inp(seq, x=x))
        await asyncio.sleep(0.05)
    return seq


def test_windows_are_told_when_redis_goes_and_get_the_live_game_when_it_is_back(redis_server):
    async def body(a, b):
        ada, _ = await join(a, ADA, "Ada")  # the first client: A runs the room
        wa, wb = await watch(a), await watch(b)
        await until(lambda: wb.last_state() and ADA in json.dumps(wb.last_state()))
        assert healthz(b)[0] == 200 and healthz(b)[1]["redis"]["up"] is True
        assert statuses(wa) == statuses(wb) == []  # nothing to say while the link is fine

        await asyncio.to_thread(redis_server.stop)
        # B may first find A silent (A's news stops while redis-server shuts down), then Redis
        # gone: each window is told "down" in the end
        await until(lambda: statuses(wa, "down") and statuses(wb, "down"), what="both told")
        down_a, down_b = statuses(wa, "down")[0], statuses(wb, "down")[0]
        assert down_a["system"] is True and down_a["link"] == "down"
        assert down_a["game"] == "local"  # A runs the room: it goes on for A's players
        assert down_b["game"] == "paused"  # B follows it: nothing reaches B
        assert "paused" in down_b["text"] and "Reconnecting" in down_b["text"]
        for h in (a, b):
            code, doc = healthz(h)
            assert code == 503 and doc["ok"] is False and doc["redis"]["up"] is False
        await asyncio.sleep(0.5)
        assert not [m for m in after(wb, down_b) if m["type"] == "state"]  # B has no news
        n = len(wa.msgs)
        await until(lambda: len(wa.of("state")) and len(wa.msgs) > n + 3, what="A plays on")

        # A window opening on B now is told before it is handed the (old) state.
        late = Watcher(await connect(b.ws_url("window")))
        await until(lambda: late.of("state"), what="late window's state")
        kinds = [m["type"] for m in late.msgs[:3]]
        assert kinds == ["welcome", "status", "state"], kinds
        assert late.msgs[1]["game"] == "paused"

        await asyncio.to_thread(redis_server.start)  # empty, on the same port
        await until(lambda: statuses(wb, "up") and statuses(wa, "up"), timeout=10,
                    what="both windows told the link is back")  # fmt: skip
        up_b = statuses(wb, "up")[0]
        assert up_b["game"] == "live"
        await until(lambda: [m for m in after(wb, up_b) if m["type"] == "state"],
                    what="a live state on B after the link is back")  # fmt: skip
        fresh = [m for m in after(wb, up_b) if m["type"] == "state"][0]
        assert fresh["seq"] > down_b["seq"] and ADA in json.dumps(fresh)
        for h in (a, b):
            code, doc = healthz(h)
            assert code == 200 and doc["redis"]["up"] is True
        for w in (wa, wb, late):
            assert seqs(w) == sorted(seqs(w))
        assert "redis_bus_gap" in b.output() and "room_taken" not in b.output()
        await ada.close()
        for w in (wa, wb, late):
            await w.close()

    with hubs(redis_server.url, 2) as (a, b):
        asyncio.run(asyncio.wait_for(body(a, b), 60))


def test_a_split_off_owner_gives_the_room_up_and_every_window_ends_in_one_game(redis_server):
    async def body(a, b, front):
        ada, _ = await join(a, ADA, "Ada")  # A runs the room
        wa = await watch(a)
        bob, _ = await join(b, BOB, "Bob")
        wb = await watch(b)
        both = lambda w: w.last_state() and len(w.last_state()["players"]) == 2  # noqa: E731
        await until(lambda: both(wa) and both(wb), what="both players everywhere")
        await asyncio.sleep(0.7)  # a snapshot with both players

        front.cut()  # only A loses Redis
        await until(lambda: statuses(wa), what="A's window told")
        assert statuses(wa)[0]["game"] == "local" and statuses(wb) == []
        assert healthz(a)[0] == 503 and healthz(b)[0] == 200
        await until(lambda: "room_taken" in b.output(), timeout=5, what="B takes the room")
        seq = await walk(ada, 0, 20)  # Ada plays on in A's own copy: the games diverge
        assert "room_lost" not in a.output()  # A cannot know; it serves its players meanwhile

        front.heal()
        await until(lambda: "room_lost" in a.output(), timeout=5, what="A gives the room up")
        await until(lambda: statuses(wa, "up"), what="A's window told the link is back")
        up = statuses(wa, "up")[0]

        def shared_states():  # states A's window got after the link came back, also seen on B
            sb = {m["seq"]: m for m in wb.of("state")}
            return [m for m in after(wa, up) if m["type"] == "state" and sb.get(m["seq"]) == m]

        await until(shared_states, what="A's window follows B's game")
        seq = await walk(ada, seq, 10, x=900)  # Ada's controller, still on A, plays in B's game
        await asyncio.sleep(0.5)

        def moves(w):
            return [(m["seq"], m["cseq"]) for m in w.of("move") if m["id"] == f"c-{ADA}"]

        # Every window shows B's game: the same messages with the same seq, on A and on B.
        tail_b = [m for m in moves(wb) if m[1] > seq - 10]
        assert len(tail_b) == 10 and tail_b == [m for m in moves(wa) if m[1] > seq - 10]
        last = shared_states()[-1]
        assert set(players(last)) == {f"c-{ADA}", f"c-{BOB}"}
        assert last["seq"] > max(m["seq"] for m in wa.msgs[: wa.msgs.index(up)])
        for w in (wa, wb):
            assert seqs(w) == sorted(seqs(w)), "a seq went back"
        for ws in (ada, bob):
            await ws.close()
        await wa.close()
        await wb.close()

    with Front(redis_server.port) as front:  # A reaches Redis only through the forwarder
        url = f"redis://127.0.0.1:{front.port}/0"
        with HubProcess("--redis", url, "--grace", "10") as a, hubs(redis_server.url, 1) as (b,):
            asyncio.run(asyncio.wait_for(body(a, b, front), 60))


def test_controllers_on_a_cut_off_process_neither_walk_on_nor_replay_presses(redis_server):
    cy_dev = "c0ffee000001"

    async def body(a, b):
        ada, _ = await join(a, ADA, "Ada")  # A runs the room
        wa, wb = await watch(a), await watch(b)
        bob, _ = await join(b, BOB, "Bob")  # Bob plays through B
        await bob.send(inp(1))  # the press baseline
        await bob.send(inp(2, x=1000))  # and walks

        def bob_in(state):
            return players(state).get(f"c-{BOB}") if state else None

        await until(lambda: (bob_in(wa.last_state()) or {}).get("stick") == [1000, 0])

        await asyncio.to_thread(redis_server.stop)
        await until(lambda: statuses(wa), what="A's window told")
        # Bob's frames cannot reach A now: in A's game he stands instead of walking on.
        await until(lambda: bob_in(wa.last_state())["stick"] == [0, 0], what="Bob stands")
        for seq in (3, 4, 5):  # three shots pressed while cut off: lost, never replayed late
            await bob.send(inp(seq, (0, seq - 2, 0)))
            await asyncio.sleep(0.05)
        cy = await connect(b.ws_url("controller"))  # a controller that comes meanwhile waits
        await cy.send(hello_frame(cy_dev))
        with pytest.raises(TimeoutError):  # no welcome while cut off
            await asyncio.wait_for(cy.recv(), 1.0)

        await asyncio.to_thread(redis_server.start)
        await until(lambda: statuses(wa, "up"), timeout=10, what="the link is back")
        # B forwards Bob's frames again only once it has settled its rooms, which its windows
        # are told; a frame sent before that is dropped like those sent while cut off.
        await until(lambda: statuses(wb, "up"), timeout=10, what="B's link is back")
        welcome = await asyncio.wait_for(cy.recv(), 5)  # placed by A, then welcomed by B
        assert welcome[0] == 0x81
        up = statuses(wa, "up")[0]
        await bob.send(inp(6, (0, 3, 0)))  # the same counters as before: nothing new
        await asyncio.sleep(0.5)
        assert [m for m in after(wa, up) if m["type"] == "shoot"] == []
        await bob.send(inp(7, (0, 4, 0)))  # one new press: one shot
        await until(lambda: [m for m in after(wa, up) if m["type"] == "shoot"], what="a shot")
        shots = [m for m in after(wa, up) if m["type"] == "shoot"]
        assert [s["id"] for s in shots] == [f"c-{BOB}"]
        assert f"c-{cy_dev}" in players(wa.last_state())
        # A kept its game through the restart: B, which found no snapshot in the empty Redis,
        # never took the room for a moment (A, finding it held, would have given its game up).
        assert "room_lost" not in a.output() and "room_taken" not in b.output()
        for ws in (ada, bob, cy):
            await ws.close()
        await wa.close()
        await wb.close()

    with hubs(redis_server.url, 2) as (a, b):
        asyncio.run(asyncio.wait_for(body(a, b), 60))


def test_windows_are_told_while_a_killed_owners_room_waits_for_its_next_owner(redis_server):
    async def body(a, b):
        ada, _ = await join(a, ADA, "Ada")  # A runs the room
        wb = await watch(b)
        await until(lambda: wb.last_state() and f"c-{ADA}" in players(wb.last_state()))
        await asyncio.sleep(0.6)  # a snapshot with Ada
        a.kill()  # kill -9: its messages stop; B's link to Redis is fine
        await until(lambda: statuses(wb), timeout=3, what="B's window told")
        paused = statuses(wb)[0]
        assert paused["link"] == "up" and paused["game"] == "paused"
        assert "not answering" in paused["text"]
        assert "room_taken" not in b.output()  # told before the lease ran out
        await until(lambda: "room_taken" in b.output(), timeout=5, what="B takes the room")
        await until(lambda: statuses(wb)[-1]["game"] == "live", what="live again")
        live = statuses(wb)[-1]
        await until(lambda: [m for m in after(wb, live) if m["type"] == "state"], what="a state")
        assert [m["game"] for m in statuses(wb)] == ["paused", "live"]
        assert seqs(wb) == sorted(seqs(wb))
        late = Watcher(await connect(b.ws_url("window")))  # live: a new window is told nothing
        await until(lambda: late.of("state"), what="late window's state")
        assert late.of("status") == []
        await ada.close()
        await wb.close()
        await late.close()

    with hubs(redis_server.url, 2) as (a, b):
        asyncio.run(asyncio.wait_for(body(a, b), 60))
