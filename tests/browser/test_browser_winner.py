"""The round's winner is named in the top bar even after the winner has left the game (it used
to show a raw player id), and the session's match history reaches /healthz."""

import json
import urllib.request

from browserkit import Controller, HubProcess, approach, open_game, shoot_until_dead, wait_js
from browserkit import player as find_player


def test_the_last_winner_is_named_after_leaving(browser):
    with HubProcess("--score-limit", "1", "--grace", "0.5") as hub:
        ada = Controller(hub, "Ada", "a6a6a6a6a6a6")
        bob = Controller(hub, "Bob", "b6b6b6b6b6b6")
        page = open_game(browser, hub)
        try:
            wait_js(page, "window.blinkshot.state().players.length === 2")
            bob_id = find_player(page, "Bob")["id"]
            approach([page], ada, "Ada", "Bob")
            shoot_until_dead([page], ada, bob_id)
            wait_js(page, "document.getElementById('round').textContent.includes('won by Ada')")
            ada.close()  # Ada leaves; after the grace period she is gone from the game
            wait_js(page, "!window.blinkshot.state().players.some((p) => p.name === 'Ada')")
            page.wait_for_timeout(200)  # a few frames with Ada gone
            pill = page.locator("#round").inner_text()
            assert "last won by Ada" in pill, pill
            with urllib.request.urlopen(f"{hub.http_url}/healthz", timeout=5) as r:
                doc = json.load(r)
            (room,) = doc["rooms"]
            (last,) = room["history"]
            assert last["winner_name"] == "Ada" and last["ended_by"] == "score"
            assert [s["name"] for s in last["scores"]] == ["Ada", "Bob"]
        finally:
            bob.close()
            errors = page.errors
            page.close()
            assert errors == [], errors
