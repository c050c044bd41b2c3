"""Real Chromium answers the hub's read checks (docs/security.md, "stalled windows"): a game
window stays connected far past the stall limit, even while its page is busy for longer than
the limit (the browser's network code answers pings off the page's main thread)."""

import time

import pytest
from browserkit import Controller, HubProcess, open_game, wait_js, wait_player

STALL_S = 1.0  # short, so the test is; the read checks still run every 0.5 s


@pytest.fixture
def strict_hub():
    with HubProcess("--stall-timeout", STALL_S) as h:
        yield h


def test_a_window_and_a_busy_page_keep_answering_the_read_checks(browser, strict_hub):
    page = open_game(browser, strict_hub)
    page.evaluate(
        "() => { window.__closes = [];"
        " window.blinkshot.client.on('close', (c) => window.__closes.push(c.code)); }"
    )
    ada = Controller(strict_hub, "Ada", "a2a2a2a2a2a2")
    wait_player(page, "Ada")
    end = time.monotonic() + 4 * STALL_S
    while time.monotonic() < end:  # states flow: Ada keeps moving
        ada.x = 900 if ada.x <= 0 else -900
        ada.send()
        time.sleep(0.05)
    # The page's main thread blocked for three stall limits, as a heavy frame or a long GC.
    page.evaluate(f"() => {{ const t = Date.now() + {3000 * STALL_S}; while (Date.now() < t); }}")
    time.sleep(STALL_S)
    wait_js(page, "window.blinkshot.client.connected")
    assert page.evaluate("window.__closes") == []
    assert "window_stalled" not in strict_hub.output()
    ada.close()
    page.close()
