"""A hub cut off from Redis (--redis): the page on a process that follows the room shows the link
bar, dims and freezes the game (no player walks on a guess), and goes live again once Redis is
back. Real Chromium, two real hub processes, a real redis-server stopped and started."""

import time

import pytest
from browserkit import Controller, HubProcess, open_game, player, wait_js, wait_player
from redisproc import RedisProcess


@pytest.fixture
def cluster():
    with RedisProcess() as redis:
        with HubProcess("--redis", redis.url) as a, HubProcess("--redis", redis.url) as b:
            yield redis, a, b


def walk_across(ada, page):
    """Ada walks toward the far side of the arena (a long walk: she is moving for seconds)."""
    ada.stick(1000 if player(page, "Ada")["x"] < 800 else -1000, 0)


def drawn_x(page):
    return player(page, "Ada")["drawn"]["x"]


def test_the_link_bar_freezes_a_followed_game_and_goes_when_redis_is_back(browser, cluster):
    redis, a, b = cluster
    ada = Controller(a, "Ada", "a1a1a1a1a1a1")  # A runs the room; the page is on B
    page = open_game(browser, b)
    wait_player(page, "Ada")
    assert not page.evaluate("window.blinkshot.link().shown")
    assert page.locator("#link").is_hidden()

    walk_across(ada, page)
    wait_player(page, "Ada", "p.drawn && Math.abs(p.stick[0]) === 1000")
    redis.stop()
    # B may first find A silent (A's news stops while redis-server shuts down; the bar says so
    # and freezes the game too), then finds Redis gone: the bar ends on the link's own words
    link = "window.blinkshot.link()"
    wait_js(page, f"{link}.frozen && {link}.text.includes('Reconnecting')")
    bar = page.evaluate(link)
    assert bar["paused"] and "paused" in bar["text"] and "Reconnecting" in bar["text"]
    assert page.locator("#link").is_visible()
    assert page.evaluate("document.body.classList.contains('link-paused')")
    frozen = drawn_x(page)
    time.sleep(0.6)  # Ada walks on in A's game; this page must not guess where she is
    assert drawn_x(page) == frozen
    assert page.evaluate("window.blinkshot.client.connected")  # the window itself is fine

    redis.start()  # empty, on the same port
    wait_js(page, "!window.blinkshot.link().shown", timeout=15_000)
    assert page.locator("#link").is_hidden()
    assert not page.evaluate("document.body.classList.contains('link-paused')")
    walk_across(ada, page)
    time.sleep(0.3)
    assert drawn_x(page) != frozen  # live again: the page draws A's game as it goes on
    assert page.errors == []
    ada.close()
    page.close()
