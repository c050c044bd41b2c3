"""Three game windows and two controllers on one real hub: every window shows the same game."""

import math
import time

import browserkit
import pytest
from browserkit import (
    Controller,
    events,
    open_game,
    player,
    settled,
    shoot_until_dead,
    state,
    wait_js,
    wait_player,
    wait_until,
)


@pytest.fixture(scope="module")
def game(browser, hub):
    ada = Controller(hub, "Ada", "a0a0a0a0a0a0")
    bob = Controller(hub, "Bob", "b0b0b0b0b0b0")
    pages = [open_game(browser, hub) for _ in range(3)]
    for page in pages:
        wait_player(page, "Ada")
        wait_player(page, "Bob")
    yield {"ada": ada, "bob": bob, "pages": pages}
    for c in (ada, bob):
        c.close()
    for page in pages:
        assert page.errors == [], f"page errors: {page.errors}"
        page.close()


def test_players_appear_in_every_window(game):
    for page in game["pages"]:
        s = state(page)
        names = sorted(p["name"] for p in s["players"])
        assert names == ["Ada", "Bob"]
        ada = player(page, "Ada")
        assert ada["kind"] == "controller" and ada["color"] == game["ada"].color
        assert ada["hp"] == 100 and ada["alive"]
    # The score board lists them too.
    rows = game["pages"][0].locator("#score-list li").all_inner_texts()
    assert len(rows) == 2 and any("Ada" in r for r in rows)


def test_movement_agrees_across_windows(game):
    pages, ada = game["pages"], game["ada"]
    before = settled(pages, "Ada")
    direction = -1 if before["x"] > 800 else 1  # move toward the middle, away from the wall
    ada.stick(1000 * direction, 0)
    for page in pages:
        wait_player(page, "Ada", f"Math.abs(p.x - {before['x']}) > 60")
    ada.stick(0, 0)
    after = settled(pages, "Ada")
    assert (after["x"] - before["x"]) * direction > 60
    assert abs(after["y"] - before["y"]) < 1


def approach(game, mover, target):
    return browserkit.approach(game["pages"], game[mover.lower()], mover, target)


def test_shoot_hit_and_death_agree_across_windows(game):
    pages, ada, bob = game["pages"], game["ada"], game["bob"]
    approach(game, "Ada", "Bob")
    bob_id = player(pages[0], "Bob")["id"]
    ada_id = player(pages[0], "Ada")["id"]
    shoot_until_dead(pages, ada, bob_id)
    # Every window saw the same shots and hits, with the same room sequence numbers.
    seen = [
        [(e["type"], e["seq"]) for e in events(p) if e["type"] in ("shoot", "hit")] for p in pages
    ]
    assert seen[0] == seen[1] == seen[2]
    shots = events(pages[0], "shoot")
    assert len(shots) >= 4 and all(s["id"] == ada_id for s in shots)
    death = [e for e in events(pages[0], "hit") if e["dead"]]
    assert len(death) == 1 and death[0]["id"] == bob_id and death[0]["by"] == ada_id
    for page in pages:
        wait_player(page, "Ada", "p.score === 1")
    # Bob's controller felt it: hit feedback, then death feedback.
    wait_until(lambda: {1, 2} <= {k for k, _ in bob.feedback}, what="hit and death feedback")
    # Bob respawns with full HP in every window.
    for page in pages:
        wait_player(page, "Bob", "p.alive && p.hp === 100")


def test_blink_agrees_across_windows(game):
    pages, ada = game["pages"], game["ada"]
    start = settled(pages, "Ada")
    ada.aim(800 - start["x"], 450 - start["y"])  # toward the middle: the full blink fits
    ada.tap("blink")
    blinks = []
    for page in pages:
        wait_js(page, "window.blinkshot.events.some((e) => e.type === 'blink')")
        blinks.append(events(page, "blink")[-1])
    assert blinks[0] == blinks[1] == blinks[2]
    b = blinks[0]
    assert math.dist(b["from"], b["to"]) > 150, "a blink is a long jump"
    after = settled(pages, "Ada")
    assert math.dist((after["x"], after["y"]), b["to"]) <= 1.0
    for page in pages:
        drawn = player(page, "Ada")["drawn"]
        assert math.dist((drawn["x"], drawn["y"]), b["to"]) <= 1.0


def test_late_window_shows_the_game_at_once(game, browser, hub):
    late = browser.new_page(viewport={"width": 900, "height": 900})  # another aspect ratio
    late.goto(hub.http_url + "/")
    wait_js(
        late,
        "window.blinkshot && window.blinkshot.state()"
        " && window.blinkshot.state().players.length === 2",
    )
    ada_here = settled([late, *game["pages"]], "Ada")
    assert ada_here["hp"] == player(game["pages"][0], "Ada")["hp"]
    assert player(late, "Ada")["score"] == player(game["pages"][0], "Ada")["score"] == 1
    # The hub sends the full state right after the welcome: the first state follows the
    # connection within a second even on a loaded machine.
    t = late.evaluate("window.blinkshot.timing")
    assert t["first_state"] - t["open"] < 1000, t
    late.close()


def test_keyboard_player_moves_blinks_and_shoots(game, browser, hub):
    kim = open_game(browser, hub, "?play=Kim")
    watcher = game["pages"][0]
    me = wait_js(kim, "window.blinkshot.state().me")
    start = wait_player(watcher, "Kim")
    assert start["id"] == me and start["kind"] == "keyboard"
    key = "KeyD" if start["x"] < 800 else "KeyA"
    kim.keyboard.down(key)
    wait_player(watcher, "Kim", f"Math.abs(p.x - {start['x']}) > 60")
    kim.keyboard.up(key)
    kim.keyboard.press("Space")
    kim.keyboard.press("KeyF")
    wait_js(
        watcher,
        "(id) => window.blinkshot.events.some((e) => e.type === 'blink' && e.id === id)",
        me,
    )
    wait_js(
        watcher,
        "(id) => window.blinkshot.events.some((e) => e.type === 'shoot' && e.id === id)",
        me,
    )
    # A reload keeps the same keyboard player (its id lives in the tab's sessionStorage).
    kim.reload()
    wait_js(
        kim, "window.blinkshot && window.blinkshot.client.connected && window.blinkshot.state()"
    )
    assert wait_js(kim, "window.blinkshot.state().me") == me
    time.sleep(0.3)
    kims = [p for p in state(watcher)["players"] if p["name"] == "Kim"]
    assert len(kims) == 1 and kims[0]["id"] == me
    kim.close()


def test_chat_reaches_other_windows(game):
    a, b = game["pages"][0], game["pages"][1]
    a.keyboard.press("Enter")
    a.keyboard.type("good game")
    a.keyboard.press("Enter")
    wait_js(
        b, "window.blinkshot.events.some((e) => e.type === 'message' && e.text === 'good game')"
    )
    assert "good game" in b.locator("#chat-log").inner_text()


def test_latency_overlay_and_stats(game):
    page = game["pages"][2]
    assert page.locator("#latency").is_hidden()
    page.keyboard.press("l")
    assert page.locator("#latency").is_visible()
    wait_js(page, "document.querySelectorAll('#latency-rows tr').length >= 2")
    stats = wait_js(
        page,
        "(() => { const s = window.blinkshot.stats();"
        " return s.fps > 0 && s.rtt_ms !== null ? s : null; })()",
    )
    names = {p["name"] for p in stats["players"]}
    assert {"Ada", "Bob"} <= names
    assert all(
        p["hub_to_window_ms"] is not None and p["hub_to_window_ms"] >= 0 for p in stats["players"]
    )
    page.keyboard.press("l")
    assert page.locator("#latency").is_hidden()
