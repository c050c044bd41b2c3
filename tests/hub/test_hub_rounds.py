"""Round bookkeeping: the clock stands still while nobody plays, the last winner keeps a name
after leaving, and the session's last rounds are remembered (also in /healthz)."""

import asyncio

from gamekit import make, steps

from hub import game as g
from hub.config import Config
from hub.health import health
from hub.match import HISTORY_KEEP
from hub.server import Hub


def kill(game, killer, victim):
    k, v = game.players[killer], game.players[victim]
    k.x, k.y, k.aim = 200, 450, (1.0, 0.0)
    v.x, v.y, v.hp = 300, 450, g.SHOT_DAMAGE
    game.shoot(killer)
    return steps(game, 200)


def test_the_round_clock_stands_still_in_an_empty_room():
    game = make(0, round_ms=5000)
    steps(game, 10_000)
    assert game.round_info()["time_left"] == 5000 and game.round_info()["n"] == 1


def test_the_round_clock_stands_still_while_every_player_is_away():
    game = make(1, round_ms=5000)
    steps(game, 1000)
    game.set_connected("p0", False)
    steps(game, 3000)
    assert game.round_info()["time_left"] == 4000
    game.set_connected("p0", True)
    steps(game, 1000)
    assert game.round_info()["time_left"] == 3000


def test_the_last_winner_keeps_its_name_after_leaving():
    game = make(2, score_limit=1)
    kill(game, "p0", "p1")
    game.remove_player("p0")
    info = game.round_info()
    assert info["last_winner"] == "p0" and info["last_winner_name"] == "P0"


def test_a_round_without_a_winner_has_no_name():
    game = make(2, round_ms=500)
    steps(game, 600)
    assert game.round_info()["last_winner_name"] is None


def test_the_session_remembers_its_last_rounds_with_scores():
    game = make(2, score_limit=2, round_ms=60_000)
    kill(game, "p0", "p1")
    steps(game, g.RESPAWN_MS + 100)
    kill(game, "p1", "p0")
    steps(game, g.RESPAWN_MS + 100)
    kill(game, "p0", "p1")
    (first,) = game.history
    assert first["n"] == 1 and first["winner"] == "p0" and first["winner_name"] == "P0"
    assert first["ended_by"] == "score"
    assert [(s["id"], s["score"]) for s in first["scores"]] == [("p0", 2), ("p1", 1)]
    for _ in range(HISTORY_KEEP + 3):
        game.match.elapsed = game.round_ms
        steps(game, 20)
    assert len(game.history) == HISTORY_KEEP
    assert game.history[-1]["ended_by"] == "time" and game.history[-1]["winner"] is None
    assert [h["n"] for h in game.history] == list(range(5, 5 + HISTORY_KEEP))


def test_healthz_lists_the_rooms_match_history():
    async def body():  # the hub's fan-out wants a running loop
        hub = Hub(Config(beacon=False, score_limit=1, map="open", lobby=False))
        room = hub.room("default")
        room.attach("p0", "controller", "Ada", object(), 0)
        room.attach("p1", "controller", "Bo", object(), 0)
        kill(room.game, "p0", "p1")
        (doc,) = health(hub)["rooms"]
        assert doc["history"][0]["winner_name"] == "Ada"
        assert doc["round"]["last_winner_name"] == "Ada" and doc["round"]["n"] == 2

    asyncio.run(body())
