"""``--redis`` mode wired together: the Redis bus, shared rooms and the ownership loop.

The rest of the hub does not change: sessions call their room, rooms publish to the bus. Only
which class a room is (``SharedRoom``) and which bus carries its messages (``RedisBus``) differ.

It also says when a window's game is not live here (hub/linkstatus.py): this process cut off
from Redis (told when the store's first command fails, and "live" again only once the ownership
loop has settled every room), or a followed room's owner silent (checked every game tick).
/healthz reads ``up``.
"""

import asyncio
import functools
import logging
import math
import time

from .linkstatus import game_of, silent_after, status
from .logs import event
from .owner import Ownership
from .redisbus import RedisBus
from .redisstore import RedisStore, safe_url
from .relay import encode
from .sharedroom import SharedRoom


class Cluster:
    def __init__(self, url: str, deliver_all=None):
        self.store = RedisStore(url)  # connected on first use; persist.py checked the URL
        self.bus = RedisBus(self.store, deliver_all=deliver_all)
        self.ownership = None
        self.state = None
        self.told_up = True  # what the windows were last told about the link
        self.silent: set[str] = set()  # followed rooms whose windows were told: owner silent

    def room_class(self):
        return functools.partial(
            SharedRoom, forward=self._forward, tell=self.bus.tell, later=self._later
        )

    def _later(self, action):
        self.state.pending.append(action)  # run by the game clock (HubState.tick)

    def _forward(self, room, op):
        self.ownership.forward(room, op)

    def attach(self, state):
        """Start owning rooms of ``state`` (a HubState built with ``room_class()``)."""
        self.state = state
        self.ownership = Ownership(state, self.store, self.bus)
        self.store.on_change = self._store_changed
        self.ownership.on_back = self._settled
        self.bus.on_seen = self._seen
        state.link_status = self.link_status
        self.bus.on_op = self._told
        self.bus.backlog_of = self._backlog_of

    def _backlog_of(self, room_name):
        room = self.state.rooms.get(room_name)
        return room.backlog if isinstance(room, SharedRoom) and room.owned else None

    def _told(self, room_name, op):
        room = self.state.rooms.get(room_name)
        if isinstance(room, SharedRoom):
            try:
                room.told(op)
            except (KeyError, ValueError, TypeError) as exc:
                event("redis_bad_op", logging.WARNING, room=room_name, error=str(exc))

    @property
    def up(self) -> bool:
        """Linked: Redis answers, and the ownership loop has settled every room since it came
        back (renewed, taken again, or given up to the process that took it meanwhile)."""
        return self.store.up and self.ownership.redis_ok

    def link_status(self, room, t) -> dict | None:
        """The ``status`` a window opening now gets after its welcome: only while its game is
        not live here (cut off, or the room's owner not answering)."""
        if not isinstance(room, SharedRoom):
            return None
        game = game_of(self.up, room.owned, room.name in self.silent)
        return None if game == "live" else status(self.up, game, room.seq, t)

    def tick(self):
        """Every game tick: stop rooms whose lease ran out; tell the windows of a followed room
        whose owner stopped answering (killed or stalled: another process takes it soon)."""
        self.ownership.check_held()
        if not self.told_up:
            return
        now = time.monotonic()
        for name in list(self.bus.windows.rooms):
            room = self.state.rooms.get(name)
            if not isinstance(room, SharedRoom) or room.owned or name in self.silent:
                continue
            heard = room.last_heard  # -inf until an owner was heard: nothing to miss yet
            if math.isfinite(heard) and now - heard > silent_after(room.state_hz):
                self.silent.add(name)
                self._tell_room(name, room, True)

    def _seen(self, name, entries):
        self.ownership.on_seen(name, entries)
        if name in self.silent:  # its owner (or a new one) speaks again: after this batch
            self.silent.discard(name)
            asyncio.get_running_loop().call_soon(self._owner_back, name)

    def _owner_back(self, name):
        if self.told_up:  # (if the link went down meanwhile, the windows were told that)
            self._tell_room(name, None, True)

    def _store_changed(self, up: bool):
        if up:
            self.ownership.wake.set()  # settle the rooms now; _settled tells the windows after
        elif self.told_up:
            self.told_up = False
            self.silent.clear()  # the link status says more
            self._tell(False)
            self.ownership.link_down()

    def _settled(self):
        """The ownership loop settled every room: after Redis trouble, tell the windows, and
        send each followed room's stored state if it is newer than what they have. A room
        whose owner was silent and that we now run is live again."""
        if not self.told_up:
            self.told_up = True
            now = time.monotonic()
            for room in self.state.rooms.values():  # the owners get the usual time to speak
                if isinstance(room, SharedRoom) and not room.owned:
                    room.last_heard = max(room.last_heard, now)
            self._tell(True)
            asyncio.get_running_loop().create_task(self.bus.refresh())
        for name in [n for n in self.silent if n in self.ownership.owned]:
            self.silent.discard(name)
            self._tell_room(name, None, True)

    def _tell(self, up: bool):
        """A ``status`` to every window here (hub/linkstatus.py)."""
        self.bus.flush()  # what our rooms published this pass goes first: seq stays in order
        for name in list(self.bus.windows.rooms):
            self._tell_room(name, None, up, flushed=True)

    def _tell_room(self, name, room, up, flushed=False):
        room = room or self.state.rooms.get(name)
        if not isinstance(room, SharedRoom):
            return
        if not flushed:
            self.bus.flush()
        game = game_of(up, room.owned, name in self.silent)
        text = encode(status(up, game, room.seq, time.time() * 1000))
        self.bus.windows.deliver(name, [(None, text)])

    def describe(self, detail: bool) -> dict:
        """/healthz's ``redis`` part: whether this process reaches Redis, since when."""
        doc = {"up": self.up, "for_s": round(time.monotonic() - self.store.changed_at, 1)}
        if self.ownership is not None:
            doc["rooms_run_here"] = len(self.ownership.owned)
        if detail:
            doc["url"] = safe_url(self.store.url)
        return doc

    async def close(self):
        if self.ownership is not None:
            await self.ownership.close()
        await self.bus.close()
        await self.store.close()
