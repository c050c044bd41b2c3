"""The Redis store against a real redis-server: leases, fencing, snapshots, the shared code,
and Redis going away and coming back."""

import asyncio
import json
import logging
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hubkit import run
from redisproc import RedisProcess

from hub import game as rules
from hub import snapshot
from hub.redisstore import Lease, RedisStore, RedisUnavailable, check_url, room_key, safe_url
from hub.registry import Registry
from hub.rooms import Room

HERE = Path(__file__).resolve().parent


def make_room(name="default"):
    room = Room(name, lambda m, k: None, lambda *a: None, game=rules.Game(rng=random.Random(3)))
    room.attach("c-a4cf12fe0b1c", "controller", "Ada", "conn", 0)
    room.game.players["c-a4cf12fe0b1c"].score = 4
    return room


# URLs (no Redis needed) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["redis://127.0.0.1:6379/0", "redis://localhost", "rediss://u:p@h:1/2", "unix:///run/r.sock"],
)
def test_good_urls_pass(url):
    assert check_url(url) is None


@pytest.mark.parametrize(
    "url,problem",
    [
        ("http://127.0.0.1:6379", "not a Redis URL (scheme 'http')"),
        ("127.0.0.1:6379", "not a Redis URL"),
        ("redis://:6379/0", "the host is missing"),
        ("redis://h:99999/0", "not a URL"),
        ("redis://h:6379/zero", "must be a number"),
        ("unix://", "needs the socket's path"),
    ],
)
def test_bad_urls_say_what_is_wrong_and_show_a_good_one(url, problem):
    text = check_url(url)
    assert problem in text and "redis://127.0.0.1:6379/0" in text


def test_passwords_never_reach_log_lines():
    assert safe_url("redis://me:s3cret@h:6379/0") == "redis://me:***@h:6379/0"
    assert safe_url("redis://h:6379/0") == "redis://h:6379/0"


# Start-up ----------------------------------------------------------------------------------------


def test_unreachable_redis_is_one_error_with_the_address_and_the_fix(redis_server):
    from redisproc import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"

    async def body():
        with pytest.raises(RedisUnavailable) as err:
            await RedisStore.connect(url)
        return str(err.value)

    text = run(body())
    assert url in text and "apt-get install redis-server" in text and "\n" not in text


def test_a_redis_that_wants_a_password_says_how_to_give_one():
    with RedisProcess("--requirepass", "s3cret") as server:
        wrong = server.url.replace("redis://", "redis://:guess@")

        async def body():
            errors = []
            for url in (server.url, wrong):
                with pytest.raises(RedisUnavailable) as err:
                    await RedisStore.connect(url)
                errors.append(str(err.value))
            good = await RedisStore.connect(server.url.replace("redis://", "redis://:s3cret@"))
            pong = await good.r.ping()
            await good.close()
            return errors, pong

        errors, pong = run(body())
    assert pong is True
    for text in errors:
        assert "refused this hub" in text and "redis://:PASSWORD@HOST:PORT/DB" in text
        assert "guess" not in text  # the URL in the message has no password


# Leases ------------------------------------------------------------------------------------------


def test_many_clients_racing_for_a_free_room_give_exactly_one_owner(redis_url):
    async def body():
        stores = [RedisStore(redis_url) for _ in range(8)]
        leases = await asyncio.gather(*(s.acquire("arena") for s in stores))
        winners = [lease for lease in leases if lease is not None]
        owner = await stores[0].owner("arena")
        for s in stores:
            await s.close()
        return winners, owner

    winners, owner = run(body())
    assert len(winners) == 1 and winners[0].epoch == 1 and owner == winners[0].token


def test_two_processes_racing_for_one_room_never_both_own_it(redis_url):
    import redis as sync_redis

    client = sync_redis.Redis.from_url(redis_url)
    cmd = [sys.executable, str(HERE / "lease_racer.py"), redis_url, "arena", "300"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        for _ in range(500):  # both connected and waiting before the start
            if int(client.get("race:ready") or 0) == 2:
                break
            time.sleep(0.01)
        client.set("race:go", 1)
        wins = [int(p.communicate(timeout=60)[0]) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    violations = client.lrange("race:violations", 0, -1)
    epoch = int(client.get(room_key("arena", "epoch")))
    client.close()
    assert violations == []
    assert all(w > 0 for w in wins), wins  # both won sometimes: they really raced
    assert epoch == sum(wins)  # every win was a new owner, numbered


def test_an_unrenewed_lease_expires_and_another_process_takes_over(redis_url):
    async def body():
        a = RedisStore(redis_url, ttl_ms=10_000)
        b = RedisStore(redis_url, ttl_ms=10_000)
        la = await a.acquire("arena")
        assert await b.acquire("arena") is None
        await a.r.pexpire(room_key("arena", "lease"), 200)  # A stops renewing: it runs out
        lb = None
        for _ in range(200):  # generous: only a hang fails this
            lb = await b.acquire("arena")
            if lb:
                break
            await asyncio.sleep(0.02)
        result = (la, lb, await a.renew(la), await a.release(la), await b.owner("arena"))
        await a.close()
        await b.close()
        return result

    la, lb, renewed, released, owner = run(body())
    assert lb is not None and lb.epoch == la.epoch + 1
    assert not renewed and not released and not la.held(0)  # A learns it lost the room
    assert owner == lb.token  # and A's release did not free B's lease


def test_renewing_puts_the_full_ttl_back_and_keeps_others_out(redis_url):
    async def body():
        a = RedisStore(redis_url, ttl_ms=10_000)
        b = RedisStore(redis_url, ttl_ms=10_000)
        la = await a.acquire("arena")
        key = room_key("arena", "lease")
        await a.r.pexpire(key, 50)  # as if almost all of the TTL had gone by
        renewed = await a.renew(la)
        left = await a.r.pttl(key)
        taken = await b.acquire("arena")
        await a.release(la)
        lb = await b.acquire("arena")  # released: free at once
        await a.close()
        await b.close()
        return renewed, left, taken, lb

    renewed, left, taken, lb = run(body())
    assert renewed and left > 5_000  # back near 10 s, not the 50 ms it had
    assert taken is None and lb is not None


def test_a_lease_counts_as_held_only_until_sent_time_plus_ttl():
    lease = Lease("arena", "token", 1, valid_until=100.0 + 1.5)  # sent at 100.0, TTL 1.5 s
    assert lease.held(101.49) and not lease.held(101.5)


def test_the_epoch_keeps_rising_even_when_redis_lost_it(redis_url):
    async def body():
        a = RedisStore(redis_url)
        first = await a.acquire("arena")
        await a.release(first)
        await a.r.delete(room_key("arena", "epoch"))  # as after a restart without persistence
        second = await a.acquire("arena", min_epoch=first.epoch + 5)
        await a.close()
        return first.epoch, second.epoch

    assert run(body()) == (1, 7)


# Snapshots ---------------------------------------------------------------------------------------


def test_snapshot_round_trip_through_redis_restores_the_room(redis_url):
    room = make_room()

    async def body():
        store = await RedisStore.connect(redis_url)
        lease = await store.acquire("default")
        room.seq = 77
        data = snapshot.dump(room, saved_at=1.0, epoch=lease.epoch)
        assert await store.save_snapshot(lease, data)
        loaded = await store.load_snapshot("default")
        await store.close()
        return data, loaded

    data, loaded = run(body())
    assert loaded == data
    fresh = Room("default", lambda m, k: None, lambda *a: None)
    snapshot.apply(fresh, loaded, now=0.0)
    seat, _ = fresh.attach("c-a4cf12fe0b1c", "controller", "", "conn", 0)
    assert seat.slot == 0 and fresh.game.players["c-a4cf12fe0b1c"].score == 4


def test_a_process_that_lost_the_room_cannot_overwrite_the_new_owners_snapshot(redis_url):
    async def body():
        a = RedisStore(redis_url, ttl_ms=200)
        b = RedisStore(redis_url, ttl_ms=200)
        la = await a.acquire("default")
        while (lb := await b.acquire("default")) is None:
            await asyncio.sleep(0.02)
        assert await b.save_snapshot(lb, snapshot.dump(make_room(), 2.0, epoch=lb.epoch))
        stale = await a.save_snapshot(la, snapshot.dump(make_room(), 1.0, epoch=la.epoch))
        kept = await b.load_snapshot("default")
        await a.close()
        await b.close()
        return stale, kept

    stale, kept = run(body())
    assert stale is False and kept["saved_at"] == 2.0


def test_a_corrupt_or_other_version_snapshot_in_redis_is_set_aside_with_one_line(redis_url, caplog):
    async def body():
        store = RedisStore(redis_url)
        await store.r.set(room_key("a", "snapshot"), "{not json")
        other = snapshot.dump(make_room("b"), 0)
        other["version"] = 9
        await store.r.set(room_key("b", "snapshot"), json.dumps(other))
        got = [await store.load_snapshot("a"), await store.load_snapshot("b")]
        keys = sorted(await store.r.keys("*set-aside*"))
        await store.close()
        return got, keys

    with caplog.at_level(logging.WARNING, logger="hub"):
        got, keys = run(body())
    assert got == [None, None]
    assert keys[0].startswith("blinkshot:room:{a}:snapshot:set-aside:corrupt-")
    assert keys[1].startswith("blinkshot:room:{b}:snapshot:set-aside:version-9-")
    lines = [r.getMessage() for r in caplog.records if "set_aside" in r.getMessage()]
    assert len(lines) == 2 and "version 9, this hub reads 1" in lines[1]


# Pairing code and rooms --------------------------------------------------------------------------


def test_the_first_process_sets_the_shared_code_and_later_ones_take_it(redis_url):
    async def body():
        a, b = RedisStore(redis_url), RedisStore(redis_url)
        first = await a.ensure_code("111111")
        second = await b.ensure_code("222222")
        await b.set_code("333333")  # an explicit --pairing-code replaces it for everyone
        third = await a.get_code()
        await a.close()
        await b.close()
        return first, second, third

    assert run(body()) == ("111111", "111111", "333333")


def test_the_registry_lists_owned_rooms_and_forgets_ended_and_orphaned_ones(redis_url):
    import redis as sync_redis

    async def body():
        a, b = RedisStore(redis_url), RedisStore(redis_url)
        ra, rb = Registry(a), Registry(b)
        default, arena = await a.acquire("default"), await b.acquire("arena")
        assert await ra.keep(default, {"players": 1}) and await rb.keep(arena, {"players": 2})
        stolen = Lease("default", b.token, default.epoch, default.valid_until)
        assert not await rb.keep(stolen, {"players": 99})  # fenced: only the owner writes
        assert await rb.rooms() == {"default": {"players": 1}, "arena": {"players": 2}}
        await a.save_snapshot(default, snapshot.dump(make_room(), saved_at=0))
        assert not await rb.end("default")  # another process owns it: nothing is deleted
        assert await ra.end("default")
        assert await a.load_snapshot("default") is None  # opened again, it starts afresh
        assert await ra.rooms() == {"arena": {"players": 2}}
        client = sync_redis.Redis.from_url(redis_url)
        client.delete(room_key("arena", "info"))  # what expiry does when an owner died
        assert await ra.rooms() == {}
        assert client.smembers("blinkshot:rooms") == set()
        client.close()
        present = await ra.say_present({"arena": 2, "default": 0})
        assert present == {"arena": [a.token], "default": []}
        assert set((await rb.say_present({"arena": 1}))["arena"]) == {a.token, b.token}
        assert (await rb.say_present({"arena": 0}))["arena"] == [a.token]
        await a.close()
        await b.close()

    run(body())


# Redis going away --------------------------------------------------------------------------------


def test_redis_restart_is_reported_once_and_the_store_recovers(caplog):
    with RedisProcess() as server:

        async def body():
            store = await RedisStore.connect(server.url)
            lease = await store.acquire("arena")
            server.stop()
            failures = 0
            for _ in range(3):
                try:
                    await store.renew(lease)
                except RedisUnavailable:
                    failures += 1
            server.start()  # same port, empty: no persistence
            renewed = await store.renew(lease)
            again = await store.acquire("arena", min_epoch=lease.epoch)
            await store.close()
            return failures, renewed, lease, again

        with caplog.at_level(logging.INFO, logger="hub"):
            failures, renewed, lease, again = run(body())
    events = [r.getMessage().split()[0] for r in caplog.records]
    assert failures == 3
    assert events.count("redis_down") == 1 and events.count("redis_back") == 1
    assert events.index("redis_down") < events.index("redis_back")
    assert renewed is False  # the restarted Redis forgot the lease: the owner must notice
    assert again is not None and again.epoch > lease.epoch


def test_hubs_started_with_one_redis_share_one_pairing_code(redis_url):
    from hubproc import HubProcess

    with HubProcess("--redis", redis_url, code=None) as a:
        code_a = a.wait_for_output(r"pairing code: (\d{6})").group(1)
        with HubProcess("--redis", redis_url, code=None) as b:
            code_b = b.wait_for_output(r"pairing code: (\d{6})").group(1)
    assert code_a == code_b
    assert 'shared="pairing code, rooms"' in a.output() or "pairing code, rooms" in a.output()
