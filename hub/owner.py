"""The ownership loop of a hub process in ``--redis`` mode: which rooms' games run here.

Every ``TTL/3`` (0.5 s) and as soon as a room gets its first client here:

- a room with clients here (players or windows) and no owner is taken (``store.acquire``):
  restored from its last snapshot in Redis, ``seq`` raised past the last one any window saw,
  and its input stream read from a little before the snapshot (so a controller that came back
  during the gap is not missed; repeats are harmless);
- a room we own is renewed and its snapshot written (fenced: only while the lease is ours).
  The moment the lease is not held by our own clock, or a renewal says another process has it,
  the room stops running here (``SharedRoom.lose``) and its players here are offered to the
  next owner;
- a room owned elsewhere whose epoch changed gets our local players announced to the new owner.

Redis trouble (docs/scaling.md, "Redis trouble while serving"): a room we own keeps running for
the clients on this process while Redis cannot be reached (if Redis is down for everyone, no
process can take it from us meanwhile). When Redis answers again we renew, or take the room
again if the restarted Redis forgot the lease, or give it up if another process got it first
(a split): then our windows follow the new owner's game from a ``seq`` past everything they saw
(``_lose``). Rooms owned elsewhere pause here; once Redis is back, our players are announced
to their owners again, with fresh press baselines.
"""

import asyncio
import json
import logging
import time

from .busops import last_seq
from .logs import event
from .redisstore import LEASE_TTL_MS, RedisUnavailable, room_key
from .registry import Registry
from .sharedroom import SharedRoom

REPLAY_MS = 2000  # a new owner reads inputs from this long before the snapshot was saved
OWNER_RETURN_S = 3.0  # a room we heard an owner for is not started empty before this


class Ownership:
    def __init__(self, state, store, bus, period=LEASE_TTL_MS / 3000):
        self.state, self.store, self.bus, self.period = state, store, bus, period
        bus.may_publish = self._may_publish
        self.readers: dict[str, asyncio.Task] = {}
        self.epochs: dict[str, int] = {}  # room -> last epoch seen (owned or not)
        self.owned: dict[str, SharedRoom] = {}
        self.wake = asyncio.Event()
        self.redis_ok = True
        self.following: set[str] = set()
        self.back_at = float("-inf")  # when Redis last came back (monotonic)
        self.on_back = None  # on_back(): a step succeeded (after Redis trouble: all settled)
        self.registry = Registry(store)  # the cluster's rooms (hub/registry.py)

    def forward(self, room: str, op: dict):
        if op["op"] == "input" and not (self.redis_ok and self.store.up):
            return  # cut off: lost now, not replayed late (``rejoin`` then sets a new baseline)
        op["p"] = self.store.token
        if room not in self.following:  # listen first: the owner may answer about the client
            self.bus.follow(room)
            self.following.add(room)
        self.bus.forward(room, json.dumps(op, separators=(",", ":")))
        if room not in self.owned:
            self.wake.set()  # a client for a room nobody may own yet: try at once

    def on_seen(self, room_name: str, entries):
        room = self.state.rooms.get(room_name)
        if isinstance(room, SharedRoom) and not room.owned:
            room.last_heard = time.monotonic()
            seq = last_seq(entries) or 0
            states = [t for k, t in entries if k == "state"]
            created = [json.loads(t)["player"] for _, t in entries if '"create_player"' in t]
            room.seen(seq, states[-1] if states else None, created)

    async def run(self):
        while True:
            try:
                await self.step()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug must not stop ownership; the next pass tries again
                logging.getLogger("hub").exception("ownership_step_failed")
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), self.period)
            except TimeoutError:
                pass

    async def step(self):
        for name, room in list(self.owned.items()):
            if self.state.rooms.get(name) is not room:  # the room ended here
                await self._end(name)
                await self._release(name, room)
        self._follow()
        await self.registry.sync(self.state, time.monotonic())  # says nothing of Redis trouble
        try:
            await self.store.ping()  # the link state (windows, /healthz) stays true when idle
            for name, room in list(self.state.rooms.items()):
                if not isinstance(room, SharedRoom):
                    continue
                if room.owned:
                    await self._keep(name, room)
                elif room.local_seats() or self.state.watching.get(name):
                    await self._try_take(name, room)
        except RedisUnavailable:
            if self.redis_ok:
                event("redis_rooms_degraded", logging.WARNING, owned=sorted(self.owned),
                      serving="rooms owned here keep running for this process's clients; "
                      "rooms owned elsewhere pause here until Redis is back",
                      fix="restart redis-server; the hub reconnects by itself")  # fmt: skip
            self.redis_ok = False
            return
        if not self.redis_ok:
            event("redis_rooms_back", rooms=len(self.owned))
            self.back_at = time.monotonic()
            self.redis_ok = True
            t = time.time() * 1000
            for room in self.state.rooms.values():
                if isinstance(room, SharedRoom) and not room.owned:
                    room.rejoin(t)  # what we forwarded meanwhile was lost: tell the owner again
        if self.on_back is not None:
            self.on_back()

    def link_down(self):
        """The link to Redis is gone: players connected to other processes cannot reach the rooms
        we run any more, so they stand still instead of walking on with their last stick."""
        for room in self.owned.values():
            room.stop_remote()

    def _follow(self):
        """Listen to every room this process has a room object for, windows or not: a
        controller here is welcomed when the owner's messages show its slot."""
        rooms = set(self.state.rooms)
        for name in rooms - self.following:
            self.bus.follow(name)
        for name in self.following - rooms:
            self.bus.unfollow(name)
        self.following = rooms

    async def _keep(self, name, room):
        lease = room.lease
        if await self.store.renew(lease):
            await self.store.save_snapshot(lease, room.dump(time.time() * 1000))
            await self.registry.keep(lease, room.summary())
            return
        # Not renewed: expired, taken, or forgotten by a restarted Redis. Try to keep it.
        again = await self.store.acquire(name, min_epoch=lease.epoch)
        if again is not None:
            room.lease = again
            self.bus.epochs[name] = self.epochs[name] = again.epoch
            event("room_lease_retaken", room=name, epoch=again.epoch)
            return
        self._lose(name, room, "another process owns it now")

    def check_held(self):
        """Called from the game clock: stop a room whose lease ran out by our own clock."""
        now = time.monotonic()
        if not (self.redis_ok and self.store.up):
            return  # Redis trouble: keep serving this process's clients (module docstring)
        for name, room in list(self.owned.items()):
            if room.lease is not None and not room.lease.held(now):
                self._lose(name, room, "lease not renewed in time")

    def _may_publish(self, name) -> bool:
        """Only a room whose lease we hold by our own clock goes to Redis: after a split, the
        game we kept running for our own clients never reaches the other processes."""
        room = self.owned.get(name)
        return room is not None and room.lease is not None and room.lease.held(time.monotonic())

    def _lose(self, name, room, why):
        floor = room.seq  # our windows saw our messages up to here
        room.lose()
        room.last_heard = time.monotonic()  # the next owner gets the usual time to speak
        # The new owner's seq may be behind ours (a split: both ran the room). Our windows get
        # its messages once they are past what they saw, and it is asked to jump past it.
        self.bus.floors[name] = floor
        self.forward(name, {"op": "seq_floor", "seq": floor})
        self.owned.pop(name, None)
        self.bus.epochs.pop(name, None)
        reader = self.readers.pop(name, None)
        if reader is not None:
            reader.cancel()
        event("room_lost", logging.WARNING, room=name, why=why)

    async def _try_take(self, name, room):
        known = self.epochs.get(name, 0)
        if known and self._owner_may_return(room) and not await self.store.has_snapshot(name):
            # A restarted Redis lost the snapshot and the lease, but the owner we heard may be
            # alive with the whole game: leave it the time to take the room back. Not even a
            # moment's lease: the owner, finding the room held, would give its game up.
            return
        lease = await self.store.acquire(name, min_epoch=known)
        if lease is None:
            epoch = int(await self.store._call("epoch", self.store.r.get(room_key(name, "epoch")))
                        or 0)  # fmt: skip
            if epoch != known:
                self.epochs[name] = epoch
                room.announce_local(time.time() * 1000)
            return
        snap = await self.store.load_snapshot(name)
        if snap is None and known and self._owner_may_return(room):  # (gone meanwhile)
            await self.store.release(lease)
            return
        if snap is not None and snap.get("epoch"):
            lease = await self.store.acquire(name, min_epoch=snap["epoch"]) or lease
        seq = int(await self.store._call("seq", self.store.r.get(room_key(name, "seq"))) or 0)
        now, t = time.monotonic(), time.time() * 1000
        room.take(lease, snap, seq, now, t)
        self.bus.floors.pop(name, None)
        self.owned[name] = room
        self.bus.epochs[name] = self.epochs[name] = lease.epoch
        start = (snap["saved_at"] if snap else t) - REPLAY_MS
        self.readers[name] = asyncio.get_running_loop().create_task(
            self._read(name, room, f"{max(0, int(start))}-0")
        )
        await self.store.save_snapshot(lease, room.dump(t))
        await self.registry.keep(lease, room.summary())
        event("room_taken", room=name, epoch=lease.epoch, restored=snap is not None,
              players=len(room.seats), seq=room.seq)  # fmt: skip

    async def _end(self, name):
        try:
            if await self.registry.end(name):
                event("room_ended", room=name)
        except RedisUnavailable:
            pass  # its info expires by itself

    def _owner_may_return(self, room) -> bool:
        quiet = time.monotonic() - max(room.last_heard, self.back_at)
        return quiet < OWNER_RETURN_S

    async def _read(self, name, room, after):
        """Apply the ops other processes forward, in stream order, while we own the room."""
        while room.owned:
            try:
                items = await self.bus.read_inputs(name, after, block_ms=200)
            except RedisUnavailable:
                await asyncio.sleep(0.2)
                continue
            for entry_id, text in items:
                after = entry_id
                try:
                    op = json.loads(text)
                    if op.get("p") == self.store.token or not room.owned:
                        continue
                    room.apply_op(op["p"], op, time.monotonic(), time.time() * 1000)
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    event("redis_bad_op", logging.WARNING, room=name, error=str(exc))

    async def _release(self, name, room):
        self.owned.pop(name, None)
        self.bus.epochs.pop(name, None)
        reader = self.readers.pop(name, None)
        if reader is not None:
            reader.cancel()
        if room.lease is not None:
            try:
                await self.store.release(room.lease)
            except RedisUnavailable:
                pass  # it expires by itself
        room.lose()

    async def close(self):
        """Clean shutdown: write each owned room's snapshot and free it for the others."""
        for reader in self.readers.values():
            reader.cancel()
        for name, room in list(self.owned.items()):
            try:
                await self.store.save_snapshot(room.lease, room.dump(time.time() * 1000))
            except RedisUnavailable:
                pass
            await self._release(name, room)
