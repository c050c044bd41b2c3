"""A room's messages arriving from Redis: ``RedisBus``'s receiving side.

Which channels this process subscribes to (rooms with windows here, and rooms it follows), the
one listening task that applies (un)subscriptions and hands each batch to the local windows
(dropping our own and fenced-out ones, hub/redisbus.py), the stored latest state for a room's
first window here, and subscribing again after Redis trouble. A mixin: ``RedisBus.__init__``
sets up the attributes it uses.
"""

import asyncio
import json
import logging

from .bus import Window
from .busops import decode_batch, decode_ops, is_ops, last_seq
from .logs import event
from .redisstore import RedisUnavailable, room_key


class RedisSubscriber:
    """Subscriptions and delivery for ``RedisBus``."""

    # Windows of this process -------------------------------------------------------------------

    def subscribe(self, room: str, window: Window):
        first = not self.wanted(room)
        self.windows.add(room, window)
        if first:
            self._change(("sub", room))

    def unsubscribe(self, room: str, window: Window):
        self.windows.discard(room, window)
        if not self.wanted(room):
            self._change(("unsub", room))

    def follow(self, room: str):
        """Listen to ``room`` without windows here (``on_seen`` still hears it)."""
        first = not self.wanted(room)
        self.followed.add(room)
        if first:
            self._change(("sub", room))

    def unfollow(self, room: str):
        self.followed.discard(room)
        if not self.wanted(room):
            self._change(("unsub", room))

    def wanted(self, room: str) -> bool:
        return room in self.windows.rooms or room in self.followed

    def _change(self, change):
        if self._changes is None:
            self._changes = asyncio.Queue()
            self._task = asyncio.get_running_loop().create_task(self._listen())
        self._changes.put_nowait(change)

    async def _listen(self):
        """Apply (un)subscriptions and deliver what Redis sends, until closed. On Redis trouble:
        wait, connect again, subscribe again to every room that still has windows."""
        while True:
            try:
                while not self._changes.empty():
                    what, room = self._changes.get_nowait()
                    channel = room_key(room, "out")
                    if what == "sub" and self.wanted(room):
                        self._channels.add(channel)
                        await self._pubsub.subscribe(channel)
                        self.subscribed.add(channel)
                        await self._send_latest(room)
                    elif what == "unsub" and not self.wanted(room):
                        self._channels.discard(channel)
                        self.subscribed.discard(channel)
                        await self._pubsub.unsubscribe(channel)
                if not self._channels:
                    await self._changes.put(await self._changes.get())
                    continue
                msg = await self._pubsub.get_message(timeout=0.05)
                if msg is not None and msg["type"] == "message":
                    self.on_message(msg["channel"], msg["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the connection broke (Redis restart) or a bad message
                if not self.gap:  # one line per outage, however long it lasts
                    why = str(exc) or type(exc).__name__
                    event("redis_bus_gap", logging.WARNING, error=why, rooms=len(self._channels),
                          fix="windows resume from the next state")  # fmt: skip
                self.gap = True
                self.subscribed.clear()
                await asyncio.sleep(0.2)
                try:
                    await self._pubsub.aclose()
                    self._pubsub = self.store.r.pubsub(ignore_subscribe_messages=True)
                    if self._channels:
                        await self._pubsub.subscribe(*self._channels)
                        self.subscribed = set(self._channels)
                    self.gap = False
                    event("redis_bus_back", rooms=len(self._channels))
                except Exception:  # still down: try again on the next pass
                    pass

    async def _send_latest(self, room):
        """A room's first window here gets the stored latest state at once (late joiners), and
        the room learns its players' slots. Only a state newer than what the windows here have
        seen is sent: a window's ``seq`` never goes back."""
        text, lines = await self.store._call("latest_state", self.store.r.mget(
            room_key(room, "state"), room_key(room, "backlog")))  # fmt: skip
        seq = last_seq([("state", text)]) if text is not None else None
        if seq is None or not self.wanted(room) or room in self.epochs:
            return
        if seq > max(self.delivered.get(room, 0), self.floors.get(room, 0)):
            entries = [("state", text)]
            # a batch already on its way may be older than this state: the floor drops it
            self.delivered[room] = self.floors[room] = seq
            if lines is not None:  # the owner's recent chat and kill feed, for the same windows
                backlog = {"type": "backlog", "lines": json.loads(lines), "seq": seq}
                entries.append((None, json.dumps(backlog, separators=(",", ":"))))
                if self.on_op is not None:
                    self.on_op(room, {"op": "backlog", "lines": backlog["lines"]})
            if self.on_seen is not None:
                self.on_seen(room, entries)
            self.windows.deliver(room, entries)

    async def refresh(self):
        """Redis is back: every room with windows here gets the stored state, if newer."""
        for room in list(self.windows.rooms):
            try:
                await self._send_latest(room)
            except RedisUnavailable:
                return

    def on_message(self, channel: str, data: str):
        """One batch from Redis: drop our own and fenced-out ones, deliver the rest."""
        room = channel.split("{", 1)[1].rsplit("}", 1)[0]
        try:
            if is_ops(data):
                return self._on_ops(room, *decode_ops(data))
            token, epoch, entries = decode_batch(data)
        except (ValueError, TypeError) as exc:
            self.dropped += 1
            event("redis_bus_bad_message", logging.WARNING, room=room, error=str(exc))
            return
        if token == self.token:
            return
        if epoch < self.seen_epoch.get(room, 0) or room in self.epochs:
            self.dropped += 1  # fenced out, or another process's batch for a room we run
            return
        self.seen_epoch[room] = epoch
        self.received += len(entries)
        if self.on_seen is not None:
            self.on_seen(room, entries)
        floor = self.floors.get(room)
        if floor is not None:
            entries = [(k, t) for k, t in entries if (last_seq([(k, t)]) or 0) > floor]
            if not entries:
                return
            del self.floors[room]
        self.delivered[room] = last_seq(entries) or self.delivered.get(room, 0)
        self.windows.deliver(room, entries)

    def _on_ops(self, room, token, epoch, ops):
        if token == self.token or epoch < self.seen_epoch.get(room, 0):
            return
        for op in ops:
            if op.get("to") in (self.token, "*") and self.on_op is not None:
                self.on_op(room, op)

    async def latest_state(self, room: str) -> str | None:
        """The last full state published for ``room`` by any process, or None."""
        return await self.store._call("latest_state", self.store.r.get(room_key(room, "state")))
