"""Room snapshots: a room's lasting state as a versioned, JSON-able dict, and back.

Pure: no files, no Redis, no clock reads. ``dump`` reads a live ``Room``; ``parse`` checks a
dict from outside (a file, Redis) completely before anything is touched; ``apply`` puts a parsed
snapshot into a fresh room. The embedded hub writes these to its state directory
(``statedir.py``); with ``--redis`` the room's owner writes the same dict to Redis and a failover
owner restores it (``redisstore.py``).

What is kept: every player by id with name, slot, colour, kind, position, hp, score, alive,
aim, cooldowns and respawn time; the game tick; the match (round number, its clock, phase, last
winner, the history of rounds). What is not: projectiles in flight (they live about a second),
sticks (a restored player is disconnected, so it stands still) and bots (``--bots`` makes them
afresh for the restoring hub). A restored player waits in grace, disconnected, like one whose
controller just dropped: the same device id reconnecting gets its slot, colour and score back.

Game times (cooldowns, respawn) are stored in game milliseconds, the clock that ``tick``
counts, and the round clock as the round's elapsed play, so the game resumes where it stopped:
time the hub was down does not count.

``seq``: each room numbers its own messages (``Room.seq``, the last one stamped), and the
snapshot keeps it, so a restored room goes on counting where it was. Windows that stay connected
through a change of owner (Redis failover) must never see a ``seq`` go backwards: the new owner
also raises ``room.seq`` to the last ``seq`` it saw on the room's channel, since the old owner
may have sent more after its last snapshot. None (an older writer) leaves the counter alone.
"""

import math
import re

from . import game as rules
from . import match as flow
from .rooms import MAX_PLAYERS, ROOM_NAME, Seat

FORMAT = "blinkshot-room"
VERSION = 1
KINDS = ("controller", "phone", "keyboard")  # kept; bots are not (see above)
PHASES = (flow.WAITING, flow.COUNTDOWN, flow.PLAYING, flow.PODIUM)
_COLOR = re.compile(r"#[0-9a-f]{6}")
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_NAME = 64


class SnapshotError(ValueError):
    """Not a snapshot this hub can restore. ``other_version`` is set when it is well formed but
    written by another version of the format (keep it for that version: do not overwrite)."""

    def __init__(self, reason: str, other_version=None):
        super().__init__(reason)
        self.reason, self.other_version = reason, other_version


def dump(room, saved_at: float, epoch: int | None = None) -> dict:
    """The room's lasting state. ``saved_at``: Unix ms; ``epoch``: the Redis lease's fencing
    number when an owner writes it (None for the embedded hub)."""
    g, m = room.game, room.game.match
    players = []
    for pid, p in g.players.items():
        seat = room.seats.get(pid)
        if (seat.kind if seat else p.kind) not in KINDS:
            continue  # a bot: the restoring hub makes its own
        players.append(
            {
                "id": pid,
                "name": p.name,
                "slot": p.slot,
                "color": p.color,
                "kind": seat.kind if seat else p.kind,
                "x": round(p.x, 2),
                "y": round(p.y, 2),
                "hp": p.hp,
                "score": p.score,
                "alive": p.alive,
                "aim": [round(p.aim[0], 4), round(p.aim[1], 4)],
                "blink_ready": p.blink_ready,
                "shoot_ready": p.shoot_ready,
                "respawn_at": p.respawn_at,
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "room": room.name,
        "saved_at": saved_at,
        "seq": room.seq,
        "epoch": epoch,
        "tick": g.tick,
        "round": {
            "n": m.round_no,
            "elapsed": m.elapsed,
            "phase": m.phase,
            "phase_left": m.phase_left,
            "last_winner": m.last_winner,
            "last_winner_name": m.last_winner_name,
            "history": [dict(h, scores=[dict(x) for x in h["scores"]]) for h in m.history],
        },
        "next_shot": g.next_shot,
        "players": players,
    }


def lasting(data: dict) -> dict:
    """The snapshot without what changes by itself every tick or write (tick, save time, seq,
    epoch): two snapshots with equal ``lasting`` differ only in the clock."""
    return {k: v for k, v in data.items() if k not in ("tick", "saved_at", "seq", "epoch")}


# Checking ----------------------------------------------------------------------------------------


def _need(ok, what):
    if not ok:
        raise SnapshotError(what)


def _int(v, lo, hi, what):
    _need(type(v) is int and lo <= v <= hi, f"{what} must be a whole number {lo}..{hi}")
    return v


def _num(v, lo, hi, what):
    ok = type(v) in (int, float) and math.isfinite(v) and lo <= v <= hi
    _need(ok, f"{what} must be a number {lo}..{hi}")
    return float(v)


def _opt_int(v, what):
    _need(v is None or (type(v) is int and v >= 0), f"{what} must be null or a whole number >= 0")
    return v


def parse(data) -> dict:
    """Check a snapshot from outside and return it normalised; raise ``SnapshotError`` with a
    reason a person can act on. Nothing is half-checked: ``apply`` trusts what this returns."""
    _need(isinstance(data, dict), "not a JSON object")
    _need(data.get("format") == FORMAT, f"not a room snapshot (format is not {FORMAT!r})")
    version = data.get("version")
    if version != VERSION:
        raise SnapshotError(f"format version {version!r}, this hub reads {VERSION}", version)
    room = data.get("room")
    _need(isinstance(room, str) and ROOM_NAME.fullmatch(room), "room name is missing or bad")
    far = 2**53  # game ms and ticks stay exact in a float for about 4000 years of play
    tick = _int(data.get("tick"), 0, far, "tick")
    now = tick * rules.TICK_MS
    out_round = _round(data.get("round"), far)
    players = data.get("players")
    _need(isinstance(players, list) and len(players) <= MAX_PLAYERS, "players must be a list")
    out_players, ids, slots = [], set(), set()
    for i, p in enumerate(players):
        out_players.append(_player(p, f"players[{i}]", now))
        pid, slot = out_players[-1]["id"], out_players[-1]["slot"]
        _need(pid not in ids, f"players[{i}]: id {pid!r} appears twice")
        _need(slot not in slots, f"players[{i}]: slot {slot} appears twice")
        ids.add(pid)
        slots.add(slot)
    return {
        "format": FORMAT,
        "version": VERSION,
        "room": room,
        "saved_at": _num(data.get("saved_at"), 0, far, "saved_at"),
        "seq": _opt_int(data.get("seq"), "seq"),
        "epoch": _opt_int(data.get("epoch"), "epoch"),
        "tick": tick,
        "round": out_round,
        "next_shot": _int(data.get("next_shot"), 1, far, "next_shot"),
        "players": out_players,
    }


def _opt_id(v, what):
    _need(v is None or isinstance(v, str) and _ID.fullmatch(v), f"{what} must be null or an id")
    return v


def _opt_name(v, what):
    _need(v is None or isinstance(v, str) and 0 < len(v) <= MAX_NAME, f"{what} is bad")
    return v


def _round(rnd, far) -> dict:
    _need(isinstance(rnd, dict), "round is missing")
    _need(rnd.get("phase") in PHASES, f"round.phase must be one of {', '.join(PHASES)}")
    history = rnd.get("history")
    _need(isinstance(history, list) and len(history) <= flow.HISTORY_KEEP, "round.history")
    return {
        "n": _int(rnd.get("n"), 1, far, "round.n"),
        "elapsed": _num(rnd.get("elapsed"), 0, far, "round.elapsed"),
        "phase": rnd["phase"],
        "phase_left": _num(rnd.get("phase_left"), 0, 24 * 3600 * 1000, "round.phase_left"),
        "last_winner": _opt_id(rnd.get("last_winner"), "round.last_winner"),
        "last_winner_name": _opt_name(rnd.get("last_winner_name"), "round.last_winner_name"),
        "history": [_past_round(h, f"round.history[{i}]", far) for i, h in enumerate(history)],
    }


def _past_round(h, where, far) -> dict:
    _need(isinstance(h, dict), f"{where} is not an object")
    _need(h.get("ended_by") in ("score", "time"), f"{where}.ended_by must be score or time")
    scores = h.get("scores")
    _need(isinstance(scores, list) and len(scores) <= MAX_PLAYERS, f"{where}.scores")
    out = []
    for i, x in enumerate(scores):
        w = f"{where}.scores[{i}]"
        _need(isinstance(x, dict) and x.get("kind") in (*KINDS, "bot"), f"{w}.kind is bad")
        out.append({
            "id": _opt_id(x.get("id"), f"{w}.id") or "",
            "name": _opt_name(x.get("name"), f"{w}.name") or "",
            "kind": x["kind"],
            "score": _int(x.get("score"), 0, 2**31, f"{w}.score"),
        })  # fmt: skip
    _need(all(x["id"] and x["name"] for x in out), f"{where}.scores need an id and a name")
    return {
        "n": _int(h.get("n"), 1, far, f"{where}.n"),
        "winner": _opt_id(h.get("winner"), f"{where}.winner"),
        "winner_name": _opt_name(h.get("winner_name"), f"{where}.winner_name"),
        "ended_by": h["ended_by"],
        "scores": out,
    }


def _player(p, where, now) -> dict:
    _need(isinstance(p, dict), f"{where} is not an object")
    pid, name, color = p.get("id"), p.get("name"), p.get("color")
    _need(isinstance(pid, str) and _ID.fullmatch(pid), f"{where}.id is missing or bad")
    _need(isinstance(name, str) and 0 < len(name) <= MAX_NAME, f"{where}.name is bad")
    _need(isinstance(color, str) and _COLOR.fullmatch(color), f"{where}.color must be #rrggbb")
    _need(p.get("kind") in KINDS, f"{where}.kind must be one of {', '.join(KINDS)}")
    _need(type(p.get("alive")) is bool, f"{where}.alive must be true or false")
    aim = p.get("aim")
    _need(isinstance(aim, list) and len(aim) == 2, f"{where}.aim must be [x, y]")
    r = rules.RADIUS
    later = now + 24 * 3600 * 1000  # a cooldown is never longer than a day
    return {
        "id": pid,
        "name": name,
        "slot": _int(p.get("slot"), 0, MAX_PLAYERS - 1, f"{where}.slot"),
        "color": color,
        "kind": p["kind"],
        "x": _num(p.get("x"), r, rules.ARENA_W - r, f"{where}.x"),
        "y": _num(p.get("y"), r, rules.ARENA_H - r, f"{where}.y"),
        "hp": _int(p.get("hp"), 0, rules.MAX_HP, f"{where}.hp"),
        "score": _int(p.get("score"), 0, 2**31, f"{where}.score"),
        "alive": p["alive"],
        "aim": [_num(a, -1, 1, f"{where}.aim") for a in aim],
        "blink_ready": _num(p.get("blink_ready"), 0, later, f"{where}.blink_ready"),
        "shoot_ready": _num(p.get("shoot_ready"), 0, later, f"{where}.shoot_ready"),
        "respawn_at": _num(p.get("respawn_at"), 0, later, f"{where}.respawn_at"),
    }


# Restoring ---------------------------------------------------------------------------------------


def apply(room, snap: dict, now: float):
    """Put a ``parse``d snapshot into ``room``, which must have no players yet. Every player
    starts disconnected, in grace until ``now + room.grace_s`` (``now``: monotonic seconds, the
    clock ``Room.tick`` is given). The room's own settings (score limit, round length, state
    rate, map, lobby, bots) stay those of the hub that restores it."""
    if room.seats or room.game.players:
        raise ValueError(f"room {room.name!r} already has players; restore into a fresh room")
    g, m, r = room.game, room.game.match, snap["round"]
    g.tick = snap["tick"]
    m.round_no, m.elapsed = r["n"], r["elapsed"]
    m.last_winner, m.last_winner_name = r["last_winner"], r["last_winner_name"]
    m.history = [dict(h, scores=[dict(x) for x in h["scores"]]) for h in r["history"]]
    if m.lobby:  # without a lobby (--no-lobby now) the round simply plays on
        m.phase, m.phase_left = r["phase"], r["phase_left"]
    g.next_shot = snap["next_shot"]
    if snap["seq"] is not None:
        room.seq = snap["seq"]
    g.projectiles.clear()
    for p in snap["players"]:
        player = g.add_player(p["id"], p["name"], p["slot"], p["color"], p["kind"])
        player.x, player.y = p["x"], p["y"]
        if not g.arena.free(player.x, player.y, rules.RADIUS):  # another --map than before
            player.x, player.y = g.arena.push_out(player.x, player.y, rules.RADIUS)
        player.hp, player.score, player.alive = p["hp"], p["score"], p["alive"]
        ax, ay = p["aim"]
        if math.hypot(ax, ay) > 0.5:  # a unit vector when written; keep the default otherwise
            player.aim = (ax, ay)
        player.blink_ready, player.shoot_ready = p["blink_ready"], p["shoot_ready"]
        player.respawn_at = p["respawn_at"]
        player.connected = False
        seat = Seat(p["id"], p["kind"], p["slot"])
        seat.grace_until = now + room.grace_s
        room.seats[p["id"]] = seat
