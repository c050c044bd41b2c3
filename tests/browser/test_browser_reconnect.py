"""A hub restart: windows show the reconnecting overlay, reconnect with backoff, resync."""

import time

import pytest
from browserkit import Controller, HubProcess, open_game, wait_js, wait_player


@pytest.fixture
def own_hub():
    with HubProcess() as h:
        yield h


def test_hub_restart_shows_overlay_then_reconnects(browser, own_hub):
    hub = own_hub
    watcher = open_game(browser, hub)
    kim = open_game(browser, hub, "?play=Kim")
    kim_id = wait_js(kim, "window.blinkshot.state().me")
    wait_player(watcher, "Kim")
    ada = Controller(hub, "Ada", "a1a1a1a1a1a1")
    wait_player(watcher, "Ada")
    assert not watcher.evaluate("window.blinkshot.overlay().shown")

    hub.stop()
    ada.close()
    for page in (watcher, kim):
        wait_js(page, "window.blinkshot.overlay().shown && !window.blinkshot.client.connected")
        overlay = page.evaluate("window.blinkshot.overlay()")
        assert overlay["title"] == "Reconnecting…"
        assert "Next try in" in overlay["text"]
        assert page.locator("#overlay").is_visible()
        assert "on" not in (page.locator("#status").get_attribute("class") or "")
    # It keeps trying, backing off, while the hub is down.
    wait_js(watcher, "window.blinkshot.client.attempt >= 3")

    hub.start()  # same port
    for page in (watcher, kim):
        wait_js(page, "window.blinkshot.client.connected && !window.blinkshot.overlay().shown")
    assert watcher.locator("#overlay").is_hidden()
    # The keyboard window joined again by itself, as the same player; the new hub's state
    # reaches the windows, and a controller that comes back shows up.
    assert wait_player(watcher, "Kim")["id"] == kim_id
    ada = Controller(hub, "Ada", "a1a1a1a1a1a1")
    wait_player(watcher, "Ada")
    wait_player(kim, "Ada")
    ada.close()
    # And once more in one go, with HubProcess.restart().
    watcher.evaluate(
        "() => { window.__closes = [];"
        " window.blinkshot.client.on('close', (c) => window.__closes.push(c)); }"
    )
    hub.restart()
    wait_js(watcher, "window.__closes.length >= 1 && window.blinkshot.client.connected")
    assert watcher.evaluate("window.__closes[0].code") == 1001  # "hub shutting down; reconnect"
    wait_js(watcher, "!window.blinkshot.overlay().shown")
    assert wait_player(watcher, "Kim")["id"] == kim_id
    assert watcher.errors == [] and kim.errors == []
    watcher.close()
    kim.close()


def test_wrong_code_asks_for_the_right_one(browser, hub):
    page = browser.new_page()
    page.goto(f"{hub.http_url}/?code=000000")
    wait_js(page, "window.blinkshot && window.blinkshot.overlay().title === 'Wrong pairing code'")
    assert "pairing code" in page.evaluate("window.blinkshot.overlay().text").lower()
    assert page.locator("#code-form").is_visible()
    page.fill("#code-input", hub.code)
    page.press("#code-input", "Enter")
    wait_js(page, "window.blinkshot.client.connected && !window.blinkshot.overlay().shown")
    page.close()


def test_frozen_background_window_catches_up(browser, hub):
    """A window whose page stops running (background tab) shows the current game on return."""
    watcher = open_game(browser, hub)
    sleeper = open_game(browser, hub)
    ada = Controller(hub, "Ada", "a2a2a2a2a2a2")
    start = wait_player(sleeper, "Ada")
    cdp = sleeper.context.new_cdp_session(sleeper)
    cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
    ada.stick(1000 if start["x"] < 800 else -1000, 0)
    moved = wait_player(watcher, "Ada", f"Math.abs(p.x - {start['x']}) > 150")
    ada.stick(0, 0)
    time.sleep(0.3)  # let the hub's last move reach every window
    cdp.send("Page.setWebLifecycleState", {"state": "active"})
    final = wait_player(
        watcher, "Ada", "p.drawn && Math.hypot(p.drawn.x - p.x, p.drawn.y - p.y) < 1"
    )
    assert abs(final["x"] - start["x"]) >= abs(moved["x"] - start["x"])
    # Once awake, the sleeper draws Ada where the awake window does, within 1 px.
    fn = (
        "([x, y]) => { const p = window.blinkshot.state().players.find((q) => q.name === 'Ada');"
        " return p && p.drawn && Math.hypot(p.drawn.x - x, p.drawn.y - y) <= 1; }"
    )
    wait_js(sleeper, fn, [final["x"], final["y"]])
    ada.close()
    cdp.detach()
    watcher.close()
    sleeper.close()


def test_page_without_room_uses_the_hubs_default_room(browser):
    with HubProcess(room="arena") as hub:
        page = open_game(browser, hub)
        assert page.evaluate("window.blinkshot.client.welcome.room") == "arena"
        assert page.locator("#pair-room").inner_text() == "arena"
        page.close()


def test_hub_restarted_with_a_new_code_is_picked_up_on_its_machine(browser):
    with HubProcess(code="111111") as hub:
        page = open_game(browser, hub)
        hub.stop()
        hub.code = "222222"
        hub.start()
        wait_js(
            page, "window.blinkshot.client.connected && window.blinkshot.client.code === '222222'"
        )
        assert not page.evaluate("window.blinkshot.overlay().shown")
        page.close()
