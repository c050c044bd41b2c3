"""``--redis`` mode wired together: the Redis bus, shared rooms and the ownership loop.

The rest of the hub does not change: sessions call their room, rooms publish to the bus. Only
which class a room is (``SharedRoom``) and which bus carries its messages (``RedisBus``) differ.
"""

import asyncio
import functools
import time

from .linkstatus import status
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

    def room_class(self):
        return functools.partial(SharedRoom, forward=self._forward, later=self._later)

    def _later(self, action):
        self.state.pending.append(action)  # run by the game clock (HubState.tick)

    def _forward(self, room, op):
        self.ownership.forward(room, op)

    def attach(self, state):
        """Start owning rooms of ``state`` (a HubState built with ``room_class()``)."""
        self.state = state
        self.ownership = Ownership(state, self.store, self.bus)
        self.bus.on_seen = self.ownership.on_seen
        self.store.on_change = self._store_changed
        self.ownership.on_back = self._back
        state.link_status = self.link_status

    @property
    def up(self) -> bool:
        """Linked: Redis answers, and the ownership loop has settled every room since it came
        back (renewed, taken again, or given up to the process that took it meanwhile)."""
        return self.store.up and self.ownership.redis_ok

    def link_status(self, room, t) -> dict | None:
        """The ``status`` a window opening now gets after its welcome: only while cut off."""
        if self.up or not isinstance(room, SharedRoom):
            return None
        return status(False, room.owned, room.seq, t)

    def _store_changed(self, up: bool):
        if up:
            self.ownership.wake.set()  # settle the rooms now; _back tells the windows after
        elif self.told_up:
            self.told_up = False
            self._tell(False)
            self.ownership.link_down()

    def _back(self):
        """The ownership loop settled every room after Redis came back: tell the windows, and
        send each followed room's stored state if it is newer than what they have."""
        if not self.told_up:
            self.told_up = True
            self._tell(True)
            asyncio.get_running_loop().create_task(self.bus.refresh())

    def _tell(self, up: bool):
        """A ``status`` to every window here (hub/linkstatus.py)."""
        self.bus.flush()  # what our rooms published this pass goes first: seq stays in order
        t = time.time() * 1000
        for name in list(self.bus.windows.rooms):
            room = self.state.rooms.get(name)
            if isinstance(room, SharedRoom):
                text = encode(status(up, room.owned, room.seq, t))
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
