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
"""

import asyncio
import json
import logging

from .bus import LocalBus, Window
from .busops import decode_ops, encode_ops, is_ops
from .logs import event
from .redisstore import RedisStore, RedisUnavailable, room_key

INPUT_MAXLEN = 10_000  # per room: at 16 controllers x 100 Hz, about 6 s of inputs


def encode_batch(token: str, epoch: int, entries) -> str:
    """One Redis message: ``TOKEN EPOCH\\n`` then the entries as JSON ``[[key, text], ...]``."""
    return f"{token} {epoch}\n" + json.dumps(
        [[list(k) if isinstance(k, tuple) else k, t] for k, t in entries], separators=(",", ":")
    )


def decode_batch(data: str) -> tuple[str, int, list[tuple[object, str]]]:
    """The inverse of ``encode_batch``; ``ValueError`` for anything else."""
    head, _, body = data.partition("\n")
    token, _, epoch = head.partition(" ")
    entries = json.loads(body)
    if not isinstance(entries, list):
        raise ValueError("batch is not a list")
    out = []
    for key, text in entries:
        if not isinstance(text, str):
            raise ValueError("entry text is not a string")
        out.append((tuple(key) if isinstance(key, list) else key, text))
    return token, int(epoch), out


def last_seq(entries) -> int | None:
    """The ``seq`` of a batch's last message (every room message has one)."""
    try:
        return int(json.loads(entries[-1][1])["seq"])
    except (ValueError, KeyError, TypeError, IndexError):
        return None


class RedisBus(LocalBus):
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
                why = str(exc) or type(exc).__name__
                event("redis_bus_gap", logging.WARNING, error=why, rooms=len(self._channels),
                      fix="windows resume from the next state")  # fmt: skip
                self.subscribed.clear()
                await asyncio.sleep(0.2)
                try:
                    await self._pubsub.aclose()
                    self._pubsub = self.store.r.pubsub(ignore_subscribe_messages=True)
                    if self._channels:
                        await self._pubsub.subscribe(*self._channels)
                        self.subscribed = set(self._channels)
                except Exception:  # still down: try again on the next pass
                    pass

    async def _send_latest(self, room):
        """A room's first window here gets the stored latest state at once (late joiners), and
        the room learns its players' slots."""
        text, lines = await self.store._call("latest_state", self.store.r.mget(
            room_key(room, "state"), room_key(room, "backlog")))  # fmt: skip
        if text is not None and self.wanted(room):
            entries = [("state", text)]
            if lines is not None:  # the owner's recent chat and kill feed, for the same windows
                backlog = {"type": "backlog", "lines": json.loads(lines), "seq": last_seq(entries)}
                entries.append((None, json.dumps(backlog, separators=(",", ":"))))
                if self.on_op is not None:
                    self.on_op(room, {"op": "backlog", "lines": backlog["lines"]})
            if self.on_seen is not None:
                self.on_seen(room, entries)
            self.windows.deliver(room, entries)

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
        if epoch < self.seen_epoch.get(room, 0):
            self.dropped += 1
            return
        self.seen_epoch[room] = epoch
        self.received += len(entries)
        if self.on_seen is not None:
            self.on_seen(room, entries)
        self.windows.deliver(room, entries)

    def _on_ops(self, room, token, epoch, ops):
        if token == self.token or epoch < self.seen_epoch.get(room, 0):
            return
        for op in ops:
            if op.get("to") in (self.token, "*") and self.on_op is not None:
                self.on_op(room, op)

    # Publishing (the owner) --------------------------------------------------------------------

    # publish() is LocalBus's: one batch per room per event-loop pass.

    def tell(self, room: str, op: dict):
        """Send ``op`` to the process ``op["to"]`` on the room's channel, after this pass's
        messages (so a controller's feedback follows the hit that caused it); windows never see
        it. Only a process that follows the room hears it, which any process with a client in
        the room does."""
        self.ops.setdefault(room, []).append(op)
        self.flush_soon()

    def flush(self):
        """Deliver this pass's batches to local windows at once, and send them to Redis."""
        pending, ops = self.pending, self.ops
        self.ops = {}
        super().flush()
        for room in pending:  # an owned room's backlog that moved goes to every follower
            backlog = self.backlog_of(room)
            if backlog is not None and backlog.version != self.backlog_sent.get(room):
                self.backlog_sent[room] = backlog.version
                op = {"op": "backlog", "to": "*", "lines": list(backlog.lines)}
                ops.setdefault(room, []).append(op)
        if pending or ops:
            self.outbox.append((pending, ops))
            if self._sender is None or self._sender.done():
                self._sender = asyncio.get_running_loop().create_task(self._send_all())

    async def _send_all(self):
        """The one sender: batches leave in publish order, each pass's in one pipeline on one
        connection (concurrent pipelines on pooled connections could overtake each other)."""
        while self.outbox:
            passes, self.outbox = self.outbox, []
            pipe = self.store.r.pipeline(transaction=False)
            for pending, ops in passes:
                for room, entries in pending.items():
                    epoch = self.epochs.get(room, 0)
                    pipe.publish(room_key(room, "out"), encode_batch(self.token, epoch, entries))
                    state = [t for k, t in entries if k == "state"]
                    if state:
                        pipe.set(room_key(room, "state"), state[-1])
                    seq = last_seq(entries)
                    if seq is not None:  # a new owner starts past it (windows never go back)
                        pipe.set(room_key(room, "seq"), seq)
                for room, items in ops.items():
                    epoch = self.epochs.get(room, 0)
                    pipe.publish(room_key(room, "out"), encode_ops(self.token, epoch, items))
                    for op in items:
                        if op["op"] == "backlog":  # for a process's first window (_send_latest)
                            pipe.set(room_key(room, "backlog"), json.dumps(op["lines"]))
            try:
                await self.store._call("publish", pipe.execute())
            except RedisUnavailable:
                pass  # said once by the store (redis_down); local windows were served already

    async def idle(self):
        """Wait until everything published so far has been handed to Redis (tests, shutdown)."""
        while self.outbox or (self._sender is not None and not self._sender.done()):
            await asyncio.sleep(0.005)

    async def latest_state(self, room: str) -> str | None:
        """The last full state published for ``room`` by any process, or None."""
        return await self.store._call("latest_state", self.store.r.get(room_key(room, "state")))

    # Inputs to the owner -----------------------------------------------------------------------

    def forward(self, room: str, text: str):
        """Append ``text`` to the room's stream soon, in call order (one sender, pipelined)."""
        self.inbox.append((room, text))
        if self._forwarder is None or self._forwarder.done():
            self._forwarder = asyncio.get_running_loop().create_task(self._forward_all())

    async def _forward_all(self):
        while self.inbox:
            items, self.inbox = self.inbox, []
            await self._until_listening({room for room, _ in items})
            pipe = self.store.r.pipeline(transaction=False)
            for room, text in items:
                pipe.xadd(room_key(room, "in"), {"m": text}, maxlen=INPUT_MAXLEN, approximate=True)
            try:
                await self.store._call("forward", pipe.execute())
            except RedisUnavailable:
                pass  # lost: the owner is unreachable too; presses are counters, moves repeat

    async def _until_listening(self, rooms, limit_s=1.0):
        """Ops for a room wait until this process has subscribed to its channel (a follower's
        first client there): the owner's answer about that client (a full room, a replaced
        connection) must not be published before anyone here hears it."""
        for _ in range(int(limit_s / 0.005)):
            if all(room_key(r, "out") in self.subscribed for r in rooms if self.wanted(r)):
                return
            await asyncio.sleep(0.005)

    async def send_input(self, room: str, text: str) -> str:
        """Append one input (encoded by the caller) to the room's stream; its entry id."""
        key = room_key(room, "in")
        return await self.store._call(
            "send_input", self.store.r.xadd(key, {"m": text}, maxlen=INPUT_MAXLEN, approximate=True)
        )

    async def read_inputs(self, room: str, after: str = "$", block_ms: int = 100):
        """Inputs appended after entry id ``after`` (``$``: from now), waiting up to
        ``block_ms``: a list of ``(id, text)``, empty when none came."""
        key = room_key(room, "in")
        got = await self.store._call(
            "read_inputs", self.store.r.xread({key: after}, block=block_ms, count=1000)
        )
        return [(i, f["m"]) for _, items in got or () for i, f in items]

    async def close(self):
        tasks = [t for t in (self._task, self._sender, self._forwarder) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await self._pubsub.aclose()
        except Exception:
            pass
