"""Keeps a hub's rooms and pairing code across restarts.

At start the hub settles its pairing code (``choose_code``) and restores every room snapshot
from its state directory; while it runs, each room that changed is written at most once a
second (``SaveTracker``); at shutdown everything is written once more. The policy is pure;
``Persistence`` is the small asyncio part ``server.Hub`` calls from ``start()`` and ``stop()``.

Without a state directory (``--no-state``, ``--port 0`` with no ``--state-dir``, or a hub built
in-process from a default ``Config()``) nothing is read or written: the code is the given one or
a random one, as before.
"""

import asyncio
import json
import logging
import secrets
import time

from . import snapshot
from .logs import event
from .redisstore import RedisStore, RedisUnavailable, safe_url
from .statedir import StateDir, StateDirError

SAVE_PERIOD = 1.0  # seconds between checks for changed rooms
CLOCK_SAVE_S = 15.0  # a room whose only change is its clock is written this often


def random_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def choose_code(stored: str | None, given: str | None, renew: bool, draw=random_code):
    """The pairing code to use, and how it came about: ``kept`` (the stored one), ``given``
    (``--pairing-code``, nothing stored), ``replaced`` (``--pairing-code`` differs from the
    stored one), ``new`` (random: nothing stored, or ``--new-pairing-code``)."""
    if renew:
        return draw(), "new"
    if given is not None:
        if stored is None:
            return given, "given"
        return given, "kept" if given == stored else "replaced"
    if stored is not None:
        return stored, "kept"
    return draw(), "new"


class SaveTracker:
    """Which rooms need writing: one whose lasting state changed since it was last written,
    one whose clock alone moved for ``CLOCK_SAVE_S``, and files of rooms that are gone."""

    def __init__(self, clock_save_s=CLOCK_SAVE_S):
        self.clock_save_s = clock_save_s
        self.last: dict[str, tuple[str, int, float]] = {}  # name -> (lasting JSON, tick, when)

    def due(self, name: str, snap: dict, now: float) -> bool:
        old = self.last.get(name)
        if old is None:
            return True
        text, tick, when = old
        if _lasting_text(snap) != text:
            return True
        return snap["tick"] != tick and now - when >= self.clock_save_s

    def written(self, name: str, snap: dict, now: float):
        self.last[name] = (_lasting_text(snap), snap["tick"], now)

    def gone(self, live) -> list[str]:
        """Rooms written before that no longer exist; forgets them."""
        names = [n for n in self.last if n not in live]
        for n in names:
            del self.last[n]
        return names


def _lasting_text(snap) -> str:
    return json.dumps(snapshot.lasting(snap), sort_keys=True)


class Persistence:
    """The hub's state directory at work. ``start()`` before serving, ``close()`` at the end."""

    def __init__(self, hub):
        self.hub = hub
        path = hub.cfg.state_dir if hub.cfg.state else None
        self.dir = StateDir(path) if path else None
        self.redis = None  # with --redis: the shared pairing code (rooms: the backplane, later)
        self.tracker = SaveTracker()
        self.code_source = None
        self._stop = asyncio.Event()
        self._task = None
        self._failing = False

    async def start(self):
        """Open the directory, settle the pairing code, restore rooms, start saving."""
        cfg = self.hub.cfg
        stored = None
        if self.dir is not None:
            try:
                self.dir.open()
            except StateDirError as exc:
                raise SystemExit(f"hub: {exc}") from None
            stored = self.dir.read_code()
        local = stored
        if cfg.redis:
            stored = await self._shared_code() or stored
        code, self.code_source = choose_code(stored, cfg.pairing_code, cfg.new_pairing_code)
        if self.redis is not None:
            code = await self._share_code(code)
        cfg.pairing_code = code
        if self.dir is None:
            return
        if code != local:
            try:
                self.dir.write_code(code)
            except OSError as exc:
                raise SystemExit(
                    f"hub: cannot write the pairing code to {self.dir.path}: "
                    f"{exc.strerror or exc}; free some space or fix its permissions"
                ) from None
        event("pairing_code", source=self.code_source, state_dir=str(self.dir.path))
        self.restore()
        self._task = asyncio.get_running_loop().create_task(self.run())

    async def _shared_code(self):
        try:
            self.redis = await RedisStore.connect(self.hub.cfg.redis)
            shared = await self.redis.get_code()
        except RedisUnavailable as exc:
            raise SystemExit(f"hub: {exc}") from None
        event(
            "redis_partial",
            logging.WARNING,
            url=safe_url(self.redis.url),
            shared="pairing code",
            not_yet="rooms: each process runs its own until the backplane (docs/scaling.md)",
        )
        return shared

    async def _share_code(self, code):
        """Every process uses one code: an explicit one replaces it, otherwise the first wins."""
        cfg = self.hub.cfg
        try:
            if cfg.pairing_code is not None or cfg.new_pairing_code:
                await self.redis.set_code(code)
                return code
            return await self.redis.ensure_code(code)
        except RedisUnavailable as exc:
            raise SystemExit(f"hub: {exc}") from None

    def restore(self):
        now, t = time.monotonic(), time.time() * 1000
        for snap in self.dir.read_rooms():
            name = snap["room"]
            room = self.hub.room(name)
            if room is None:
                event("room_not_restored", logging.WARNING, room=name,
                      reason=f"more rooms than --max-rooms {self.hub.cfg.max_rooms}")  # fmt: skip
                continue
            snapshot.apply(room, snap, now)
            self.tracker.written(name, snap, now)
            event(
                "room_restored",
                room=name,
                players=len(snap["players"]),
                round=snap["round"]["n"],
                saved_s_ago=max(0, round((t - snap["saved_at"]) / 1000, 1)),
            )

    def collect(self, now: float, everything=False):
        """What to write (name, JSON text) and delete now. Runs on the event loop, so each
        snapshot is one consistent moment of its room."""
        t = time.time() * 1000
        writes = []
        for name, room in list(self.hub.rooms.items()):
            snap = snapshot.dump(room, saved_at=t)
            if everything or self.tracker.due(name, snap, now):
                writes.append((name, json.dumps(snap, separators=(",", ":")) + "\n"))
                self.tracker.written(name, snap, now)
        return writes, self.tracker.gone(self.hub.rooms)

    def write(self, writes, deletes):
        """The file I/O part (run in a thread while serving): never raises."""
        try:
            for name, text in writes:
                self.dir.write_room(name, text)
            for name in deletes:
                self.dir.delete_room(name)
        except OSError as exc:
            self.tracker.last.clear()  # write everything again on the next try
            if not self._failing:
                event("state_save_failed", logging.WARNING, dir=str(self.dir.path),
                      error=exc.strerror or str(exc),
                      fix="free disk space or fix the directory's permissions; "
                      "the hub keeps playing and tries again every second")  # fmt: skip
            self._failing = True
            return
        if self._failing:
            event("state_save_ok", dir=str(self.dir.path))
        self._failing = False

    async def run(self):
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), SAVE_PERIOD)
            except TimeoutError:
                pass
            final = self._stop.is_set()
            try:
                writes, deletes = self.collect(time.monotonic(), everything=final)
            except Exception:  # a bug here must not stop the game; say so and go on
                logging.getLogger("hub").exception("state_snapshot_failed")
                continue
            if writes or deletes:
                await asyncio.to_thread(self.write, writes, deletes)
        if self.dir is not None:
            event("state_saved", rooms=len(self.hub.rooms), dir=str(self.dir.path))

    def describe(self) -> str:
        """One line for the banner: where state lives and where the code came from."""
        if self.dir is None:
            return "nothing (no state dir): a restart starts afresh"
        how = {
            "kept": "code kept from the last run",
            "given": "code from --pairing-code",
            "replaced": "code replaced by --pairing-code",
            "new": "new code",
        }[self.code_source]
        return f"{self.dir.path} ({how}; --new-pairing-code draws another)"

    async def close(self):
        """Write every room once more, then let go of the directory."""
        if self._task is not None:
            self._stop.set()
            await self._task
        if self.dir is not None:
            self.dir.close()
        if self.redis is not None:
            await self.redis.close()
