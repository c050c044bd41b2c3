"""What a hub process sends to Redis: ``RedisBus``'s sending side.

The owner's batches and ops leave in publish order from one sender task, each event-loop pass
in one pipeline, with the room's latest state, ``seq`` and backlog written beside them; inputs
for a room's owner are appended to the room's stream, in call order, by one forwarder task;
the owner reads that stream (``read_inputs``). A mixin: ``RedisBus.__init__`` sets up the
attributes it uses.
"""

import asyncio
import json

from .busops import encode_batch, encode_ops, last_seq
from .redisstore import RedisUnavailable, room_key

INPUT_MAXLEN = 10_000  # per room: at 16 controllers x 100 Hz, about 6 s of inputs


class RedisSender:
    """Publishing and inputs for ``RedisBus``."""

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
                    if not self.may_publish(room):
                        continue
                    epoch = self.epochs.get(room, 0)
                    pipe.publish(room_key(room, "out"), encode_batch(self.token, epoch, entries))
                    state = [t for k, t in entries if k == "state"]
                    if state:
                        pipe.set(room_key(room, "state"), state[-1])
                    seq = last_seq(entries)
                    if seq is not None:  # a new owner starts past it (windows never go back)
                        pipe.set(room_key(room, "seq"), seq)
                for room, items in ops.items():
                    if not self.may_publish(room):
                        continue
                    epoch = self.epochs.get(room, 0)
                    pipe.publish(room_key(room, "out"), encode_ops(self.token, epoch, items))
                    for op in items:
                        if op["op"] == "backlog":  # for a process's first window (_send_latest)
                            pipe.set(room_key(room, "backlog"), json.dumps(op["lines"]))
            if not len(pipe):
                continue  # nothing of ours to send: no round trip (it would pass for one)
            try:
                await self.store.run_pipe("publish", pipe)
            except RedisUnavailable:
                pass  # said once by the store (redis_down); local windows were served already

    async def idle(self):
        """Wait until everything published so far has been handed to Redis (tests, shutdown)."""
        while self.outbox or (self._sender is not None and not self._sender.done()):
            await asyncio.sleep(0.005)

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
                await self.store.run_pipe("forward", pipe)
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
