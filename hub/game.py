"""Arena rules: pure, stepped at a fixed rate, no I/O and no clock of its own.

The shell calls ``step()`` ``TICK_HZ`` times per game second and applies inputs between steps
with ``set_stick`` / ``blink`` / ``shoot``. Game time is ``tick * TICK_MS``; cooldowns and
timers count in it, so a stalled caller only slows the game, never corrupts it. Methods return
lists of event dicts (``hit``, ``death``, ``respawn``, ``round``) for the shell to relay.
"""

import math
import random

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
MAX_HP = 100
RESPAWN_MS = 2000
SCORE_LIMIT = 10
ROUND_MS = 180_000


def wire_rules() -> dict:
    """The rule constants a window needs to predict the game; sent in ``welcome``."""
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
    }


class Player:
    def __init__(self, pid, name, slot, color, kind, x, y):
        self.id, self.name, self.slot, self.color, self.kind = pid, name, slot, color, kind
        self.x, self.y = x, y
        self.hp, self.score, self.alive, self.connected = MAX_HP, 0, True, True
        self.aim = (1.0, 0.0)
        self.stick = (0, 0)
        self.blink_ready = 0.0  # game ms when the next blink is allowed
        self.shoot_ready = 0.0
        self.respawn_at = 0.0

    def to_dict(self, now):
        return {
            "id": self.id,
            "name": self.name,
            "slot": self.slot,
            "color": self.color,
            "kind": self.kind,
            "x": round(self.x, 1),
            "y": round(self.y, 1),
            "hp": self.hp,
            "score": self.score,
            "alive": self.alive,
            "connected": self.connected,
            "aim": [round(self.aim[0], 3), round(self.aim[1], 3)],
            "stick": list(self.stick),  # windows predict from here (a late joiner saw no move)
            "blink_cd": max(0, round(self.blink_ready - now)),
            "shoot_cd": max(0, round(self.shoot_ready - now)),
        }


class Projectile:
    def __init__(self, pid, owner, x, y, vx, vy):
        self.id, self.owner, self.x, self.y, self.vx, self.vy = pid, owner, x, y, vx, vy
        self.travelled = 0.0

    def to_dict(self):
        return {
            "id": self.id,
            "owner": self.owner,
            "x": round(self.x, 1),
            "y": round(self.y, 1),
            "vx": round(self.vx, 1),
            "vy": round(self.vy, 1),
        }


def _clamp(v, lo, hi):
    return lo if v < lo else hi if v > hi else v


class Game:
    """One arena. ``rng`` is injected so tests can pin spawn points."""

    def __init__(self, rng=None, score_limit=SCORE_LIMIT, round_ms=ROUND_MS):
        self.rng = rng or random.Random()
        self.score_limit, self.round_ms = score_limit, round_ms
        self.tick = 0
        self.players: dict[str, Player] = {}
        self.projectiles: dict[int, Projectile] = {}
        self.next_shot = 1
        self.round_no, self.round_start, self.last_winner = 1, 0.0, None

    @property
    def now(self) -> float:
        return self.tick * TICK_MS

    # Players ---------------------------------------------------------------------------------

    def spawn_point(self):
        m = RADIUS * 3
        return self.rng.uniform(m, ARENA_W - m), self.rng.uniform(m, ARENA_H - m)

    def add_player(self, pid, name, slot, color, kind) -> Player:
        x, y = self.spawn_point()
        p = Player(pid, name, slot, color, kind, x, y)
        self.players[pid] = p
        return p

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
        """Teleport BLINK_DIST along the aim, clamped to the arena. Returns the event or None."""
        p = self.players.get(pid)
        if not p or not p.alive or self.now < p.blink_ready:
            return None
        frm = (round(p.x, 1), round(p.y, 1))
        p.x = _clamp(p.x + p.aim[0] * BLINK_DIST, RADIUS, ARENA_W - RADIUS)
        p.y = _clamp(p.y + p.aim[1] * BLINK_DIST, RADIUS, ARENA_H - RADIUS)
        p.blink_ready = self.now + BLINK_CD_MS
        return {"type": "blink", "id": pid, "from": list(frm), "to": [round(p.x, 1), round(p.y, 1)]}

    def shoot(self, pid):
        """Fire a fireball along the aim. Returns the event or None (cooldown, dead)."""
        p = self.players.get(pid)
        if not p or not p.alive or self.now < p.shoot_ready:
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
                    p.x, p.y = self.spawn_point()
                    events.append({"type": "respawn", "id": p.id})
                continue
            sx, sy = p.stick
            mag = math.hypot(sx, sy)
            if mag > DEAD_ZONE:
                scale = SPEED * dt * min(mag, 1000) / 1000 / mag
                p.x = _clamp(p.x + sx * scale, RADIUS, ARENA_W - RADIUS)
                p.y = _clamp(p.y + sy * scale, RADIUS, ARENA_H - RADIUS)
        events += self._move_projectiles(dt)
        events += self._check_round()
        return events

    def _move_projectiles(self, dt):
        events, gone = [], []
        reach = (RADIUS + SHOT_RADIUS) ** 2
        for s in self.projectiles.values():
            s.x += s.vx * dt
            s.y += s.vy * dt
            s.travelled += SHOT_SPEED * dt
            if s.travelled > SHOT_RANGE or not (0 <= s.x <= ARENA_W and 0 <= s.y <= ARENA_H):
                gone.append(s.id)
                continue
            for p in self.players.values():
                if p.id == s.owner or not p.alive:
                    continue
                if (p.x - s.x) ** 2 + (p.y - s.y) ** 2 <= reach:
                    gone.append(s.id)
                    events += self._damage(p, s.owner)
                    break
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

    def _check_round(self):
        elapsed = self.now - self.round_start
        leader = max(self.players.values(), key=lambda p: p.score, default=None)
        if elapsed < self.round_ms and not (leader and leader.score >= self.score_limit):
            return []
        winner = leader.id if leader and leader.score > 0 else None
        self.last_winner = winner
        self.round_no += 1
        self.round_start = self.now
        self.projectiles.clear()
        for p in self.players.values():
            p.score, p.hp, p.alive = 0, MAX_HP, True
            p.x, p.y = self.spawn_point()
            p.blink_ready = p.shoot_ready = 0.0
        return [{"type": "round", "round": self.round_no, "winner": winner}]

    # Views -----------------------------------------------------------------------------------

    def round_info(self):
        return {
            "n": self.round_no,
            "time_left": max(0, round(self.round_ms - (self.now - self.round_start))),
            "score_limit": self.score_limit,
            "last_winner": self.last_winner,
        }

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
