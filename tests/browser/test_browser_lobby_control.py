"""The lobby's leftovers in real Chromium (issue 14): bots added and removed from the page, on
the waiting card and during play; the banner when a round ends on a podium; the match history
on the lobby card; the recent chat and kill feed for a window that opens late."""

from browserkit import (
    CARD,
    LOBBY,
    Controller,
    HubProcess,
    close_checked,
    knock_out,
    open_game,
    wait_js,
)


def bots_in(page):
    return page.evaluate("window.blinkshot.state().players.filter((p) => p.kind === 'bot').length")


def test_bots_are_added_from_the_waiting_card_and_removed_during_play(browser):
    with HubProcess(env=LOBBY) as hub:
        page = open_game(browser, hub, "?play=Kim")
        other = open_game(browser, hub)
        try:
            wait_js(page, f"{CARD}.className === 'waiting' && !{CARD}.hidden")
            plus = page.locator("#lobby .bots-control button[data-bots='1']")
            plus.click()
            wait_js(page, "window.blinkshot.state().players.some((p) => p.kind === 'bot')")
            # One bot makes two players: the countdown starts, the card goes.
            wait_js(page, "window.blinkshot.state().round.phase !== 'waiting'")
            plus2 = page.locator("#scores .bots-control button[data-bots='1']")
            plus2.click()
            wait_js(page, "window.blinkshot.state().bots === 2")
            wait_js(other, "document.getElementById('bots-count').textContent === '2'")
            assert bots_in(page) == 2
            wait_js(page, "window.blinkshot.state().round.phase === 'playing'")
            minus = other.locator("#scores .bots-control button[data-bots='-1']")
            minus.click()  # a watching window may change them too, during play
            minus.click()
            wait_js(page, "window.blinkshot.state().bots === 0")
            wait_js(page, "!window.blinkshot.state().players.some((p) => p.kind === 'bot')")
            wait_js(page, "document.getElementById('chat-log').innerText.includes('Bots off.')")
        finally:
            close_checked([page, other])


def test_a_round_ends_on_the_podium_banner_then_the_history_is_on_the_card(browser):
    with HubProcess("--score-limit", "1", env=LOBBY) as hub:
        page = open_game(browser, hub)
        ada = Controller(hub, "Ada", "a9a9a9a9a9a9")
        bob = Controller(hub, "Bob", "b9b9b9b9b9b9")
        try:
            wait_js(page, "window.blinkshot.state().round.phase === 'playing'", timeout=15_000)
            knock_out([page], ada, "Ada", "Bob")
            wait_js(page, f"{CARD}.className === 'podium' && !{CARD}.hidden")
            banner = page.locator("#banner").inner_text()
            assert "Ada wins the round!" in banner and "starts" not in banner.lower(), banner
            assert "ROUND 1 OVER" in banner.upper(), banner  # the small line is upper-cased
            bob.close()
            bob = None
            # Bob is gone: after the podium the room waits, and the card lists round 1.
            wait_js(page, f"{CARD}.className === 'waiting'", timeout=15_000)
            history = page.locator("#lobby .history").inner_text()
            assert "Round 1: Ada won" in history and "Ada 1" in history, history
        finally:
            close_checked([page], (ada, bob))


def test_a_late_window_gets_the_recent_chat_and_kill_feed(browser):
    with HubProcess() as hub:
        first = open_game(browser, hub, "?play=Kim")
        ada = Controller(hub, "Ada", "aaaa0000aaaa")
        bob = Controller(hub, "Bob", "bbbb0000bbbb")
        try:
            for i in range(55):  # more than the 50 kept
                first.evaluate(f"window.blinkshot.client.chat('hello {i}')")
            knock_out([first], ada, "Ada", "Bob")
            late = open_game(browser, hub)
            wait_js(late, "document.querySelectorAll('#chat-log li').length >= 50")
            lines = late.evaluate(
                "[...document.querySelectorAll('#chat-log li')]"
                ".map((li) => [li.className, li.innerText])"
            )
            texts = [t for _, t in lines]
            assert len(lines) == 50, texts
            assert "hello 54" in texts[-2] and texts[-2].startswith("Kim"), texts[-3:]
            assert lines[-1] == ["sys", "Ada knocked out Bob"], lines[-1]
            assert not any("hello 3" == t.split(maxsplit=1)[-1] for t in texts)  # dropped
            late.reload()  # a reload gets them again, once
            wait_js(late, "window.blinkshot && window.blinkshot.client.connected")
            wait_js(late, "document.querySelectorAll('#chat-log li').length >= 50")
            assert late.locator("#chat-log li").count() == 50
        finally:
            close_checked([first], (ada, bob))
