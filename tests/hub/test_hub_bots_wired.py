"""Bots in a running hub: --bots / BLINKSHOT_BOTS, they join when a human plays, their inputs
reach windows like a controller's, and they leave as humans fill the room."""

import asyncio
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "hub"))

from hubkit import inp, next_msg, open_controller, open_window, run, running_hub  # noqa: E402

from hub.config import from_args  # noqa: E402


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("BOTS", "BOT_LEVEL"):
        monkeypatch.delenv("BLINKSHOT_" + name, raising=False)


def test_bot_options_from_flags_and_environment(monkeypatch):
    cfg = from_args([])
    assert (cfg.bots, cfg.bot_level) == (0, "normal")
    assert from_args(["--bots", "3", "--bot-level", "hard"]).bots == 3
    monkeypatch.setenv("BLINKSHOT_BOTS", "2")
    monkeypatch.setenv("BLINKSHOT_BOT_LEVEL", "easy")
    cfg = from_args([])
    assert (cfg.bots, cfg.bot_level) == (2, "easy")


@pytest.mark.parametrize(
    ("argv", "env", "words"),
    [
        (["--bots", "16"], {}, ["0 to 15", "BLINKSHOT_BOTS"]),
        (["--bots", "-1"], {}, ["0 to 15"]),
        ([], {"BLINKSHOT_BOT_LEVEL": "godlike"}, ["godlike", "easy, normal, hard"]),
    ],
)
def test_bad_bot_options_are_refused_clearly(argv, env, words, monkeypatch, capsys):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SystemExit):
        from_args(argv)
    err = capsys.readouterr().err
    assert all(w in err for w in words), err


def test_bots_join_a_human_play_like_controllers_and_leave_as_humans_come():
    async def body():
        async with running_hub(bots=2, bot_level="hard") as hub:
            ws, _ = await open_window(hub)
            await asyncio.sleep(0.1)
            assert hub.rooms["default"].seats == {}, "no bots in an empty room"
            ada, _ = await open_controller(hub, dev="0000000000a1", name="Ada")
            await ada.send(inp(1))
            bots = set()
            while len(bots) < 2:
                m = await next_msg(ws, "create_player", lambda m: m["player"]["kind"] == "bot")
                bots.add(m["player"]["id"])
            move = await next_msg(ws, "move", lambda m: m["id"] in bots)
            assert "cseq" in move  # a bot's input is relayed as a controller's is
            bo, _ = await open_controller(hub, dev="0000000000b2", name="Bo")
            gone = await next_msg(ws, "remove_player", lambda m: m["id"] in bots)
            assert gone["id"] in bots
            kinds = sorted(s.kind for s in hub.rooms["default"].seats.values())
            assert kinds == ["bot", "controller", "controller"]
            for c in (ada, bo, ws):
                await c.close()

    run(body())
