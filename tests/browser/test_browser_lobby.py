"""The match flow in real Chromium, on a hub with its lobby on (the default): a waiting card,
a countdown when the second player arrives (bots count), the round, a podium with the round's
scoreboard, and the next countdown."""

from browserkit import (
    CARD,
    LOBBY,
    Controller,
    HubProcess,
    close_checked,
    knock_out,
    open_game,
    state,
    wait_js,
)


def card(page):
    return page.evaluate(f"{CARD}.hidden ? null : {CARD}.innerText")


def test_waiting_countdown_round_podium_and_the_next_round(browser):
    with HubProcess("--score-limit", "1", env=LOBBY) as hub:
        page = open_game(browser, hub)
        ada = bob = None
        try:
            wait_js(page, f"!{CARD}.hidden && {CARD}.innerText.includes('Waiting for players')")
            assert "Waiting for players" in page.locator("#round").inner_text()
            ada = Controller(hub, "Ada", "a7a7a7a7a7a7")
            bob = Controller(hub, "Bob", "b7b7b7b7b7b7")
            wait_js(page, f"{CARD}.className === 'countdown' && !{CARD}.hidden")
            assert state(page)["round"]["phase"] == "countdown"
            wait_js(page, f"{CARD}.hidden && window.blinkshot.state().round.phase === 'playing'")
            assert "Round 1" in page.locator("#round").inner_text()
            knock_out([page], ada, "Ada", "Bob")
            wait_js(page, f"{CARD}.className === 'podium' && !{CARD}.hidden")
            text = card(page)
            assert "Ada wins round 1!" in text, text
            assert text.index("Ada") < text.index("Bob")  # best first
            wait_js(page, f"{CARD}.className === 'countdown'", timeout=10_000)
            wait_js(
                page,
                f"{CARD}.hidden && window.blinkshot.state().round.phase === 'playing'",
                timeout=10_000,
            )
            assert state(page)["round"]["n"] == 2
        finally:
            close_checked([page], (ada, bob))


def test_a_lone_player_with_a_bot_does_not_wait(browser):
    with HubProcess("--bots", "1", env=LOBBY) as hub:
        page = open_game(browser, hub)
        ada = Controller(hub, "Ada", "a8a8a8a8a8a8")
        try:
            wait_js(page, "window.blinkshot.state().players.some((p) => p.kind === 'bot')")
            wait_js(page, "['countdown', 'playing'].includes(window.blinkshot.state().round.phase)")
            wait_js(page, "document.querySelector('#score-list').textContent.includes('bot')")
        finally:
            close_checked([page], [ada])
