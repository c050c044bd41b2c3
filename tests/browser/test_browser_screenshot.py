"""The README screenshot is made by a script; keep that script working."""

import struct

from make_screenshot import SIZE, make


def test_screenshot_script_makes_a_game_picture(browser, hub, tmp_path):
    out = tmp_path / "shot.png"
    make(out, browser, hub)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == SIZE
