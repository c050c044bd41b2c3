"""Bots: server-side players that read the game state and answer with controller input.

Pure and seeded. ``BotDriver.tick(snapshot, now_ms)`` looks at a ``Game.snapshot()`` and
returns ``(pid, frame)`` pairs, where ``frame`` is the binary input frame a controller would
send (hub/codec.py: seq, press counters, stick), only for bots whose input changed. The room
feeds them through the same path as a controller's frames, so a bot can do nothing a player
cannot: one stick that moves and aims, a blink and a shoot button, the same cooldowns.

A bot's first frame only sets its press baseline, as for a controller. Its randomness comes
from the driver's seed and its id, its time from ``now_ms``: the same snapshots and times give
the same frames.
"""

import itertools
import math
import random
from dataclasses import dataclass

from . import game as rules
from .codec import decode_controller, encode_input
from .rooms import MAX_PLAYERS

LOOK_AHEAD = 60  # world units a bot checks ahead before walking somewhere
AIM_STICK = 150  # stick deflection (of 1000) that turns the aim without walking far
THREAT_S = 0.6  # a shot that will pass this close within this many seconds is a threat
NAMES = ("Volt", "Ember", "Quill", "Rook", "Nova", "Pike", "Juno", "Flint")


@dataclass(frozen=True)
class Level:
    """What separates an easy bot from a hard one."""

    name: str
    think_ms: float  # how often it looks again: its reaction time
    aim_error: float  # spread of its aim, radians (standard deviation)
    lead: float  # 0..1: how much it aims ahead of a moving target
    fire_ms: float  # least time between its shots, beyond the game's cooldown
    dodge: bool  # steps aside from a shot heading at it
    blink_dodge: bool  # blinks out of the way of a shot about to hit
    keep_away: float  # the distance it likes to fight at


LEVELS = {
    "easy": Level("easy", 450, 0.20, 0.0, 1200, False, False, 380),
    "normal": Level("normal", 220, 0.10, 0.5, 700, True, False, 340),
    "hard": Level("hard", 100, 0.04, 1.0, 420, True, True, 320),
}
DEFAULT_LEVEL = "normal"


def bots_wanted(limit: int, humans: int) -> int:
    """How many bots a room with ``humans`` players should have under ``--bots limit``: none
    while no human plays, a lone player meets ``limit`` bots, each further human takes one
    bot's place."""
    if humans <= 0:
        return 0
    return max(0, min(limit, limit + 1 - humans))


def _unit(x, y):
    d = math.hypot(x, y)
    return (x / d, y / d) if d > 1e-9 else (0.0, 0.0)


def _rotate(ux, uy, a):
    c, s = math.cos(a), math.sin(a)
    return ux * c - uy * s, ux * s + uy * c


class Bot:
    """One bot's decisions and the controller state it keeps (seq, press counters, stick)."""

    def __init__(self, pid, level: Level, arena, rng):
        self.pid, self.level, self.arena, self.rng = pid, level, arena, rng
        self.seq = 0
        self.presses = [0, 0, 0]  # blink, shoot, stick: counters as a controller keeps them
        self.stick = (0, 0)
        self.started = False
        self.next_think = 0.0
        self.last_shot = -math.inf
        self.strafe = 1 if rng.random() < 0.5 else -1
        self.strafe_until = 0.0
        self.seen = {}  # pid -> (x, y, now): for the targets' speed
        self.target, self.target_since = None, 0.0  # whom it fights, since when (reaction)

    # Frames --------------------------------------------------------------------------------

    def due(self, now) -> bool:
        """True when ``tick`` at ``now`` may answer something (it needs a snapshot then)."""
        return not self.started or now >= self.next_think

    def tick(self, snapshot, now) -> bytes | None:
        """The next input frame, or None when nothing changed since the last one."""
        if not self.started:
            self.started = True
            return self._frame()
        if now < self.next_think:
            return None
        self.next_think = now + self.level.think_ms * self.rng.uniform(0.8, 1.2)
        decision = self.decide(snapshot, now)
        if decision is None:
            return None
        stick, blink, shoot = decision
        if stick == self.stick and not blink and not shoot:
            return None
        self.stick = stick
        if blink:
            self.presses[0] = (self.presses[0] + 1) & 0xFF
        if shoot:
            self.presses[1] = (self.presses[1] + 1) & 0xFF
            self.last_shot = now
        return self._frame()

    def _frame(self):
        self.seq = (self.seq + 1) & 0xFFFF
        return encode_input(self.seq, 0, self.presses, *self.stick)

    # Decisions -----------------------------------------------------------------------------

    def decide(self, snapshot, now):
        """(stick, blink, shoot) from what the bot sees, or None if it is not in the game."""
        players = {p["id"]: p for p in snapshot["players"]}
        me = players.get(self.pid)
        if me is None:
            return None
        if not me["alive"]:
            return (0, 0), False, False
        mx, my = me["x"], me["y"]
        enemies = [p for p in players.values() if p["alive"] and p["id"] != self.pid]
        velocity = self._track(enemies, now)
        threat = self._threat(snapshot["projectiles"], mx, my)
        level = self.level
        if threat is not None and level.blink_dodge and me["blink_cd"] == 0:
            return self._stick(threat, 1000), True, False
        target = self._target(enemies, mx, my)
        if target is None:  # alone: wait near the middle, where the others will come
            cx, cy = self.arena.w / 2, self.arena.h / 2
            if math.hypot(cx - mx, cy - my) < 150:
                return (0, 0), False, False
            return self._stick(self._steer(mx, my, *_unit(cx - mx, cy - my)), 1000), False, False
        tx, ty = target["x"], target["y"]
        d = math.hypot(tx - mx, ty - my)
        clear = self._clear_shot(mx, my, tx, ty)
        if target["id"] != self.target or not clear:
            self.target, self.target_since = target["id"], now  # must see it a while to react
        if clear and d < rules.SHOT_RANGE * 0.85 and self._may_shoot(me, now):
            vx, vy = velocity.get(target["id"], (0.0, 0.0))
            lead = level.lead * d / rules.SHOT_SPEED
            aim = _unit(tx + vx * lead - mx, ty + vy * lead - my)
            aim = _rotate(*aim, self.rng.gauss(0, level.aim_error))
            return self._stick(aim, AIM_STICK), False, True
        return self._stick(self._move(mx, my, tx, ty, d, clear, threat, now), 1000), False, False

    def _may_shoot(self, me, now):
        """Off cooldown, not too soon after its last shot, and it has seen its target (in the
        clear) for at least its reaction time."""
        level = self.level
        return (
            me["shoot_cd"] == 0
            and now - self.last_shot >= level.fire_ms
            and now - self.target_since >= level.think_ms
        )

    def _move(self, mx, my, tx, ty, d, clear, threat, now):
        """Where to walk: dodge a threat, close in on a hidden or far target, back off from a
        near one, else circle it at the liked distance."""
        if threat is not None and self.level.dodge:
            return self._steer(mx, my, *threat)
        to = _unit(tx - mx, ty - my)
        if not clear or d > self.level.keep_away + 80:
            return self._steer(mx, my, *to)
        if d < self.level.keep_away - 80:
            return self._steer(mx, my, -to[0], -to[1])
        if now >= self.strafe_until:
            self.strafe = -self.strafe if self.rng.random() < 0.5 else self.strafe
            self.strafe_until = now + self.rng.uniform(700, 2000)
        return self._steer(mx, my, -to[1] * self.strafe, to[0] * self.strafe)

    def _steer(self, x, y, ux, uy):
        """The first clear direction among ``(ux, uy)`` and turns away from it, so a bot walks
        around walls instead of into them. It turns to its own side first (``strafe``), so it
        keeps following a wall rather than dithering at it."""
        for turn in (0, 30, 60, 90, 120, 150, -30, -60, -90, -120, -150, 180):
            dx, dy = _rotate(ux, uy, math.radians(turn * self.strafe))
            ex, ey = x + dx * LOOK_AHEAD, y + dy * LOOK_AHEAD
            inside = rules.RADIUS <= ex <= self.arena.w - rules.RADIUS and (
                rules.RADIUS <= ey <= self.arena.h - rules.RADIUS
            )
            if inside and self.arena.sweep(x, y, ex, ey, rules.RADIUS) == 1.0:
                return dx, dy
        return ux, uy

    def _stick(self, direction, magnitude):
        return round(direction[0] * magnitude), round(direction[1] * magnitude)

    # Seeing --------------------------------------------------------------------------------

    def _track(self, enemies, now):
        """Each enemy's velocity (world units per second) since the bot last looked."""
        out = {}
        for p in enemies:
            last = self.seen.get(p["id"])
            if last is not None and 0 < now - last[2] < 1000:
                dt = (now - last[2]) / 1000
                out[p["id"]] = ((p["x"] - last[0]) / dt, (p["y"] - last[1]) / dt)
            self.seen[p["id"]] = (p["x"], p["y"], now)
        return out

    def _clear_shot(self, x0, y0, x1, y1):
        return self.arena.sweep(x0, y0, x1, y1, rules.SHOT_RADIUS) == 1.0

    def _target(self, enemies, mx, my):
        """The nearest enemy it can shoot at, else the nearest one."""
        if not enemies:
            return None

        def rank(p):
            clear = self._clear_shot(mx, my, p["x"], p["y"])
            return (not clear, math.hypot(p["x"] - mx, p["y"] - my))

        return min(enemies, key=rank)

    def _threat(self, projectiles, mx, my):
        """A direction to step out of the way of the enemy shot that will pass closest to the
        bot within ``THREAT_S``, or None."""
        reach = rules.RADIUS + rules.SHOT_RADIUS + 12
        best = None
        for s in projectiles:
            if s["owner"] == self.pid:
                continue
            rx, ry, vx, vy = mx - s["x"], my - s["y"], s["vx"], s["vy"]
            v2 = vx * vx + vy * vy
            if v2 < 1e-9:
                continue
            t = (rx * vx + ry * vy) / v2  # seconds until the shot is nearest
            if not 0 <= t <= THREAT_S:
                continue
            miss = abs(rx * vy - ry * vx) / math.sqrt(v2)
            if miss < reach and (best is None or t < best[0]):
                side = 1 if rx * vy - ry * vx > 0 else -1  # step to the side the bot is on
                best = (t, _unit(vy * side, -vx * side))
        return None if best is None else best[1]


class BotDriver:
    """The bots of one room: adds and removes them and turns snapshots into their frames."""

    def __init__(self, arena, seed=0, level=DEFAULT_LEVEL):
        if level not in LEVELS:
            raise ValueError(f"unknown bot level {level!r}; choose one of: {', '.join(LEVELS)}")
        self.arena, self.seed, self.level = arena, seed, level
        self.bots: dict[str, Bot] = {}

    def add(self, pid, level=None) -> Bot:
        lv = LEVELS[level or self.level]
        bot = Bot(pid, lv, self.arena, random.Random(f"{self.seed}:{pid}"))
        self.bots[pid] = bot
        return bot

    def remove(self, pid):
        self.bots.pop(pid, None)

    def tick(self, snapshot, now) -> list[tuple[str, bytes]]:
        """Input frames of the bots that changed their input: ``(pid, frame bytes)``.
        ``snapshot`` may be a function returning it, called only when some bot is due."""
        if callable(snapshot):
            if not any(bot.due(now) for bot in self.bots.values()):
                return []
            snapshot = snapshot()
        out = []
        for pid, bot in self.bots.items():
            frame = bot.tick(snapshot, now)
            if frame is not None:
                out.append((pid, frame))
        return out


class RoomBots:
    """The bots of one room, kept at ``bots_wanted(limit, humans)`` and played through the
    room's own input path (``Room.input``, as a controller's decoded frames). The room calls
    ``tick(room, t)`` once per clock tick; bot time is game time, so the same game gives the
    same bots."""

    def __init__(self, arena, limit, level=DEFAULT_LEVEL, seed=None):
        seed = random.randrange(1 << 32) if seed is None else seed
        self.driver = BotDriver(arena, seed=seed, level=level)
        self.limit = limit
        self.order = []  # bot ids, oldest first; the newest leaves first
        self._ids = itertools.count(1)

    def tick(self, room, t):
        self.sync(room, t)
        if not self.order:
            return
        now = room.game.now
        for pid, frame in self.driver.tick(room.game.snapshot, now):  # built only when needed
            room.input(pid, decode_controller(frame), t)

    def sync(self, room, t):
        """Add or remove bots until the room has as many as it should."""
        humans = sum(1 for s in room.seats.values() if s.kind != "bot")
        # One seat stays free, so a human joining a full room gets in; a bot leaves next tick.
        want = min(bots_wanted(self.limit, humans), MAX_PLAYERS - 1 - humans)
        while len(self.order) > want:
            pid = self.order.pop()
            self.driver.remove(pid)
            room.remove(pid, t)
        while len(self.order) < want:
            n = next(self._ids)
            pid = f"b-{n}"
            room.attach(pid, "bot", NAMES[(n - 1) % len(NAMES)], self, t)
            self.driver.add(pid)
            self.order.append(pid)
