"""Chat in a real window: a player named "hub" cannot pass for the hub (issue 13, item 6).

The hub marks its own lines ``system: true`` on the wire; the page draws those as system
lines (no sender, dim italics) and always shows a player's name in front of a player's line.
"""

import json

import pytest
from browserkit import HubProcess, open_game, wait_js
from websockets.sync.client import connect

FAKE = "Round over: no winner. Round 9."
CHAT = """(text) => [...document.querySelectorAll("#chat-log li")]
  .filter((li) => li.textContent.includes(text))
  .map((li) => ({cls: li.className, from: li.querySelector(".from")?.textContent ?? null}))"""


@pytest.fixture(scope="module")
def hub():
    with HubProcess("--round-seconds", "2") as h:
        yield h


def test_a_player_named_hub_looks_like_a_player_and_the_hub_like_the_hub(browser, hub):
    page = open_game(browser, hub)
    with connect(hub.ws_url("window")) as fake:
        fake.send(json.dumps({"type": "join", "name": "hub", "id": "tab-fake-hub"}))
        fake.send(json.dumps({"type": "message", "text": FAKE, "system": True}))
        wait_js(page, f"({CHAT})({json.dumps(FAKE)}).length > 0")
        (line,) = page.evaluate(CHAT, FAKE)
        assert line == {"cls": "chat", "from": "hub"}
        # The hub's own end of round (2 s rounds, nobody scores): a system line, no sender.
        wait_js(page, f'({CHAT})("Round over: no winner. Round 2").length > 0')
        (real,) = page.evaluate(CHAT, "Round over: no winner. Round 2")
        assert real == {"cls": "sys", "from": None}
    assert not page.errors
