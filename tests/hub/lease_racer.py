"""One of several processes racing for one room's lease (test_hub_redis.py runs it).

Usage: python lease_racer.py URL ROOM ROUNDS. Waits for the key race:go, then tries ROUNDS times
to take the lease; while holding it, counts itself in race:inside and records any moment when
someone else was inside too. Prints how many times it won.
"""

import asyncio
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hub.redisstore import RedisStore  # noqa: E402


async def main(url, room, rounds):
    store = RedisStore(url, ttl_ms=10_000)  # never expires mid-hold: only NX keeps us apart
    r = store.r
    await r.incr("race:ready")
    while not await r.exists("race:go"):
        await asyncio.sleep(0.001)
    wins = 0
    for _ in range(rounds):
        lease = await store.acquire(room)
        if lease is None:
            await asyncio.sleep(random.random() / 1000)
            continue
        wins += 1
        inside = await r.incr("race:inside")
        if inside != 1:
            await r.rpush("race:violations", f"{store.token} found {inside} owners")
        await asyncio.sleep(random.random() / 2000)
        await r.decr("race:inside")
        assert await store.release(lease)
    await store.close()
    print(wins, flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
