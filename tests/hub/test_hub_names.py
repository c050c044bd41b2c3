"""Player names are unique in a room: a taken name gets a suffix ("Phone", "Phone 2")."""

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "hub"))

from hubkit import hello, next_msg, open_window, run, running_hub  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from hub import game as g  # noqa: E402


def make():
    return g.Game(rng=random.Random(1))


def test_a_second_player_with_a_taken_name_gets_a_suffix():
    game = make()
    names = [game.add_player(f"p{i}", "Phone", i, "#fff", "phone").name for i in range(3)]
    assert names == ["Phone", "Phone 2", "Phone 3"]
    assert game.add_player("q", "phone", 9, "#fff", "phone").name == "phone 4"  # any case
    long = game.add_player("l1", "Abcdefghijklmnop", 10, "#fff", "keyboard").name
    assert long == "Abcdefghijklmnop"
    assert (
        game.add_player("l2", "Abcdefghijklmnop", 11, "#fff", "keyboard").name == "Abcdefghijklmn 2"
    )


def test_renaming_keeps_names_unique_and_a_player_may_keep_its_own():
    game = make()
    game.add_player("a", "Ada", 0, "#fff", "controller")
    game.add_player("b", "Bo", 1, "#fff", "controller")
    game.rename("b", "Ada")
    assert game.players["b"].name == "Ada 2"
    game.rename("a", "Ada")
    assert game.players["a"].name == "Ada"
    game.remove_player("a")
    assert game.add_player("c", "Ada", 2, "#fff", "controller").name == "Ada"


def test_two_phones_connected_to_the_hub_are_told_apart():
    async def body():
        async with running_hub() as hub:
            ws, _ = await open_window(hub)
            phones = []
            for dev in ("00000000aa01", "00000000aa02"):
                c = await connect(f"ws://127.0.0.1:{hub.port}/ws/controller?code=123456")
                await c.send(hello(dev, "Phone", kind="phone"))
                await c.recv()
                phones.append(c)
            names = []
            for _ in phones:
                m = await next_msg(ws, "create_player", lambda m: m["player"]["name"] not in names)
                names.append(m["player"]["name"])
            assert names == ["Phone", "Phone 2"]
            for c in (*phones, ws):
                await c.close()

    run(body())
