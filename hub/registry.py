"""The room registry of several hub processes (``--redis``): which rooms exist in the cluster,
and which processes have clients (windows or players) in each.

Keys (``{NAME}`` is the room's hash tag, so its keys stay with the room's other keys)::

    blinkshot:rooms                   set of room names
    blinkshot:room:{NAME}:info        the owner's summary of the room (players, tick, round),
                                      written every ownership pass, expires after INFO_TTL_MS
    blinkshot:room:{NAME}:clients     sorted set: process token -> until when (Redis's clock)
                                      it has clients in the room
    blinkshot:room:{NAME}:links:TOKEN the link round trip (ms) of each player connected to that
                                      process, by player id; expires with its presence

A room is listed while it has an owner: the owner writes its info (fenced by the lease, like the
snapshot) and adds the name to the set every pass. It leaves the registry when its owner ends
it, which is when it has no player left (the last one's grace is over), no window on any
process, and is not the default room: the same rule as one process, with the windows of every
process counted. The owner then deletes its info, snapshot, latest state and backlog (it starts
afresh if someone opens it again; its epoch and seq stay, so fencing and ``seq`` never go
back). A room whose owner died and that nobody took is dropped from the listing once its info
expires.

Presence is also how an owner learns that a process died: the players it held there are let go
(their grace starts) once it has not said it has clients for ``CLIENTS_TTL_MS``, as if their
connections had dropped on the owner. It is scored by Redis's own clock (``TIME`` in the
script), so no two machines' clocks are compared.
"""

import json

from .redisstore import PREFIX, RedisUnavailable, room_key
from .sharedroom import SharedRoom

INFO_TTL_MS = 3000  # six ownership passes: a live owner's info never expires
CLIENTS_TTL_MS = 2000  # a process's clients count this long after its last pass

ROOMS = f"{PREFIX}:rooms"
_INFO = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
"""
_END = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return 1
"""
_PRESENT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if tonumber(ARGV[2]) > 0 then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('ZRANGE', KEYS[1], 0, -1)
"""


class Registry:
    """The registry through a connected ``RedisStore`` (its client, token and error handling)."""

    def __init__(self, store):
        self.store = store
        self.r = store.r
        self.listing: dict[str, dict] = {}  # the cluster's rooms as of the last pass
        self.present: set[str] = set()  # rooms this process said it has clients in
        self.answering_since: float | None = float("-inf")  # Redis answers since (monotonic)
        self.rtts = lambda: {}  # room -> {player id: link round trip ms} here (the hub's links)
        self.links: dict[str, dict[str, float]] = {}  # room -> the same, from every process
        self._info = self.r.register_script(_INFO)
        self._end = self.r.register_script(_END)
        self._present = self.r.register_script(_PRESENT)

    async def keep(self, lease, summary: dict) -> bool:
        """The owner's pass: the room's info (only while ``lease`` holds) and its name."""
        keys = [room_key(lease.room, "lease"), room_key(lease.room, "info")]
        text = json.dumps(summary, separators=(",", ":"))
        args = [lease.token, text, INFO_TTL_MS]
        ok = await self.store._call("list_room", self._info(keys=keys, args=args))
        if ok:
            await self.store._call("list_room", self.r.sadd(ROOMS, lease.room))
        return bool(ok)

    async def end(self, room: str) -> bool:
        """The room ended here: unlisted, and its info, snapshot and state deleted, unless
        another process owns it by now."""
        keys = [room_key(room, k) for k in ("lease", "info", "snapshot", "state", "backlog")]
        ok = await self.store._call("end_room", self._end(keys=keys, args=[self.store.token]))
        if ok:
            await self.store._call("end_room", self.r.srem(ROOMS, room))
        return bool(ok)

    async def say_present(self, counts: dict[str, int]) -> dict[str, list[str]]:
        """Say which rooms this process has clients in (``counts``: room -> clients; 0 to
        stop); returns, per room, every process token that has clients in it now."""
        pipe = self.r.pipeline(transaction=False)
        rooms = list(counts)
        for room in rooms:
            args = [self.store.token, CLIENTS_TTL_MS if counts[room] else 0, 2 * CLIENTS_TTL_MS]
            await self._present(keys=[room_key(room, "clients")], args=args, client=pipe)
        got = await self.store.run_pipe("present", pipe) if rooms else []
        return dict(zip(rooms, got, strict=True))

    async def share_links(self, mine: dict, present: dict) -> dict[str, dict[str, float]]:
        """Write this process's players' link round trips; read every present process's, so
        each /healthz has every player's (the game page's latency panel)."""
        pipe = self.r.pipeline(transaction=False)
        for room, rtts in mine.items():
            key = f"{room_key(room, 'links')}:{self.store.token}"
            pipe.set(key, json.dumps(rtts, separators=(",", ":")), px=CLIENTS_TTL_MS)
        wanted = [(room, token) for room, tokens in present.items() for token in tokens]
        for room, token in wanted:
            pipe.get(f"{room_key(room, 'links')}:{token}")
        got = (await self.store.run_pipe("links", pipe))[len(mine) :]
        links: dict[str, dict[str, float]] = {}
        for (room, _), text in zip(wanted, got, strict=True):
            try:
                links.setdefault(room, {}).update(json.loads(text) if text else {})
            except (ValueError, TypeError):
                pass
        return links

    async def rooms(self) -> dict[str, dict]:
        """Every listed room's summary, by name; names whose info is gone are dropped."""
        names = sorted(await self.store._call("rooms", self.r.smembers(ROOMS)))
        if not names:
            return {}
        pipe = self.r.pipeline(transaction=False)
        for name in names:
            pipe.get(room_key(name, "info"))
        texts = await self.store.run_pipe("rooms", pipe)
        out, gone = {}, []
        for name, text in zip(names, texts, strict=True):
            if text is None:
                gone.append(name)
                continue
            try:
                out[name] = json.loads(text)
            except ValueError:
                gone.append(name)
        if gone:  # an owner that died and nobody took its room (a live owner adds it back)
            await self.store._call("rooms", self.r.srem(ROOMS, *gone))
        return out

    async def sync(self, state, now: float):
        """One pass of the ownership loop: say where this process has clients, learn where the
        others have theirs (an owner keeps a room with clients elsewhere, and lets go of the
        players of a process that is gone), and read the listing (a followed room shows its
        owner's summary). Redis trouble: the last listing stays, nobody is let go."""
        counts = {n: state.watching.get(n, 0) for n in set(state.rooms) | self.present}
        for name, room in state.rooms.items():
            if isinstance(room, SharedRoom):
                counts[name] += len(room.local_seats())
        try:
            present = await self.say_present(counts)
            self.listing = await self.rooms()
            self.links = await self.share_links(self.rtts(), present)
        except RedisUnavailable:
            self.answering_since = None
            return
        if self.answering_since is None:
            self.answering_since = now
        # After Redis trouble the others have not said where they are yet: nobody is gone.
        judge = now - self.answering_since >= CLIENTS_TTL_MS / 1000
        self.present = {n for n, c in counts.items() if c}
        for name, room in state.rooms.items():
            if isinstance(room, SharedRoom):
                room.info = self.listing.get(name)
                others = set(present.get(name, ())) - {self.store.token}
                room.others_present(others, now, judge)
