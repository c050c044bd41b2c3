"""What several hub processes share in Redis: room leases, room snapshots and the pairing code
(the room registry is hub/registry.py's). Uses redis-py's asyncio client.

Keys (``{NAME}`` is a Redis Cluster hash tag, so one room's keys always live together)::

    blinkshot:code                    the pairing code every process accepts
    blinkshot:room:{NAME}:lease       owner token, with a TTL (PX): who runs the room's game
    blinkshot:room:{NAME}:epoch       +1 at every new owner: the fencing number
    blinkshot:room:{NAME}:snapshot    the owner's last snapshot.dump(), as JSON

A lease is taken only if free (``SET NX PX``), and renewed, released or written under only while
the key still holds our token: each is one Lua script, so the check and the change are atomic and
two processes can never both own a room. The owner counts its lease as held until the moment it
sent the request plus the TTL, by its own monotonic clock: Redis starts the TTL later, so the
owner always gives up first. A paused owner whose lease ran out cannot overwrite its successor's
snapshot (the write is fenced by the token) and its messages carry an older epoch.

When Redis cannot be reached, a call raises ``RedisUnavailable``; the first failure logs one
``redis_down`` line and the first success after it one ``redis_back`` line, and each calls
``on_change(up)`` (hub/cluster.py tells the windows and /healthz).
"""

import json
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import AuthenticationError, NoPermissionError, RedisError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from . import snapshot
from .logs import event

PREFIX = "blinkshot"
LEASE_TTL_MS = 1500  # a dead owner's rooms are free this long after its last renewal
TIMEOUT_S = 1.0  # per command: a renewal slower than this is as good as lost
INSTALL_HINT = "start one (Debian: sudo apt-get install redis-server) or fix --redis"

_ACQUIRE = """
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(redis.call('GET', KEYS[2]) or '0')
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
local e = redis.call('INCR', KEYS[2])
if e <= tonumber(ARGV[3]) then
  e = tonumber(ARGV[3]) + 1
  redis.call('SET', KEYS[2], e)
end
return e
"""
_RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
"""
_SAVE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1
"""


class RedisUnavailable(Exception):
    """Redis did not answer; the message names the address and the fix."""


def check_url(url: str) -> str | None:
    """What is wrong with a ``--redis`` URL, or None. Pure: nothing is contacted."""
    example = "use redis://HOST:PORT/DB, e.g. redis://127.0.0.1:6379/0"
    try:
        u = urlsplit(url)
        port = u.port
    except ValueError as exc:
        return f"not a URL ({exc}); {example}"
    if u.scheme == "unix":
        return None if u.path else f"unix:// needs the socket's path; {example}"
    if u.scheme not in ("redis", "rediss"):
        return f"not a Redis URL (scheme {u.scheme or 'missing'!r}); {example}"
    if not u.hostname:
        return f"the host is missing; {example}"
    if port == 0:
        return f"port 0 is not a port; {example}"
    db = u.path.strip("/")
    if db and not db.isdigit():
        return f"the database after the / must be a number, got {db!r}; {example}"
    return None


def safe_url(url: str) -> str:
    """The URL without its password, for log lines."""
    u = urlsplit(url)
    if not u.password:
        return url
    host = u.netloc.rsplit("@", 1)[1]
    return u._replace(netloc=f"{u.username or ''}:***@{host}").geturl()


def room_key(room: str, what: str) -> str:
    return f"{PREFIX}:room:{{{room}}}:{what}"


@dataclass
class Lease:
    """Ownership of one room. ``valid_until`` is on the owner's monotonic clock."""

    room: str
    token: str
    epoch: int
    valid_until: float

    def held(self, now: float) -> bool:
        return now < self.valid_until


class RedisStore:
    def __init__(self, url: str, token=None, ttl_ms=LEASE_TTL_MS, clock=time.monotonic):
        self.url, self.ttl_ms, self.clock = url, ttl_ms, clock
        self.token = token or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.up = True
        self.changed_at = clock()  # when ``up`` last changed (monotonic)
        self.on_change = None  # on_change(up): the link to Redis was lost or is back
        self.r = aioredis.from_url(
            url,
            socket_timeout=TIMEOUT_S,
            socket_connect_timeout=TIMEOUT_S,
            retry=Retry(NoBackoff(), 1),  # one immediate retry: a pooled connection that a
            retry_on_error=[RedisConnectionError, RedisTimeoutError],  # restart broke
            decode_responses=True,
        )
        self._acquire = self.r.register_script(_ACQUIRE)
        self._renew = self.r.register_script(_RENEW)
        self._release = self.r.register_script(_RELEASE)
        self._save = self.r.register_script(_SAVE)

    @classmethod
    async def connect(cls, url: str, **kw) -> "RedisStore":
        """A store whose Redis answered a PING, or ``RedisUnavailable`` saying what to do."""
        store = cls(url, **kw)
        try:
            await store.r.ping()
        except (AuthenticationError, NoPermissionError, ResponseError) as exc:
            await store.close()
            raise RedisUnavailable(
                f"Redis at {safe_url(url)} refused this hub: {_why(exc)}; give the password in "
                "the URL: redis://:PASSWORD@HOST:PORT/DB (redis://USER:PASSWORD@... for an ACL "
                "user)"
            ) from None
        except RedisError as exc:
            await store.close()
            raise RedisUnavailable(
                f"cannot reach Redis at {safe_url(url)}: {_why(exc)}; {INSTALL_HINT}"
            ) from None
        return store

    async def close(self):
        await self.r.aclose()

    async def _call(self, what, coro):
        try:
            result = await coro
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            if self.up:
                event("redis_down", logging.WARNING, url=safe_url(self.url), during=what,
                      error=_why(exc), fix=f"is redis-server running? {INSTALL_HINT}")  # fmt: skip
            self._set_up(False)
            raise RedisUnavailable(f"Redis at {safe_url(self.url)}: {_why(exc)}") from None
        if not self.up:
            event("redis_back", url=safe_url(self.url), during=what)
            self._set_up(True)
        return result

    async def run_pipe(self, what, pipe):
        """``_call`` for a pipeline, which is reset either way: a pipeline whose scripts failed
        to load keeps its connection (redis-py logs "Unclosed Pipeline client" later)."""
        try:
            return await self._call(what, pipe.execute())
        finally:
            await pipe.reset()

    def _set_up(self, up: bool):
        if up != self.up:
            self.up, self.changed_at = up, self.clock()
            if self.on_change is not None:
                self.on_change(up)

    async def ping(self):
        """One round trip (the ownership loop's heartbeat, so the link state stays true while
        no room is in use)."""
        await self._call("ping", self.r.ping())

    # Leases ----------------------------------------------------------------------------------

    async def acquire(self, room: str, min_epoch: int = 0) -> Lease | None:
        """Take the room if nobody holds it (or renew it if we do). ``min_epoch``: the highest
        epoch the caller knows (e.g. from the snapshot), so the fencing number keeps rising even
        if Redis lost its data. None if another process owns the room."""
        start = self.clock()
        keys = [room_key(room, "lease"), room_key(room, "epoch")]
        epoch = await self._call(
            "acquire", self._acquire(keys=keys, args=[self.token, self.ttl_ms, min_epoch])
        )
        if epoch is None:
            return None
        return Lease(room, self.token, int(epoch), start + self.ttl_ms / 1000)

    async def renew(self, lease: Lease) -> bool:
        """Extend the lease if it is still ours; False once another process has the room or
        the key is gone (expired, or Redis restarted empty): stop running the room then."""
        start = self.clock()
        keys = [room_key(lease.room, "lease")]
        ok = await self._call("renew", self._renew(keys=keys, args=[lease.token, self.ttl_ms]))
        if ok:
            lease.valid_until = start + self.ttl_ms / 1000
        else:
            lease.valid_until = 0.0
        return bool(ok)

    async def release(self, lease: Lease) -> bool:
        """Give the room up at once (clean shutdown), if it is still ours."""
        lease.valid_until = 0.0
        keys = [room_key(lease.room, "lease")]
        return bool(await self._call("release", self._release(keys=keys, args=[lease.token])))

    async def owner(self, room: str) -> str | None:
        return await self._call("owner", self.r.get(room_key(room, "lease")))

    # Snapshots -------------------------------------------------------------------------------

    async def save_snapshot(self, lease: Lease, data: dict) -> bool:
        """Write the room's snapshot, only while ``lease`` is still the room's: False (nothing
        written) if another process took the room."""
        keys = [room_key(lease.room, "lease"), room_key(lease.room, "snapshot")]
        text = json.dumps(data, separators=(",", ":"))
        return bool(await self._call("save", self._save(keys=keys, args=[lease.token, text])))

    async def has_snapshot(self, room: str) -> bool:
        return bool(await self._call("load", self.r.exists(room_key(room, "snapshot"))))

    async def load_snapshot(self, room: str) -> dict | None:
        """The room's last snapshot, checked (``snapshot.parse``), or None if there is none.
        A bad one is renamed aside (``...:snapshot:set-aside:TAG-STAMP``) with one log line."""
        key = room_key(room, "snapshot")
        raw = await self._call("load", self.r.get(key))
        if raw is None:
            return None
        try:
            return snapshot.parse(json.loads(raw))
        except ValueError as exc:
            other = getattr(exc, "other_version", None)
            tag = f"version-{other}"[:40] if other is not None else "corrupt"
            target = f"{key}:set-aside:{tag}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
            await self._call("set_aside", self.r.rename(key, target))
            event("state_file_set_aside", logging.WARNING, file=key, moved_to=target,
                  reason=getattr(exc, "reason", None) or f"not JSON: {exc}",
                  fix="the room starts without it")  # fmt: skip
            return None

    # Pairing code ------------------------------------------------------------------------

    async def get_code(self) -> str | None:
        return await self._call("get_code", self.r.get(f"{PREFIX}:code"))

    async def ensure_code(self, code: str) -> str:
        """Store ``code`` unless a code is already shared; return the one that is."""
        key = f"{PREFIX}:code"
        await self._call("ensure_code", self.r.set(key, code, nx=True))
        return await self._call("get_code", self.r.get(key)) or code

    async def set_code(self, code: str):
        await self._call("set_code", self.r.set(f"{PREFIX}:code", code))


def _why(exc) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.rstrip(".")
