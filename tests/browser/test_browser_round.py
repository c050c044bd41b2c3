"""Round ends in real windows: a kill at the score limit, and a round that runs out of time.

Each test runs its own hub with short rounds (``--score-limit 1`` / ``--round-seconds 3``) and
two windows; both must show the same end of round: banner, winner, new round number, scores.
"""

from browserkit import (
    Controller,
    HubProcess,
    approach,
    events,
    open_game,
    player,
    shoot_until_dead,
    state,
    wait_js,
    wait_player,
)

# Records every end-of-round banner the page shows (it hides itself after a few seconds, so the
# test cannot rely on catching it on screen at the moment it looks).
WATCH_BANNER = """() => {
  const b = document.getElementById("banner");
  window.testBanners = [];
  new MutationObserver(() => {
    if (b.hidden || b.getBoundingClientRect().height === 0) return;
    const title = b.firstChild ? b.firstChild.textContent : "";
    const sub = b.querySelector("small")?.textContent ?? "";
    const last = window.testBanners.at(-1);
    if (!last || last.title !== title || last.sub !== sub) window.testBanners.push({title, sub});
  }).observe(b, {attributes: true, childList: true, subtree: true, characterData: true});
}"""


def banners(page):
    return page.evaluate("window.testBanners")


def wait_round(page, n):
    """Wait until the page holds a state of round ``n`` or later; return that round info."""
    return wait_js(page, f"window.blinkshot.state().round.n >= {n} && window.blinkshot.state()")[
        "round"
    ]


def hub_messages(page):
    return [(e["seq"], e["text"]) for e in events(page, "message") if e["from"] == "hub"]


def setup(browser, hub):
    ada = Controller(hub, "Ada", "a5a5a5a5a5a5")
    bob = Controller(hub, "Bob", "b5b5b5b5b5b5")
    pages = [open_game(browser, hub), open_game(browser, hub, viewport=(800, 800))]
    for page in pages:
        wait_player(page, "Ada")
        wait_player(page, "Bob")
        page.evaluate(WATCH_BANNER)
    return ada, bob, pages


def teardown(ada, bob, pages):
    for c in (ada, bob):
        c.close()
    for page in pages:
        errors = page.errors
        page.close()
        assert errors == [], f"page errors: {errors}"


def test_a_kill_at_the_score_limit_ends_the_round_with_a_winner(browser):
    with HubProcess("--score-limit", "1") as hub:
        hub.wait_for_output(r"rounds: first to 1 kills")
        ada, bob, pages = setup(browser, hub)
        try:
            for page in pages:
                r = state(page)["round"]
                assert r["n"] == 1 and r["score_limit"] == 1 and r["last_winner"] is None
            ada_id, bob_id = player(pages[0], "Ada")["id"], player(pages[0], "Bob")["id"]
            approach(pages, ada, "Ada", "Bob")
            shoot_until_dead(pages, ada, bob_id)  # the fourth hit kills

            rounds = [wait_round(page, 2) for page in pages]
            for page, r in zip(pages, rounds, strict=True):
                # The kill ended round 1 and nothing else happened: exactly round 2, Ada's.
                assert r["n"] == 2 and r["last_winner"] == ada_id, r
                assert r["score_limit"] == 1
                s = state(page)
                assert [(p["score"], p["hp"], p["alive"]) for p in s["players"]] == [
                    (0, 100, True)
                ] * 2, "scores and HP reset for the new round"
                wait_js(page, "document.getElementById('round').textContent.includes('Round 2')")
                pill = page.locator("#round").inner_text()
                assert "last won by Ada" in pill and "first to 1" in pill, pill
                wait_js(page, "window.testBanners.length > 0")
                assert banners(page) == [{"title": "Ada wins the round!", "sub": "Round 2 starts"}]
                wait_js(
                    page,
                    "document.getElementById('chat-log').textContent"
                    ".includes('Ada wins the round! Round 2.')",
                )
            # Both windows agree: same kill, same round, same announcement from the hub.
            kills = [[e for e in events(p, "hit") if e["dead"]] for p in pages]
            assert kills[0] == kills[1] and len(kills[0]) == 1
            assert kills[0][0]["id"] == bob_id and kills[0][0]["by"] == ada_id
            assert rounds[0] == {**rounds[1], "time_left": rounds[0]["time_left"]}
            assert banners(pages[0]) == banners(pages[1])
            assert hub_messages(pages[0]) == hub_messages(pages[1])
            assert [t for _, t in hub_messages(pages[0])] == ["Ada wins the round! Round 2."]
        finally:
            teardown(ada, bob, pages)


def test_a_round_that_runs_out_of_time_has_no_winner(browser):
    with HubProcess("--round-seconds", "3") as hub:
        hub.wait_for_output(r"rounds: first to 10 kills or 3 s")
        ada, bob, pages = setup(browser, hub)
        try:
            # Rounds run from hub start, so one may already have ended: take the next one.
            start = max(state(p)["round"]["n"] for p in pages)
            assert all(state(p)["round"]["time_left"] <= 3000 for p in pages)
            target = start + 1
            for page in pages:
                r = wait_round(page, target)
                assert r["last_winner"] is None and r["score_limit"] == 10, r
                assert all(p["score"] == 0 for p in state(page)["players"])
                assert wait_js(
                    page,
                    "(n) => window.testBanners.find((b) => b.sub === `Round ${n} starts`)",
                    target,
                ) == {"title": "Time's up: no winner", "sub": f"Round {target} starts"}
                assert "last won by" not in page.locator("#round").inner_text()
            # The hub said so once per round, with the same sequence number in both windows.
            want = f"Round over: no winner. Round {target}."
            said = [[m for m in hub_messages(p) if m[1] == want] for p in pages]
            assert len(said[0]) == 1 and said[0] == said[1]
            assert "Ada" in [p["name"] for p in state(pages[0])["players"]]
        finally:
            teardown(ada, bob, pages)
