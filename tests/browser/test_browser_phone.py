"""The phone page as a touch controller in a mobile viewport, seen from a game window."""

import pytest
from browserkit import TIMEOUT_MS, open_game, wait_js, wait_player

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def phone_context(browser):
    ctx = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    yield ctx
    ctx.close()


def open_phone(ctx, hub, query="?name=Pat"):
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(f"{hub.http_url}/phone{query}")
    wait_js(page, "window.blinkshotPhone && window.blinkshotPhone.welcome")
    return page


def drag(page, selector, dx, dy, hold_ms=700):
    """A real touch drag (touchstart, touchmoves, touchend) through the DevTools protocol."""
    box = page.locator(selector).bounding_box()
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = page.context.new_cdp_session(page)

    def touch(kind, x, y):
        points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", x0, y0)
    for i in range(1, 6):
        touch("touchMove", x0 + dx * i / 5, y0 + dy * i / 5)
    page.wait_for_timeout(hold_ms)
    touch("touchEnd", x0 + dx, y0 + dy)
    cdp.detach()


def test_phone_controls_a_player(browser, hub, phone_context):
    game = open_game(browser, hub)
    phone = open_phone(phone_context, hub)
    # Fits the mobile viewport: both buttons and the stick area are fully on screen.
    for sel in ("#blink", "#shoot", "#stick-zone"):
        box = phone.locator(sel).bounding_box()
        assert box["x"] >= 0 and box["y"] >= 0, sel
        assert box["x"] + box["width"] <= PHONE["width"] + 0.5, sel
        assert box["y"] + box["height"] <= PHONE["height"] + 0.5, sel

    pat = wait_player(game, "Pat")
    assert pat["kind"] == "phone"
    dev = phone.evaluate("localStorage.getItem('blinkshot.phone.id')")
    assert pat["id"] == f"c-{dev}"

    direction = 1 if pat["x"] < 800 else -1
    drag(phone, "#stick-zone", 80 * direction, 0)
    moved = wait_player(game, "Pat", f"Math.abs(p.x - {pat['x']}) > 50")
    assert (moved["x"] - pat["x"]) * direction > 50
    # Released: the stick is back at the centre.
    assert phone.evaluate("[window.blinkshotPhone.input.x, window.blinkshotPhone.input.y]") == [
        0,
        0,
    ]

    phone.touchscreen.tap(*center(phone, "#blink"))
    wait_js(
        game,
        "(id) => window.blinkshot.events.some((e) => e.type === 'blink' && e.id === id)",
        pat["id"],
    )
    phone.touchscreen.tap(*center(phone, "#shoot"))
    wait_js(
        game,
        "(id) => window.blinkshot.events.some((e) => e.type === 'shoot' && e.id === id)",
        pat["id"],
    )

    # A reload keeps the device id, so the same player comes back rather than a new one.
    phone.reload()
    wait_js(phone, "window.blinkshotPhone && window.blinkshotPhone.welcome")
    assert phone.evaluate("localStorage.getItem('blinkshot.phone.id')") == dev
    game.wait_for_timeout(300)
    pats = [p for p in game.evaluate("window.blinkshot.state().players") if p["name"] == "Pat"]
    assert [p["id"] for p in pats] == [pat["id"]]
    assert phone.errors == [] and game.errors == []
    phone.close()
    game.close()


def test_phone_reports_a_wrong_code_and_asks_again(hub, phone_context):
    # ?code= given but wrong: the hub closes with 4004 and the page asks for the right one.
    page = phone_context.new_page()
    page.goto(f"{hub.http_url}/phone?name=Wen&code=000000")
    wait_js(page, "!document.getElementById('overlay').hidden", timeout=TIMEOUT_MS)
    assert "wrong" in page.locator("#overlay-title").inner_text().lower()
    page.fill("#code-input", hub.code)
    page.locator("#code-form button").tap()
    wait_js(page, "window.blinkshotPhone && window.blinkshotPhone.welcome")
    page.close()


def center(page, selector):
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
