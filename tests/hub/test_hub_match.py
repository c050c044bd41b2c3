"""The match flow with the lobby on: waiting for a second player, a countdown, the round, a
podium with the round's scoreboard, the next countdown."""

import random

import gamekit
from gamekit import add, steps

from hub import game as g
from hub import match as m


def make(n, **kw):
    return gamekit.make(n, lobby=True, **kw)


def phase(game):
    return game.round_info()["phase"]


def duel(game):
    a, b = game.players["p0"], game.players["p1"]
    a.x, a.y, a.aim = 200, 450, (1.0, 0.0)
    b.x, b.y = 300, 450
    return a, b


def test_a_lone_player_warms_up_while_the_clock_waits():
    game = make(1, round_ms=5000)
    steps(game, 10_000)
    assert phase(game) == "waiting" and game.round_info()["time_left"] == 5000
    assert game.shoot("p0") is not None and game.blink("p0") is not None  # warming up


def test_a_second_player_starts_a_countdown_without_shooting_then_the_round():
    game = make(1)
    add(game, 1)
    steps(game, 20)
    info = game.round_info()
    assert info["phase"] == "countdown" and 0 < info["phase_left"] <= m.COUNTDOWN_MS
    assert game.shoot("p0") is None and game.blink("p1") is None
    game.set_stick("p0", 1000, 0)
    x = game.players["p0"].x
    steps(game, 200)
    assert game.players["p0"].x > x  # moving is fine
    steps(game, m.COUNTDOWN_MS)
    assert phase(game) == "playing" and game.shoot("p0") is not None


def test_the_countdown_starts_everyone_apart_with_no_score():
    game = make(1)
    game.players["p0"].score = 3
    p1 = add(game, 1)
    p1.x, p1.y = game.players["p0"].x + 5, game.players["p0"].y
    steps(game, 20)
    a, b = game.players["p0"], game.players["p1"]
    assert a.score == 0 and ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5 > 300


def test_a_countdown_goes_back_to_waiting_when_a_player_leaves():
    game = make(2)
    steps(game, 500)
    game.set_connected("p1", False)
    steps(game, 20)
    assert phase(game) == "waiting"


def test_bots_count_as_players():
    game = make(1)
    add(game, 1, kind="bot")
    steps(game, 20)
    assert phase(game) == "countdown"


def test_a_round_ends_on_a_podium_with_its_scoreboard_then_a_new_countdown():
    game = make(2, score_limit=1)
    steps(game, m.COUNTDOWN_MS + 50)
    a, b = duel(game)
    b.hp = g.SHOT_DAMAGE
    game.shoot("p0")
    events = steps(game, 200)
    assert {"type": "round", "round": 2, "winner": "p0"} in events
    info = game.round_info()
    assert info["phase"] == "podium" and info["n"] == 2
    podium = info["podium"]
    assert podium["n"] == 1 and podium["winner_name"] == "P0"
    assert [(s["name"], s["score"]) for s in podium["scores"]] == [("P0", 1), ("P1", 0)]
    assert game.shoot("p1") is None  # no shooting on the podium
    steps(game, m.PODIUM_MS)
    assert phase(game) == "countdown" and "podium" not in game.round_info()
    steps(game, m.COUNTDOWN_MS)
    assert phase(game) == "playing" and game.round_info()["time_left"] > game.round_ms - 200


def test_after_the_podium_a_lone_player_waits_again():
    game = make(2, round_ms=1000)
    steps(game, m.COUNTDOWN_MS + 1100)
    assert phase(game) == "podium"
    game.remove_player("p1")
    steps(game, m.PODIUM_MS + 20)
    assert phase(game) == "waiting"


def test_without_the_lobby_rounds_follow_at_once():
    game = g.Game(rng=random.Random(1), round_ms=1000)
    add(game, 0)
    assert phase(game) == "playing"
    steps(game, 1100)
    assert phase(game) == "playing" and game.round_info()["n"] == 2


# The hub's option ----------------------------------------------------------------------------


def test_the_lobby_is_on_by_default_and_no_lobby_turns_it_off(monkeypatch):
    from hub.config import from_args

    monkeypatch.delenv("BLINKSHOT_NO_LOBBY", raising=False)
    assert from_args([]).lobby is True
    assert from_args(["--no-lobby"]).lobby is False
    monkeypatch.setenv("BLINKSHOT_NO_LOBBY", "1")
    assert from_args([]).lobby is False


def test_a_hub_with_the_lobby_counts_down_before_two_controllers_may_shoot():
    import asyncio
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from hubkit import inp, next_msg, open_controller, open_window, run, running_hub

    async def body():
        async with running_hub(lobby=True) as hub:
            ws, _ = await open_window(hub)
            state = await next_msg(ws, "state")
            assert state["round"]["phase"] == "waiting"
            a, _ = await open_controller(hub, dev="00000000c0a1", name="A")
            b, _ = await open_controller(hub, dev="00000000c0b2", name="B")
            state = await next_msg(ws, "state", lambda s: s["round"]["phase"] == "countdown")
            assert state["round"]["phase_left"] > 0
            await a.send(inp(1))
            await a.send(inp(2, presses=(0, 1, 0), x=1000))
            await asyncio.sleep(0.1)
            assert hub.rooms["default"].game.projectiles == {}  # no shot during the countdown
            await next_msg(ws, "state", lambda s: s["round"]["phase"] == "playing", timeout=6)
            await a.send(inp(3, presses=(0, 2, 0), x=1000))
            await next_msg(ws, "shoot")
            for c in (a, b, ws):
                await c.close()

    run(body(), timeout=30)


def test_between_rounds_the_state_lists_the_last_rounds_newest_first_not_during_play():
    game = make(2, score_limit=1)
    steps(game, m.COUNTDOWN_MS + 100)
    for n in range(1, 8):
        a, b = duel(game)
        game.players["p0"].score = 1 if n % 2 else 0
        game.players["p1"].score = 0 if n % 2 else 1
        steps(game, 20)  # the score limit ends the round
        info = game.round_info()
        assert info["phase"] == "podium"
        newest = info["recent"][0]
        assert newest["n"] == n and newest["winner_name"] == ("P0" if n % 2 else "P1")
        assert newest["top"][0] == [newest["winner_name"], 1]
        assert len(info["recent"]) == min(n, m.RECENT_SHOWN)
        steps(game, m.PODIUM_MS + m.COUNTDOWN_MS + 100)
        assert phase(game) == "playing" and "recent" not in game.round_info()
