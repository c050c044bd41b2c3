"""A hub restart: windows show the reconnecting overlay, reconnect with backoff, resync."""

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
    assert watcher.errors == [] and kim.errors == []
    watcher.close()
    kim.close()
