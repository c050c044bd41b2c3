"""The Redis bus against a real redis-server: one room's messages reach windows on every process
in the owner's order, late joiners get the state, inputs reach the owner through the stream, a
paused old owner is fenced out, and a Redis restart is a gap, not an end."""

import asyncio
import json

import pytest
from hubkit import run
from hypothesis import given
from hypothesis import strategies as st
from redisproc import RedisProcess

from hub.busops import decode_batch, decode_ops, encode_batch, encode_ops, is_ops
from hub.redisbus import RedisBus
from hub.redisstore import RedisStore, room_key


class Window:
    """A window that records the texts it was handed, in order."""

    def __init__(self):
        self.texts: list[str] = []

    def deliver(self, frame, entries):
        self.texts.extend(text for _, text in entries)

    def seqs(self):
        return [json.loads(t)["seq"] for t in self.texts]


async def bus(url, token):
    return RedisBus(await RedisStore.connect(url, token=token))


async def until(check, timeout=5.0):
    for _ in range(int(timeout / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


async def close_all(*buses):
    for b in buses:
        await b.close()
        await b.store.close()


def msg(seq, kind="move"):
    return json.dumps({"type": kind, "seq": seq})


text_entries = st.lists(
    st.tuples(
        st.one_of(st.none(), st.just("state"), st.tuples(st.just("m"), st.text(max_size=8))),
        st.text(max_size=40),
    ),
    max_size=8,
)


@given(text_entries, st.integers(0, 2**40))
def test_batch_codec_round_trips(entries, epoch):
    assert decode_batch(encode_batch("host:1:ab", epoch, entries)) == ("host:1:ab", epoch, entries)


ops_lists = st.lists(
    st.dictionaries(st.text(max_size=6), st.one_of(st.text(max_size=10), st.integers())),
    max_size=5,
)


@given(ops_lists, st.integers(0, 2**40))
def test_ops_codec_round_trips_and_is_told_apart_from_batches(ops, epoch):
    data = encode_ops("host:1:ab", epoch, ops)
    assert is_ops(data) and not is_ops(encode_batch("host:1:ab", epoch, []))
    assert decode_ops(data) == ("host:1:ab", epoch, ops)


@pytest.mark.parametrize("data", ["", "t 1 ops\n{}", "t x ops\n[]", "t 1 ops\n[3]", "t 1 x\n[]"])
def test_bad_ops_are_refused(data):
    with pytest.raises((ValueError, TypeError)):
        decode_ops(data)


@pytest.mark.parametrize("data", ["", "t 1\n{}", "t x\n[]", "t 1\n[[null, 3]]", "t 1\nnot json"])
def test_bad_batches_are_refused(data):
    with pytest.raises((ValueError, TypeError)):
        decode_batch(data)


def test_windows_on_other_processes_see_the_owners_order(redis_url):
    async def body():
        a, b, c = [await bus(redis_url, t) for t in ("A", "B", "C")]
        wa, wb, wc, other = Window(), Window(), Window(), Window()
        a.subscribe("arena", wa)
        b.subscribe("arena", wb)
        c.subscribe("arena", wc)
        c.subscribe("lobby", other)
        await asyncio.sleep(0.2)  # the subscriptions reach Redis
        a.epochs["arena"] = 1
        for seq in range(1, 501):
            a.publish("arena", msg(seq), ("m", "p1") if seq % 2 else None)
            if seq % 7 == 0:
                await asyncio.sleep(0)  # several passes: several batches
        await until(lambda: len(wb.texts) == 500 and len(wc.texts) == 500)
        assert wa.seqs() == wb.seqs() == wc.seqs() == list(range(1, 501))
        assert other.texts == []  # another room's window gets nothing
        assert a.received == 0  # the owner's own messages are not delivered twice
        await close_all(a, b, c)

    run(body())


def test_a_late_window_gets_the_latest_state(redis_url):
    async def body():
        a, b = await bus(redis_url, "A"), await bus(redis_url, "B")
        a.publish("arena", msg(1, "state"), "state")
        a.publish("arena", msg(2), None)
        await asyncio.sleep(0)
        await a.idle()
        a.publish("arena", msg(3, "state"), "state")
        await asyncio.sleep(0)
        await a.idle()
        assert json.loads(await b.latest_state("arena"))["seq"] == 3
        assert await b.latest_state("elsewhere") is None
        await close_all(a, b)

    run(body())


def test_a_batch_older_than_the_state_a_first_window_got_is_not_delivered(redis_url):
    """A batch already on its way while a follower's first window was handed the stored state
    must not reach that window after it: its seq would go back (3, then 2)."""

    async def body():
        a, b = await bus(redis_url, "A"), await bus(redis_url, "B")
        a.publish("arena", msg(3, "state"), "state")
        await asyncio.sleep(0)
        await a.idle()
        wb = Window()
        b.subscribe("arena", wb)
        await until(lambda: wb.texts)
        channel = room_key("arena", "out")
        b.on_message(channel, encode_batch("A", 0, [(None, msg(2)), (None, msg(3))]))
        b.on_message(channel, encode_batch("A", 0, [(None, msg(3)), (None, msg(4))]))
        assert wb.seqs() == [3, 4]
        await close_all(a, b)

    run(body())


def test_a_fenced_out_owner_cannot_reach_windows(redis_url):
    async def body():
        old, new, b = [await bus(redis_url, t) for t in ("old", "new", "B")]
        wb = Window()
        b.subscribe("arena", wb)
        await asyncio.sleep(0.2)
        new.epochs["arena"], old.epochs["arena"] = 5, 4
        new.publish("arena", msg(100), None)
        await until(lambda: wb.texts)
        old.publish("arena", msg(90), None)  # paused past its lease, now waking up
        new.publish("arena", msg(101), None)
        await until(lambda: len(wb.texts) == 2)
        await asyncio.sleep(0.1)
        assert wb.seqs() == [100, 101]
        assert b.dropped == 1
        await close_all(old, new, b)

    run(body())


def test_inputs_reach_the_owner_in_order_through_the_stream(redis_url):
    async def body():
        owner, b, c = [await bus(redis_url, t) for t in ("A", "B", "C")]
        for i in range(20):
            await (b if i % 2 else c).send_input("arena", f"in{i}")
        # the owner was not reading (a failover gap): nothing is lost, it reads from the start
        got = await owner.read_inputs("arena", after="0", block_ms=100)
        assert [t for _, t in got] == [f"in{i}" for i in range(20)]
        last = got[-1][0]
        assert await owner.read_inputs("arena", after=last, block_ms=50) == []
        await b.send_input("arena", "later")
        assert [t for _, t in await owner.read_inputs("arena", after=last)] == ["later"]
        await close_all(owner, b, c)

    run(body())


def test_a_redis_restart_is_a_gap_then_delivery_resumes():
    async def body(server):
        a, b = await bus(server.url, "A"), await bus(server.url, "B")
        wa, wb = Window(), Window()
        a.subscribe("arena", wa)
        b.subscribe("arena", wb)
        await asyncio.sleep(0.2)
        a.publish("arena", msg(1), None)
        await until(lambda: wb.texts)
        await asyncio.to_thread(server.restart)
        a.publish("arena", msg(2), None)  # local window still served while Redis is away
        await until(lambda: len(wa.texts) == 2)
        seq = 3

        def resumed():
            return any(json.loads(t)["seq"] >= 3 for t in wb.texts)

        for _ in range(200):  # publish until B has subscribed again and hears it
            a.publish("arena", msg(seq), None)
            seq += 1
            await asyncio.sleep(0.05)
            if resumed():
                break
        assert resumed()
        seqs = wb.seqs()
        assert seqs == sorted(seqs)  # a gap, never a step back
        await close_all(a, b)

    with RedisProcess() as server:
        run(body(server), timeout=40)
