"""``--redis`` mode wired together: the Redis bus, shared rooms and the ownership loop.

The rest of the hub does not change: sessions call their room, rooms publish to the bus. Only
which class a room is (``SharedRoom``) and which bus carries its messages (``RedisBus``) differ.
"""

import functools
import logging

from .logs import event
from .owner import Ownership
from .redisbus import RedisBus
from .redisstore import RedisStore
from .sharedroom import SharedRoom


class Cluster:
    def __init__(self, url: str, deliver_all=None):
        self.store = RedisStore(url)  # connected on first use; persist.py checked the URL
        self.bus = RedisBus(self.store, deliver_all=deliver_all)
        self.ownership = None
        self.state = None

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
        self.bus.on_seen = self.ownership.on_seen
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

    async def close(self):
        if self.ownership is not None:
            await self.ownership.close()
        await self.bus.close()
        await self.store.close()
