"""What a window needs to predict the game: the rules and the state rate in `welcome`, every
player's stick in `state`, and the state rate's setting (default, env, flag, bad values)."""

import asyncio
import json
import sys
from pathlib import Path

import pytest
from hubkit import inp, next_msg, open_controller, open_window, run, running_hub

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from hub import game as g  # noqa: E402
from hub.config import from_args  # noqa: E402
from hub.rooms import Room  # noqa: E402


def test_wire_rules_are_the_games_own_numbers():
    rules = g.wire_rules()
    assert rules["speed"] == g.SPEED and rules["radius"] == g.RADIUS
    assert rules["dead_zone"] == g.DEAD_ZONE and rules["tick_hz"] == g.TICK_HZ
    assert (rules["arena_w"], rules["arena_h"]) == (g.ARENA_W, g.ARENA_H)
    assert (rules["shot_speed"], rules["shot_range"]) == (g.SHOT_SPEED, g.SHOT_RANGE)
    assert (rules["blink_cd_ms"], rules["shoot_cd_ms"]) == (g.BLINK_CD_MS, g.SHOOT_CD_MS)
    assert json.loads(json.dumps(rules)) == rules


def test_state_players_carry_their_stick_and_a_dropped_controller_stands_still():
    game = g.Game()
    game.add_player("a", "Ada", 0, "#ffffff", "controller")
    game.set_stick("a", 700, -300)
    assert game.snapshot()["players"][0]["stick"] == [700, -300]
    game.set_connected("a", False)  # the hub zeroes it without relaying a move
    assert game.snapshot()["players"][0]["stick"] == [0, 0]


def test_state_rate_defaults_to_30_and_is_set_by_env_or_flag(monkeypatch):
    monkeypatch.delenv("BLINKSHOT_STATE_HZ", raising=False)
    assert from_args([]).state_hz == 30
    monkeypatch.setenv("BLINKSHOT_STATE_HZ", "45")
    assert from_args([]).state_hz == 45
    assert from_args(["--state-hz", "60"]).state_hz == 60


@pytest.mark.parametrize("bad", ["0", "121", "nan"])
def test_a_state_rate_out_of_range_is_refused_with_the_option_named(bad, capsys):
    with pytest.raises(SystemExit):
        from_args(["--state-hz", bad])
    assert "--state-hz must be from 1 to 120" in capsys.readouterr().err


def test_welcome_brings_the_rules_and_the_state_rate_and_states_the_stick():
    async def body():
        async with running_hub(state_hz=40.0) as hub:
            w, welcome = await open_window(hub)
            assert welcome["rules"] == g.wire_rules() and welcome["state_hz"] == 40
            c, _ = await open_controller(hub)
            await c.send(inp(1, x=1000, y=0))
            s = await next_msg(w, "state", lambda m: m["players"])
            while s["players"][0]["stick"] != [1000, 0]:
                s = await next_msg(w, "state")
            await c.close()
            await w.close()

    run(asyncio.wait_for(body(), 20))


def test_a_room_sends_states_at_its_rate():
    sent = []
    room = Room("r", lambda msg, key: sent.append(json.loads(msg)), lambda *a: None, state_hz=40)
    for i in range(121):  # two seconds of 60 Hz ticks, on a made-up clock
        room.tick(i / 60, t=i)
    assert abs(sum(1 for m in sent if m["type"] == "state") - 80) <= 1


def test_states_inputs_and_hits_carry_the_hub_time_of_the_game_clock():
    sent = []
    room = Room("r", lambda msg, key: sent.append(json.loads(msg)), lambda *a: None)
    room.attach("a", "controller", "A", "ca", 0)
    room.attach("b", "controller", "B", "cb", 0)
    room.game.players["a"].x, room.game.players["a"].y = 300.0, 300.0
    room.game.players["b"].x, room.game.players["b"].y = 400.0, 300.0
    room.input("a", {"seq": 1, "presses": [0, 0, 0], "x": 0, "y": 0}, 0)  # the baseline
    # Wall clock (ms) 5000 ahead of the monotonic seconds; the first pass at 4 ms.
    for i in range(7):
        now = i / 60 + 0.004
        room.tick(now, t=5000 + now * 1000)
    state = [m for m in sent if m["type"] == "state"][-1]
    # The game clock started at the first pass (5004) and ticks every 1/60 s from there.
    clock_t = 5004 + room.game.tick / 60 * 1000
    assert state["tick_t"] == pytest.approx(clock_t, abs=0.01) and state["t"] >= state["tick_t"]
    room.input("a", {"seq": 2, "presses": [0, 1, 0], "x": 900, "y": 0}, 5110)
    move = next(m for m in sent if m["type"] == "move")
    shot = next(m for m in sent if m["type"] == "shoot")
    assert move["tick_t"] == shot["tick_t"] == state["tick_t"]
    for i in range(7, 30):
        now = i / 60 + 0.004
        room.tick(now, t=5000 + now * 1000)
    hit = next(m for m in sent if m["type"] == "hit")
    ticks = (hit["tick_t"] - 5004) * 0.06  # on a tick of the game clock
    assert ticks == pytest.approx(round(ticks), abs=1e-3)
    assert state["tick_t"] < hit["tick_t"] < hit["t"]
