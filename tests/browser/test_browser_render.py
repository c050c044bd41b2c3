"""The arena is drawn by a module worker on an OffscreenCanvas (hub/web/js/render-host.js), and
what it draws is what the main-thread fallback (`?renderer=main`) draws, at any window size."""

import base64

import pytest
from browserkit import Controller, open_game, settled, wait_js, wait_player
from make_screenshot import walk_to

# Pixels of a page screenshot, decoded in the page itself (no image library needed here).
PIXELS_JS = """async ([png, points]) => {
  const blob = await (await fetch("data:image/png;base64," + png)).blob();
  const img = await createImageBitmap(blob);
  const ctx = new OffscreenCanvas(img.width, img.height).getContext("2d");
  ctx.drawImage(img, 0, 0);
  const at = ([x, y]) => ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data;
  return points.map((p) => Array.from(at(p).slice(0, 3)));
}"""
# Around a player's centre, in world units: body, outline, aim wedge and the free space beside.
PATCH = [(dx, dy) for dx in range(-40, 41, 8) for dy in range(-16, 41, 8)]


def pixels(page, points):
    png = base64.b64encode(page.screenshot()).decode()
    return page.evaluate(PIXELS_JS, [png, points])


def to_css(page, x, y):
    """CSS pixel of world point (x, y) on the 1600 x 900 arena, letterboxed in the canvas (the
    free area between the HUD's panels)."""
    left, top, cw, ch = page.evaluate(
        "(() => { const r = document.getElementById('arena').getBoundingClientRect();"
        " return [r.left, r.top, r.width, r.height]; })()"
    )
    scale = min(cw / 1600, ch / 900)
    return left + (cw - 1600 * scale) / 2 + x * scale, top + (ch - 900 * scale) / 2 + y * scale


def rgb(color):
    return [int(color[i : i + 2], 16) for i in (1, 3, 5)]


def body_pixel(page, p):
    """Colour 10 world units below a player's centre: inside its body, clear of the outline."""
    return pixels(page, [to_css(page, p["x"], p["y"] + 10)])[0]


def near(a, b, tol):
    return max(abs(i - j) for i, j in zip(a, b, strict=True)) <= tol


@pytest.fixture(scope="module")
def pages(browser, hub):
    ada = Controller(hub, "Ada", "e0e0e0e0e0e0")
    worker = open_game(browser, hub)
    main = open_game(browser, hub, "?renderer=main")
    for page in (worker, main):
        wait_player(page, "Ada")
    walk_to(worker, ada, "Ada", (800, 450))  # the middle: no panel covers it
    yield {"worker": worker, "main": main, "ada": ada}
    ada.close()
    for page in (worker, main):
        assert page.errors == [], f"page errors: {page.errors}"
        page.close()


def test_chromium_draws_in_a_worker(pages):
    worker, main = pages["worker"], pages["main"]
    assert worker.evaluate("window.blinkshot.renderer") == "worker"
    assert main.evaluate("window.blinkshot.renderer") == "main"
    # The page itself can no longer draw on the canvas: its control went to the worker.
    transferred = """() => {
      try { document.getElementById("arena").getContext("2d"); return false; }
      catch { return true; } }"""
    assert worker.evaluate(transferred) is True
    assert main.evaluate(transferred) is False


def test_the_worker_canvas_shows_the_player_as_the_main_thread_does(pages):
    worker, main, ada = pages["worker"], pages["main"], pages["ada"]
    p = settled([worker, main], "Ada")
    color = rgb(ada.color)
    for page in (worker, main):
        assert near(body_pixel(page, p), color, 40), f"Ada's body in {page.url}"
    off = [to_css(worker, p["x"] + 200, p["y"] + 200)]
    assert not near(pixels(worker, off)[0], color, 40), "an empty spot is not Ada's colour"
    patch = [to_css(worker, p["x"] + dx, p["y"] + dy) for dx, dy in PATCH]
    a, b = pixels(worker, patch), pixels(main, patch)
    worst = max(
        max(abs(i - j) for i, j in zip(u, v, strict=True)) for u, v in zip(a, b, strict=True)
    )
    assert worst <= 8, f"worker and main-thread pictures differ by up to {worst} per channel"


def test_the_worker_canvas_follows_a_resize(pages):
    worker = pages["worker"]
    # A tall window (not a phone's: that one sizes the canvas to the arena): letterboxed top
    # and bottom.
    worker.set_viewport_size({"width": 760, "height": 900})
    wait_js(worker, "window.blinkshot.state()")
    p = settled([worker], "Ada")
    wait_js(worker, "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert near(body_pixel(worker, p), rgb(pages["ada"].color), 40)
    # The band above the arena is the canvas's letterbox, not a stretched old picture.
    x, top = to_css(worker, 800, -400)  # well above the arena (and its glow), in the canvas
    band, inside = pixels(worker, [(x, top), to_css(worker, 800, 100)])
    assert near(band, [5, 7, 13], 3), band
    assert not near(inside, [5, 7, 13], 3), inside
