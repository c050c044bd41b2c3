"""Arena rules: pure, stepped at a fixed rate, no I/O and no clock of its own.

The shell calls ``step()`` ``TICK_HZ`` times per game second and applies inputs between steps
with ``set_stick`` / ``blink`` / ``shoot``. Game time is ``tick * TICK_MS``; cooldowns and
timers count in it, so a stalled caller only slows the game, never corrupts it. Methods return
lists of event dicts (``hit``, ``death``, ``respawn``, ``round``) for the shell to relay.

The field is an ``arena.Arena`` (a map from ``maps``): its walls and pillars block movement and
shots, and a blink stops short of them.
"""

import math
import random

from . import maps
from .match import Match
from .pieces import MAX_HP, Player, Projectile  # MAX_HP: a player's full health

ARENA_W, ARENA_H = 1600, 900
TICK_HZ = 60
TICK_MS = 1000 / TICK_HZ
RADIUS = 20
SPEED = 320  # world units per second at full deflection
DEAD_ZONE = 60  # of 1000
BLINK_DIST = 200
BLINK_CD_MS = 2000
SHOT_SPEED = 750
SHOT_RANGE = 800
SHOT_RADIUS = 8
SHOT_DAMAGE = 25
SHOOT_CD_MS = 400
RESPAWN_MS = 2000
SCORE_LIMIT = 10
ROUND_MS = 180_000
SPAWN_TRIES = 24  # random free spots a spawn chooses among
SPAWN_CLEARANCE = RADIUS  # free space kept around a spawn, beyond the player's own radius
SPAWN_FAR_ENOUGH = 700  # past this distance from every enemy, a spot is as good as any


def wire_rules(arena=None) -> dict:
    """The rule constants a window needs to predict the game, and the map (``arena`` or the
    open one): sent in ``welcome`` as ``rules``."""
    arena = arena or maps.load("open")
    return {
        "arena_w": ARENA_W,
        "arena_h": ARENA_H,
        "tick_hz": TICK_HZ,
        "radius": RADIUS,
        "speed": SPEED,
        "dead_zone": DEAD_ZONE,
        "blink_dist": BLINK_DIST,
        "blink_cd_ms": BLINK_CD_MS,
        "shot_speed": SHOT_SPEED,
        "shot_range": SHOT_RANGE,
        "shot_radius": SHOT_RADIUS,
        "shot_damage": SHOT_DAMAGE,
        "shoot_cd_ms": SHOOT_CD_MS,
        "max_hp": MAX_HP,
        "respawn_ms": RESPAWN_MS,
        "map": arena.to_wire(),
    }


class Game:
    """One arena. ``rng`` is injected so tests can pin spawn points; ``arena`` is the map
    (``maps.load(name)``), the open one by default; ``lobby`` turns on the match flow (waiting,
    countdown, podium: hub/match.py), off by default so rounds follow each other at once."""

    def __init__(
        self, rng=None, score_limit=SCORE_LIMIT, round_ms=ROUND_MS, arena=None, lobby=False
    ):
        self.rng = rng or random.Random()
        self.arena = arena or maps.load("open")
        self.tick = 0
        self.players: dict[str, Player] = {}
        self.projectiles: dict[int, Projectile] = {}
        self.next_shot = 1
        self.match = Match(score_limit, round_ms, lobby)

    # The round settings live in the match; these read and write them there.
    score_limit = property(lambda self: self.match.score_limit,
                           lambda self, v: setattr(self.match, "score_limit", v))  # fmt: skip
    round_ms = property(lambda self: self.match.round_ms,
                        lambda self, v: setattr(self.match, "round_ms", v))  # fmt: skip

    @property
    def history(self) -> list[dict]:
        """The session's last rounds: winner, scores (``Match.history``)."""
        return self.match.history

    @property
    def now(self) -> float:
        return self.tick * TICK_MS

    # Players ---------------------------------------------------------------------------------

    def wire_rules(self) -> dict:
        return wire_rules(self.arena)

    def spawn_point(self, pid=None):
        """A fair spot for ``pid`` to (re)appear: free of obstacles with room around it, and
        the farthest from the living enemies among ``SPAWN_TRIES`` random free spots (any spot
        past ``SPAWN_FAR_ENOUGH`` is fine, so spawns stay varied)."""
        arena, m = self.arena, RADIUS * 3
        enemies = [(p.x, p.y) for p in self.players.values() if p.alive and p.id != pid]
        best, best_d = None, -1.0
        for _ in range(SPAWN_TRIES):
            x, y = self.rng.uniform(m, arena.w - m), self.rng.uniform(m, arena.h - m)
            if not arena.free(x, y, RADIUS, SPAWN_CLEARANCE):
                continue
            d = min((math.hypot(x - ex, y - ey) for ex, ey in enemies), default=math.inf)
            d = min(d, SPAWN_FAR_ENOUGH)
            if d > best_d:
                best, best_d = (x, y), d
                if d >= SPAWN_FAR_ENOUGH:
                    break
        if best is None:  # no free try: a map this full fails its tests; stay playable anyway
            best = arena.push_out(arena.w / 2, arena.h / 2, RADIUS)
        return best

    def add_player(self, pid, name, slot, color, kind) -> Player:
        x, y = self.spawn_point(pid)
        p = Player(pid, self.unique_name(name, pid), slot, color, kind, x, y)
        self.players[pid] = p
        return p

    def rename(self, pid, name):
        p = self.players.get(pid)
        if p is not None:
            p.name = self.unique_name(name, pid)

    def unique_name(self, name, pid=None):
        """``name``, or with a suffix (" 2", " 3", ...) when another player already has it, so
        two phones are not both "Phone"; kept within 16 characters."""
        taken = {p.name.casefold() for p in self.players.values() if p.id != pid}
        if name.casefold() not in taken:
            return name
        n = 2
        while True:
            tag = f" {n}"
            cand = name[: 16 - len(tag)].rstrip() + tag
            if cand.casefold() not in taken:
                return cand
            n += 1

    def remove_player(self, pid):
        self.players.pop(pid, None)
        for sid in [s.id for s in self.projectiles.values() if s.owner == pid]:
            del self.projectiles[sid]

    def set_connected(self, pid, connected):
        p = self.players.get(pid)
        if p:
            p.connected = connected
            p.stick = (0, 0)

    # Inputs ----------------------------------------------------------------------------------

    def set_stick(self, pid, x, y, aim=None):
        """Stick in -1000..1000; a non-zero stick (or an explicit aim) sets the aim."""
        p = self.players.get(pid)
        if not p:
            return
        p.stick = (x, y)
        ax, ay = aim if aim is not None else (x, y)
        mag = math.hypot(ax, ay)
        if mag > DEAD_ZONE:
            p.aim = (ax / mag, ay / mag)

    def blink(self, pid):
        """Teleport BLINK_DIST along the aim, stopping short of obstacles and the arena edge.
        Returns the event or None."""
        p = self.players.get(pid)
        if not p or not p.alive or self.now < p.blink_ready or not self.match.fighting:
            return None
        frm = (round(p.x, 1), round(p.y, 1))
        p.x, p.y = self.arena.blink(p.x, p.y, p.aim[0], p.aim[1], BLINK_DIST, RADIUS)
        p.blink_ready = self.now + BLINK_CD_MS
        return {"type": "blink", "id": pid, "from": list(frm), "to": [round(p.x, 1), round(p.y, 1)]}

    def shoot(self, pid):
        """Fire a fireball along the aim. Returns the event or None (cooldown, dead)."""
        p = self.players.get(pid)
        if not p or not p.alive or self.now < p.shoot_ready or not self.match.fighting:
            return None
        ax, ay = p.aim
        s = Projectile(
            self.next_shot,
            pid,
            p.x + ax * (RADIUS + SHOT_RADIUS),
            p.y + ay * (RADIUS + SHOT_RADIUS),
            ax * SHOT_SPEED,
            ay * SHOT_SPEED,
        )
        s.px, s.py = p.x, p.y  # first path from the shooter's centre: no shooting out of a wall
        self.next_shot += 1
        self.projectiles[s.id] = s
        p.shoot_ready = self.now + SHOOT_CD_MS
        return {"type": "shoot", "id": pid, "projectile": s.to_dict()}

    # Simulation ------------------------------------------------------------------------------

    def step(self) -> list[dict]:
        """Advance one fixed tick. Returns events: hit, death, respawn, round."""
        self.tick += 1
        dt = TICK_MS / 1000
        now = self.now
        events = []
        for p in self.players.values():
            if not p.alive:
                if now >= p.respawn_at:
                    p.alive, p.hp = True, MAX_HP
                    p.x, p.y = self.spawn_point(p.id)
                    events.append({"type": "respawn", "id": p.id})
                continue
            sx, sy = p.stick
            mag = math.hypot(sx, sy)
            if mag > DEAD_ZONE:
                scale = SPEED * dt * min(mag, 1000) / 1000 / mag
                p.x, p.y = self.arena.move(p.x, p.y, sx * scale, sy * scale, RADIUS)
        events += self._move_projectiles(dt)
        players = list(self.players.values())
        flow = self.match.step(players, TICK_MS)
        if flow == "end":
            events.append(self.match.end_round(players))
        if flow is not None:
            self._new_round()
        return events

    def _move_projectiles(self, dt):
        events, gone = [], []
        reach = (RADIUS + SHOT_RADIUS) ** 2
        arena = self.arena
        for s in self.projectiles.values():
            x0, y0 = s.px, s.py
            x1, y1 = s.x + s.vx * dt, s.y + s.vy * dt
            f = arena.sweep(x0, y0, x1, y1, SHOT_RADIUS)  # a wall stops it where it touches
            s.x, s.y = x0 + (x1 - x0) * f, y0 + (y1 - y0) * f
            s.px, s.py = s.x, s.y
            s.travelled += SHOT_SPEED * dt
            hit = next((p for p in self.players.values() if p.id != s.owner and p.alive
                        and (p.x - s.x) ** 2 + (p.y - s.y) ** 2 <= reach), None)  # fmt: skip
            if hit is not None:
                gone.append(s.id)
                events += self._damage(hit, s.owner)
            elif (
                f < 1.0
                or s.travelled > SHOT_RANGE
                or not (0 <= s.x <= arena.w and 0 <= s.y <= arena.h)
            ):
                gone.append(s.id)
        for sid in gone:
            self.projectiles.pop(sid, None)
        return events

    def _damage(self, p, by):
        p.hp = max(0, p.hp - SHOT_DAMAGE)
        dead = p.hp == 0
        events = [{"type": "hit", "id": p.id, "by": by, "hp": p.hp, "dead": dead}]
        if dead:
            p.alive = False
            p.respawn_at = self.now + RESPAWN_MS
            killer = self.players.get(by)
            if killer:
                killer.score += 1
            events.append({"type": "death", "id": p.id, "by": by})
        return events

    def _new_round(self):
        """Scores, HP and cooldowns reset, shots gone, everyone placed apart for a new round."""
        self.projectiles.clear()
        for p in self.players.values():
            p.alive = False  # placed one by one below, each away from those already placed
        for p in self.players.values():
            p.score, p.hp = 0, MAX_HP
            p.x, p.y = self.spawn_point(p.id)
            p.alive = True
            p.blink_ready = p.shoot_ready = 0.0

    # Views -----------------------------------------------------------------------------------

    def round_info(self):
        return self.match.info()

    def snapshot(self) -> dict:
        """Full state: every player with HP, score, cooldowns; live projectiles; the round."""
        now = self.now
        return {
            "type": "state",
            "tick": self.tick,
            "players": [p.to_dict(now) for p in self.players.values()],
            "projectiles": [s.to_dict() for s in self.projectiles.values()],
            "round": self.round_info(),
        }
