"""The bus between hub processes: a room's messages through Redis pub/sub, inputs through a
stream, the latest state in a key.

Room messages (owner -> every process's windows): **pub/sub, one channel per room**
(``blinkshot:room:{NAME}:out``). The room's owner is its only publisher and Redis hands one
channel's messages to every subscriber in publish order, so every window on every process sees
the same ``seq`` order. It is the lowest-latency path Redis has, and what it cannot do (replay
to a subscriber that was away) costs nothing here: the full state follows at ``--state-hz``.
Only processes with windows in the room subscribe. What one event-loop pass publishes goes out
as one Redis message (a batch), like ``LocalBus``'s one frame per pass.

Each message carries the publisher's token and lease epoch. A process drops its own messages
(its local windows already had them, directly) and any message whose epoch is lower than the
highest it has seen for the room: an owner that was paused past its lease cannot push older
state into windows that already follow its successor.

Latest state (late joiners): with every batch that holds a ``state`` entry the publisher also
writes that entry to ``blinkshot:room:{NAME}:state``; ``latest_state(room)`` reads it, so a
window joining on any process gets the full state at once.

Inputs (any process -> the owner): **a stream per room** (``blinkshot:room:{NAME}:in``,
``XADD`` with an approximate ``MAXLEN``). Pub/sub would drop inputs whenever no owner is
listening, which is exactly the failover gap; a stream keeps them, and a new owner reads on from
the last id it saw. ``send_input`` appends; ``read_inputs`` is the owner's blocking read.

Limits: a Redis message is one batch; a subscriber that cannot keep up is buffered by Redis up to
its ``client-output-buffer-limit pubsub`` and then disconnected, after which this bus subscribes
again and its windows see a gap (the next state repairs it).

The parts: ``busops`` encodes what goes on a channel, ``redissub`` subscribes and delivers,
``redissend`` publishes and carries inputs; ``RedisBus`` holds their state.
"""

import asyncio

from .bus import LocalBus
from .redissend import RedisSender
from .redisstore import RedisStore
from .redissub import RedisSubscriber


class RedisBus(RedisSubscriber, RedisSender, LocalBus):
    """``Bus`` over Redis. ``store``: a connected ``RedisStore`` (its client and token are used).
    ``epochs`` maps a room this process owns to its lease epoch (the ownership loop keeps it);
    ``deliver_all``: see ``bus.Windows``."""

    def __init__(self, store: RedisStore, deliver_all=None, schedule=None):
        super().__init__(schedule, deliver_all)  # local windows and the per-pass batching
        self.store = store
        self.token = store.token
        self.epochs: dict[str, int] = {}
        self.seen_epoch: dict[str, int] = {}  # highest epoch received per room
        self.received = self.dropped = 0
        self._pubsub = store.r.pubsub(ignore_subscribe_messages=True)
        self._channels: set[str] = set()  # channels we mean to be subscribed to
        self.gap = False  # the subscription is broken (Redis trouble) and not yet made again
        self.subscribed: set[str] = set()  # channels whose SUBSCRIBE went out
        self._changes: asyncio.Queue | None = None
        self._task: asyncio.Task | None = None
        self.followed: set[str] = set()
        self.on_seen = None  # on_seen(room, entries): what arrived from another process
        self.on_op = None  # on_op(room, op): an op another process sent to this one
        self.ops: dict[str, list[dict]] = {}  # room -> ops to send after this pass's batch
        self.backlog_of = lambda room: None  # room -> its Backlog while owned here (cluster.py)
        self.backlog_sent: dict[str, int] = {}  # room -> backlog version last sent
        self.inbox: list[tuple[str, str]] = []  # (room, op text) not yet appended to streams
        self._forwarder: asyncio.Task | None = None
        self.outbox: list[tuple[dict, dict]] = []  # (batches, ops) of passes not yet sent
        self._sender: asyncio.Task | None = None
        self.may_publish = lambda room: True  # the ownership loop: is the room's lease held?
        self.delivered: dict[str, int] = {}  # room -> last seq handed to windows from Redis
        # room -> seq our windows already saw from a game we ran ourselves (hub/owner.py _lose):
        # the new owner's messages reach them only past it
        self.floors: dict[str, int] = {}

    async def close(self):
        tasks = [t for t in (self._task, self._sender, self._forwarder) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await self._pubsub.aclose()
        except Exception:
            pass
