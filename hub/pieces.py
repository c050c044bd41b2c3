"""The pieces on the field: a player and a fireball, each with its wire form (``to_dict``, as
in a ``state``). Plain records; the rules that move them are ``game.Game``'s."""

MAX_HP = 100


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
        self.px, self.py = x, y  # where this tick's path starts

    def to_dict(self):
        return {
            "id": self.id,
            "owner": self.owner,
            "x": round(self.x, 1),
            "y": round(self.y, 1),
            "vx": round(self.vx, 1),
            "vy": round(self.vy, 1),
        }
