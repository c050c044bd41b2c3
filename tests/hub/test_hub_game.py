"""Arena rules, stepped by hand: no sockets, no clock."""

import math

import pytest
from gamekit import make, place, steps

from hub import game as g


def test_speed_is_proportional_to_stick_deflection():
    game = make(2)
    place(game, "p0", 400, 450)
    place(game, "p1", 400, 200)
    game.set_stick("p0", 1000, 0)
    game.set_stick("p1", 500, 0)
    steps(game, 1000)
    assert game.players["p0"].x - 400 == pytest.approx(g.SPEED, rel=0.02)
    assert game.players["p1"].x - 400 == pytest.approx(g.SPEED / 2, rel=0.02)


def test_small_stick_noise_does_not_move():
    game = make(1)
    place(game, "p0", 400, 450)
    game.set_stick("p0", 20, -30)
    steps(game, 500)
    assert (game.players["p0"].x, game.players["p0"].y) == (400, 450)


def test_blink_teleports_along_aim_then_cools_down():
    game = make(1)
    place(game, "p0", 400, 450)
    game.set_stick("p0", 0, -1000)  # aim up
    game.set_stick("p0", 0, 0)  # released: aim stays
    ev = game.blink("p0")
    assert ev["from"] == [400, 450] and ev["to"] == [400, 450 - g.BLINK_DIST]
    assert game.blink("p0") is None  # cooldown
    steps(game, g.BLINK_CD_MS + 20)
    assert game.blink("p0") is not None


def test_blink_is_clamped_to_the_arena():
    game = make(1)
    place(game, "p0", 50, 450, aim=(-1.0, 0.0))
    ev = game.blink("p0")
    assert ev["to"] == [g.RADIUS, 450]


def test_mouse_aim_overrides_stick_direction():
    game = make(1)
    place(game, "p0", 400, 450)
    game.set_stick("p0", 1000, 0, aim=(0, 1000))
    assert game.players["p0"].aim == (0.0, 1.0)


def test_shot_hits_damages_and_four_hits_kill_and_score():
    game = make(2)
    place(game, "p0", 200, 450)
    place(game, "p1", 500, 450)
    events = []
    for _ in range(4):
        assert game.shoot("p0") is not None
        events += steps(game, 600)
    hits = [e for e in events if e["type"] == "hit"]
    assert [h["hp"] for h in hits] == [75, 50, 25, 0]
    assert hits[-1]["dead"] and hits[-1]["by"] == "p0"
    assert game.players["p0"].score == 1
    assert not game.players["p1"].alive


def test_shoot_has_cooldown_and_range():
    game = make(1)
    place(game, "p0", 100, 450)
    assert game.shoot("p0") is not None
    assert game.shoot("p0") is None
    steps(game, g.SHOT_RANGE / g.SHOT_SPEED * 1000 + 100)
    assert game.projectiles == {}  # out of range, nothing to hit


def test_dead_player_respawns_after_delay_with_full_hp():
    game = make(2)
    place(game, "p0", 200, 450)
    place(game, "p1", 300, 450)
    game.players["p1"].hp = g.SHOT_DAMAGE
    game.shoot("p0")
    events = steps(game, 200)
    assert {"type": "death", "id": "p1", "by": "p0"} in events
    assert game.shoot("p1") is None and game.blink("p1") is None  # the dead can't act
    events = steps(game, g.RESPAWN_MS)
    assert {"type": "respawn", "id": "p1"} in events
    assert game.players["p1"].alive and game.players["p1"].hp == g.MAX_HP


def test_round_ends_at_score_limit_and_resets_scores():
    game = make(2, score_limit=1)
    place(game, "p0", 200, 450)
    place(game, "p1", 300, 450)
    game.players["p1"].hp = g.SHOT_DAMAGE
    game.shoot("p0")
    events = steps(game, 200)
    assert {"type": "round", "round": 2, "winner": "p0"} in events
    assert all(p.score == 0 and p.alive for p in game.players.values())


def test_round_ends_on_timer():
    game = make(1, round_ms=1000)
    events = steps(game, 1100)
    assert any(e["type"] == "round" for e in events)
    assert game.round_info()["n"] == 2


def test_snapshot_has_everything_a_late_window_needs():
    game = make(2)
    place(game, "p0", 200, 450)
    game.shoot("p0")
    game.blink("p0")
    snap = game.snapshot()
    p0 = next(p for p in snap["players"] if p["id"] == "p0")
    assert p0["blink_cd"] == g.BLINK_CD_MS and p0["shoot_cd"] == g.SHOOT_CD_MS
    assert {"hp", "score", "alive", "connected", "color", "aim", "name", "slot"} <= p0.keys()
    assert len(snap["projectiles"]) == 1 and snap["projectiles"][0]["owner"] == "p0"
    assert snap["round"]["n"] == 1


def test_diagonal_full_stick_is_not_faster():
    game = make(1)
    place(game, "p0", 400, 450)
    game.set_stick("p0", 1000, 1000)
    steps(game, 1000)
    p = game.players["p0"]
    assert math.hypot(p.x - 400, p.y - 450) == pytest.approx(g.SPEED, rel=0.02)
