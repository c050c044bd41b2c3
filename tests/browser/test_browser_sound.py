"""Sound in real Chromium: waits for a gesture (and says so), then plays the game's events
panned by position; volume and mute are remembered across reloads."""

import pytest
from browserkit import Controller, open_game, wait_js, wait_player


@pytest.fixture()
def page(browser, hub):
    p = open_game(browser, hub)
    yield p
    assert p.errors == [], f"page errors: {p.errors}"
    p.close()


def test_the_page_asks_for_a_click_then_audio_runs(page):
    hint = page.locator("#sound-enable")
    assert hint.is_visible() and "enable sound" in hint.inner_text()
    assert page.evaluate("window.blinkshot.sound.running") is False
    page.locator(".brand").click()  # any gesture will do
    wait_js(page, "window.blinkshot.sound.running")
    assert page.evaluate("window.blinkshot.sound.ctx.state") == "running"
    assert not hint.is_visible()


def test_a_shot_is_heard_on_the_side_it_was_fired(page, hub):
    page.locator("#sound-enable").click()
    wait_js(page, "window.blinkshot.sound.running")
    ada = Controller(hub, "Ada", "50d50d50d50d")
    try:
        p = wait_player(page, "Ada")
        ada.tap("shoot")
        cue = wait_js(page, "window.blinkshot.sound.played.find((c) => c.sound === 'shoot')")
        side = (p["x"] - 800) / 800  # where Ada stands: -1 left edge .. 1 right edge
        assert cue["pan"] == pytest.approx(side * 0.8, abs=0.1)
        assert 0 < cue["gain"] < 1
    finally:
        ada.close()


def test_mute_and_volume_are_remembered_after_a_reload(page, hub):
    page.locator("#sound-mute").click()
    page.locator("#sound-volume").fill("30")  # also unmutes: moving the slider means "sound"
    page.locator("#sound-mute").click()
    assert page.evaluate("[window.blinkshot.sound.muted, window.blinkshot.sound.volume]") == [
        True,
        0.3,
    ]
    page.reload()
    wait_js(page, "window.blinkshot && window.blinkshot.sound")
    assert page.evaluate("[window.blinkshot.sound.muted, window.blinkshot.sound.volume]") == [
        True,
        0.3,
    ]
    assert page.locator("#sound-mute").get_attribute("aria-pressed") == "true"
    assert page.locator("#sound-volume").input_value() == "30"
    page.keyboard.press("KeyM")  # M toggles mute too
    assert page.evaluate("window.blinkshot.sound.muted") is False


# Sizes of the mute button's drawn parts; 0 for a part that is not shown.
ICON_BOXES = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  const b = document.getElementById("sound-mute");
  return {svg: box(b.querySelector("svg")), waves: box(b.querySelector(".waves")),
          cross: box(b.querySelector(".cross")), text: b.textContent.trim()};
}"""


def test_the_sound_button_is_a_drawn_speaker_that_shows_mute(page):
    on = page.evaluate(ICON_BOXES)
    assert on["text"] == ""  # no emoji: an SVG drawn by the page, whatever the fonts
    assert min(on["svg"]) >= 12 and min(on["waves"]) > 0 and on["cross"] == [0, 0]
    # The first click also starts audio, which hides the hint and moves the top bar; it must
    # still land on the button and mute.
    page.locator("#sound-mute").click()
    assert page.evaluate("window.blinkshot.sound.muted") is True
    off = page.evaluate(ICON_BOXES)
    assert off["svg"] == on["svg"] and off["waves"] == [0, 0] and min(off["cross"]) > 0
