"""Choosing the map: --map and BLINKSHOT_MAP, every room of the hub on it, sent in welcome."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "hub"))
sys.path.insert(0, str(ROOT / "tests"))

from hubkit import next_msg, open_controller, open_window, run, running_hub  # noqa: E402

from hub import config, maps  # noqa: E402
from hub.config import Config, from_args  # noqa: E402
from hub.server import Hub  # noqa: E402


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    monkeypatch.delenv("BLINKSHOT_MAP", raising=False)


def test_the_default_map_has_cover():
    cfg = from_args([])
    assert cfg.map == maps.DEFAULT and maps.load(cfg.map).obstacles


def test_map_from_the_command_line_and_the_environment(monkeypatch):
    assert from_args(["--map", "bunkers"]).map == "bunkers"
    monkeypatch.setenv("BLINKSHOT_MAP", "crossroads")
    assert from_args([]).map == "crossroads"
    assert from_args(["--map", "open"]).map == "open"


@pytest.mark.parametrize("how", ["flag", "env"])
def test_an_unknown_map_is_refused_with_the_choices(how, monkeypatch, capsys):
    argv = ["--map", "lava"] if how == "flag" else []
    if how == "env":
        monkeypatch.setenv("BLINKSHOT_MAP", "lava")
    with pytest.raises(SystemExit):
        from_args(argv)
    err = capsys.readouterr().err
    assert "lava" in err and "pillars" in err and "crossroads" in err


def test_help_lists_the_maps_and_the_variable():
    text = config.parser().format_help()
    assert "--map" in text and "BLINKSHOT_MAP" in text and "bunkers" in text


def test_every_room_of_the_hub_plays_on_the_configured_map():
    hub = Hub(Config(map="bunkers", beacon=False))
    for name in ("default", "other"):
        assert hub.room(name).game.arena.name == "bunkers"
    assert hub.room("a").game.arena is not hub.room("b").game.arena  # no shared state


def test_welcome_carries_the_map_and_players_spawn_clear_of_it():
    async def body():
        async with running_hub(map="crossroads") as hub:
            ws, welcome = await open_window(hub)
            arena = maps.load("crossroads")
            assert welcome["rules"]["map"] == arena.to_wire()
            ctl, _ = await open_controller(hub)
            p = (await next_msg(ws, "create_player"))["player"]
            assert arena.free(p["x"], p["y"], welcome["rules"]["radius"] - 0.1)
            await ctl.close()
            await ws.close()

    run(body())


def test_the_hub_process_names_its_map_and_refuses_an_unknown_one():
    from hubproc import HubProcess

    with HubProcess("--map", "bunkers") as hub:
        hub.wait_for_output(r"map: bunkers")
    env = {**os.environ, "BLINKSHOT_MAP": "lava"}
    bad = subprocess.run([sys.executable, "-m", "hub", "--port", "0"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=30)  # fmt: skip
    assert bad.returncode == 2 and "BLINKSHOT_MAP" in bad.stderr and "bunkers" in bad.stderr
