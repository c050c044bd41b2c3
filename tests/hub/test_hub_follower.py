"""A client on a follower process gets what it would get on the room's owner (``--redis``).

Three real hub processes on one real redis-server: A owns each test's room (a window on A opened
it first), B and C follow it. Every client action runs once on the owner and once on a follower
(and, for a replaced connection, across every pair of processes), and the test checks the same
observable result: feedback frames on the controller, the bot count in the state, the old
connection closed with the same code and reason, the room on every process's /healthz.
"""

import asyncio
import itertools
import json
import urllib.request

import pytest
from clusterkit import ADA, BOB, Watcher, hubs, score_a_kill, until
from hubkit import hello, inp, run
from websockets.asyncio.client import connect

from hub.codec import FEEDBACK_DEATH, FEEDBACK_HIT, FEEDBACK_RESPAWN, T_FEEDBACK, Close
from hub.windowsession import player_id

SIDES = ["owner", "follower"]
_rooms = itertools.count(1)


@pytest.fixture(scope="module")
def cluster(redis_server):
    with hubs(redis_server.url, 3, grace=1) as (a, b, c):
        yield {"owner": a, "follower": b, "other": c}


class Scene:
    """A new room that A owns (its window ``wa`` came first) and the clients a test opens in
    it, on the processes of ``cluster`` by role; ``play`` closes them all at the end."""

    def __init__(self, cluster):
        self.cluster, self.room, self.opened = cluster, f"r{next(_rooms)}", []

    async def start(self):
        a = self.cluster["owner"]
        self.wa = Watcher(await connect(a.ws_url("window", room=self.room)))
        self.opened.append(self.wa.ws)
        await until(lambda: f"room_taken room={self.room} " in a.output(), what="A owns it")

    async def controller(self, side, dev, name):
        c = await connect(self.cluster[side].ws_url("controller", room=self.room))
        self.opened.append(c)
        await c.send(hello(dev, name))
        assert (await asyncio.wait_for(c.recv(), 5))[0] == 0x81  # welcome
        return c

    async def window(self, side):
        """A window whose process hears the room: the second state came through the bus (the
        first is the one sent with the welcome)."""
        w = Watcher(await connect(self.cluster[side].ws_url("window", room=self.room)))
        self.opened.append(w.ws)
        await until(lambda: len(w.of("state")) >= 2, what="a state through the bus")
        return w

    def players(self):
        return players(self.wa)

    async def listed(self, side):
        return await listed(self.cluster[side], self.room)


def play(cluster, test):
    """Run ``test(scene)`` in a new room; every client it opened is closed after."""

    async def body():
        scene = Scene(cluster)
        try:
            await scene.start()
            await test(scene)
        finally:
            for ws in scene.opened:
                await ws.close()

    run(body())


def healthz(hub) -> dict:
    with urllib.request.urlopen(hub.http_url + "/healthz", timeout=5) as r:
        return json.loads(r.read())


async def listed(hub, room):
    doc = await asyncio.to_thread(healthz, hub)
    return {r["name"]: r for r in doc["rooms"]}.get(room)


class Frames:
    """A controller connection that records the feedback frames it is sent."""

    def __init__(self, ws):
        self.ws, self.kinds = ws, []
        self.task = asyncio.get_running_loop().create_task(self._pump())

    async def _pump(self):
        try:
            async for raw in self.ws:
                if isinstance(raw, bytes) and raw[0] == T_FEEDBACK:
                    self.kinds.append(raw[1])
        except Exception:
            pass


def send(w, **msg):
    return w.ws.send(json.dumps(msg))


def players(w):
    return {p["id"]: p for p in (w.last_state() or {}).get("players", ())}


# Controllers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
def test_a_hit_controller_feels_hit_death_and_respawn(cluster, side):
    async def test(s):
        wa = s.wa
        bob = await s.controller("owner", BOB, "Bob")
        ada = Frames(await s.controller(side, ADA, "Ada"))
        await until(lambda: len(players(wa)) == 2, what="both players")
        await score_a_kill(bob, BOB, ADA, wa)  # Bob (on A) shoots Ada until she is knocked out
        await until(lambda: FEEDBACK_RESPAWN in ada.kinds, what="respawn feedback")
        assert ada.kinds[0] == FEEDBACK_HIT
        assert ada.kinds.index(FEEDBACK_DEATH) < ada.kinds.index(FEEDBACK_RESPAWN)
        assert ada.kinds.count(FEEDBACK_HIT) >= 4  # 25 damage a hit, 100 hp

    play(cluster, test)


@pytest.mark.parametrize("side", SIDES)
def test_a_player_whose_link_dies_with_its_process_waits_in_grace_then_leaves(redis_server, side):
    """On the owner the controller's connection drops; on a follower its whole process is
    killed (kill -9): either way the player waits in grace, then is removed."""

    async def test(s):
        wa, b = s.wa, s.cluster["follower"]
        ada = await s.controller(side, ADA, "Ada")
        await until(lambda: players(wa).get(f"c-{ADA}", {}).get("connected"), what="Ada plays")
        await asyncio.sleep(0.6)  # B has said it has a client in the room
        if side == "owner":
            ada.transport.abort()  # no close frame: the link is just gone
        else:
            b.kill()
        await until(lambda: f"c-{ADA}" in players(wa) and not players(wa)[f"c-{ADA}"]["connected"],
                    timeout=6, what="Ada in grace")  # fmt: skip
        await until(lambda: f"c-{ADA}" not in players(wa), timeout=4, what="Ada removed")

    with hubs(redis_server.url, 2, grace=1) as (a, b):  # B is killed: hubs of its own
        play({"owner": a, "follower": b}, test)


REPLACED = (Close.REPLACED, "the same device id connected again; this one closes")
PAIRS = [("owner", "owner"), ("owner", "follower"), ("follower", "owner"),
         ("follower", "follower"), ("follower", "other")]  # fmt: skip


@pytest.mark.parametrize("old,new", PAIRS)
def test_a_device_connecting_again_closes_its_older_connection_wherever_it_is(cluster, old, new):
    async def test(s):
        wa = s.wa
        first = await s.controller(old, ADA, "Ada")
        await until(lambda: f"c-{ADA}" in players(wa), what="Ada placed")
        second = await s.controller(new, ADA, "Ada")
        await asyncio.wait_for(first.wait_closed(), 5)
        assert (first.close_code, first.close_reason) == REPLACED
        await second.send(inp(7, x=600))  # the newer connection keeps the player
        await until(lambda: any(m["id"] == f"c-{ADA}" and m["cseq"] == 7 for m in wa.of("move")),
                    what="the new connection's move")  # fmt: skip
        assert list(players(wa)) == [f"c-{ADA}"] and players(wa)[f"c-{ADA}"]["connected"]

    play(cluster, test)


@pytest.mark.parametrize("side", SIDES)
def test_a_controller_that_finds_the_room_full_is_closed_the_same_way(cluster, side):
    async def test(s):
        room, wa = s.room, s.wa
        for i in range(16):
            await s.controller("owner", f"{i:012x}", f"P{i}")
        await until(lambda: len(players(wa)) == 16, what="16 players")
        late = await connect(cluster[side].ws_url("controller", room=room))
        await late.send(hello(ADA, "Ada"))
        await asyncio.wait_for(late.wait_closed(), 5)
        assert (late.close_code, late.close_reason) == (
            Close.FULL, f"room '{room}' already has 16 players")  # fmt: skip

    play(cluster, test)


# Windows ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("old,new", PAIRS)
def test_a_reloaded_tab_takes_its_player_over_wherever_it_lands(cluster, old, new):
    async def test(s):
        room, wa = s.room, s.wa
        tab1, tab2 = await s.window(old), await s.window(new)
        pid = player_id("tok-reload-1")
        await send(tab1, type="join", name="Kim", id="tok-reload-1")
        await until(lambda: tab1.of("joined") and pid in players(wa), what="Kim joined")
        await send(tab2, type="join", name="Kim", id="tok-reload-1")
        await until(lambda: tab2.of("joined"), what="the new tab's joined")
        assert tab2.of("joined")[0]["player"] == pid
        await asyncio.sleep(0.3)  # the takeover reaches every process
        await send(tab1, type="input", seq=100, buttons=0, presses=[0, 0, 0], x=900, y=0)
        await asyncio.sleep(0.5)
        await send(tab2, type="input", seq=200, buttons=0, presses=[0, 0, 0], x=-900, y=0)
        await until(lambda: any(m["cseq"] == 200 for m in wa.of("move")), what="new tab moves")
        assert not any(m["cseq"] == 100 for m in wa.of("move"))  # the old tab moves nothing
        assert list(players(wa)) == [pid]
        old_id = tab1.of("welcome")[0]["window"]  # and its process says it holds no player
        shown = (await listed(cluster[old], room))["windows"]
        assert [w["player"] for w in shown if w["id"] == old_id] == [None]

    play(cluster, test)


@pytest.mark.parametrize("side", SIDES)
def test_a_windows_bot_setting_takes_effect_with_the_same_rate_limit(cluster, side):
    async def test(s):
        wa = s.wa
        w = await s.window(side)
        for count in (1, 2, 3, 4, 5):  # a burst of 4, then the fifth is answered, not applied
            await send(w, type="bots", count=count)
        await until(lambda: (w.last_state() or {}).get("bots") == 4, what="4 bots in the state")
        notes = [m["text"] for m in w.of("message") if m.get("system")]
        assert "Too many bot changes; wait a moment." in notes
        assert "Bots set to 4." in notes
        await asyncio.sleep(0.3)
        assert wa.last_state()["bots"] == 4  # not 5

    play(cluster, test)


@pytest.mark.parametrize("side", SIDES)
def test_a_window_that_joins_again_with_another_token_leaves_its_first_player(cluster, side):
    async def test(s):
        wa = s.wa
        w = await s.window(side)
        kim, lee = player_id("tok-kim-1"), player_id("tok-lee-1")
        await send(w, type="join", name="Kim", id="tok-kim-1")
        await until(lambda: kim in players(wa), what="Kim in the owner's state")
        await send(w, type="join", name="Lee", id="tok-lee-1")
        await until(lambda: lee in players(wa) and kim not in players(wa), timeout=3,
                    what="Lee in, Kim gone")  # fmt: skip
        assert [m["player"] for m in w.of("joined")] == [kim, lee]
        assert players(wa)[lee]["name"] == "Lee"

    play(cluster, test)


@pytest.mark.parametrize("side", SIDES)
def test_chat_ping_and_leaving_work_the_same(cluster, side):
    async def test(s):
        wa = s.wa
        w = await s.window(side)
        await send(w, type="join", name="Kim", id="tok-chat-1")
        kim = player_id("tok-chat-1")
        await until(lambda: kim in players(wa), what="Kim joined")
        await send(w, type="message", text="hello all")
        await until(lambda: any(m["text"] == "hello all" for m in wa.of("message")), what="chat")
        line = [m for m in wa.of("message") if m["text"] == "hello all"][0]
        assert line["from"] == "Kim" and not line.get("system")
        await send(w, type="ping", id=5, t=1234.5)
        await until(lambda: w.of("pong"), what="pong")
        pong = w.of("pong")[0]
        assert pong["id"] == 5 and pong["t"] == 1234.5 and pong["hub_t"] > 0
        await w.close()  # Kim waits in grace (1 s here), then is removed
        await until(lambda: kim in players(wa) and not players(wa)[kim]["connected"],
                    what="Kim in grace")  # fmt: skip
        await until(lambda: kim not in players(wa), what="Kim removed after grace")

    play(cluster, test)


@pytest.mark.parametrize("side", SIDES)
def test_a_windows_chat_lines_carry_the_name_the_room_gave_its_player(cluster, side):
    async def test(s):
        wa = s.wa
        first, second = await s.window("other"), await s.window(side)  # Kims on two processes
        await send(first, type="join", name="Kim", id="tok-name-1")
        await until(lambda: player_id("tok-name-1") in players(wa), what="the first Kim")
        await send(second, type="join", name="Kim", id="tok-name-2")
        await until(lambda: player_id("tok-name-2") in players(wa), what="the second Kim")
        assert players(wa)[player_id("tok-name-2")]["name"] == "Kim 2"
        await until(lambda: len(second.of("state")) > 3, what="a few states")
        await send(second, type="message", text="which Kim?")
        await until(lambda: any(m["text"] == "which Kim?" for m in wa.of("message")), what="chat")
        assert [m["from"] for m in wa.of("message") if m["text"] == "which Kim?"] == ["Kim 2"]

    play(cluster, test)


@pytest.mark.parametrize("side", SIDES)
def test_a_late_window_gets_the_rooms_recent_chat(cluster, side):
    async def test(s):
        wa = s.wa

        def chat_in(w):
            backlogs = w.of("backlog")
            return [line["text"] for line in backlogs[-1]["lines"]] if backlogs else []

        await send(wa, type="message", text="first line")
        await until(lambda: wa.of("message"), what="the line on A")
        late = await s.window(side)  # the first window of the room there
        await until(lambda: "first line" in chat_in(late), what="the first line")
        await send(wa, type="message", text="second line")
        await until(lambda: any(m["text"] == "second line" for m in late.of("message")),
                    what="the second line")  # fmt: skip
        later = await s.window(side)  # another window there, later
        await until(lambda: chat_in(later)[-2:] == ["first line", "second line"],
                    what="both lines")  # fmt: skip

    play(cluster, test)


@pytest.mark.parametrize("side", SIDES)
def test_every_players_link_is_on_each_processs_healthz(cluster, side):
    """The game page's latency panel reads the players' link round trips from its own
    process's /healthz: it must have the players connected to the other processes too. (On
    loopback they are 0 or 1 ms: the event loop's clock counts whole milliseconds.)"""

    async def test(s):
        await s.controller(side, ADA, "Ada")
        await s.window("follower")  # B has a window in the room: its page asks B

        async def links(where):
            return ((await s.listed(where)) or {}).get("links", {})

        for _ in range(50):
            shown = [await links("owner"), await links("follower")]
            if all(isinstance(x.get(f"c-{ADA}"), int | float) for x in shown):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(shown)

    play(cluster, test)


# The room registry ------------------------------------------------------------------------------


@pytest.mark.parametrize("side", SIDES)
def test_every_process_lists_the_room_until_it_ends(cluster, side):
    async def test(s):
        room = s.room
        await s.controller(side, ADA, "Ada")
        await s.controller("other", BOB, "Bob")
        hubs_ = list(cluster.values())

        async def wait_for(check, what):
            for _ in range(100):
                shown = [await listed(h, room) for h in hubs_]
                if all(check(r) for r in shown):
                    return
                await asyncio.sleep(0.1)
            raise AssertionError(f"{what}: {shown}")

        await wait_for(lambda r: r is not None and r["players"] == 2, "listed with 2 players")
        for ws in s.opened:
            await ws.close()
        # Both players' grace (1 s) runs out, no window is left anywhere: the room ends.
        await wait_for(lambda r: r is None, "gone from every /healthz")

    play(cluster, test)


def test_a_room_watched_only_from_another_process_is_kept(cluster):
    async def test(s):
        room, wa = s.room, s.wa
        wb = await s.window("follower")
        await asyncio.sleep(0.6)  # B says it watches the room
        await wa.close()  # nobody plays and A has no window left; B's window still watches
        await asyncio.sleep(2.0)
        entry = await listed(cluster["follower"], room)
        assert entry is not None
        assert "room_ended room=" + room not in cluster["owner"].output()
        assert f"room_taken room={room} " not in cluster["follower"].output()  # A kept it
        n = len(wb.msgs)
        await until(lambda: len(wb.msgs) > n, what="states still reach B's window")

    play(cluster, test)
