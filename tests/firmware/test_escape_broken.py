"""The escape hatch also works when config.json is broken (its own module: on the unix port's
64 KB heap, loading the config validator twice in one process fragments the heap; a board
loads it once per boot)."""

import machine
from blinkshot import app
from fwsupport import fresh, write_config


def test_escape_hatch_works_even_with_a_broken_config():
    fresh()
    path = write_config(None, text="{ not json")
    machine.fake_press(25)  # the default stick pin
    app.main(path)
