"""A bad config.json never crashes or reboots the board: a safe idle loop reports it."""

import machine
import network
from blinkshot import app, status
from fwsupport import config_with, fresh, write_config


def fields(problems):
    return [f for f, _ in problems]


def test_bad_config_gives_a_safe_idle_loop_with_the_error_pattern():
    fresh()
    path = write_config(config_with(pins={"x": 25, "blink": 14}, code=None))
    idle = app.create(path, machine, None)
    assert isinstance(idle, app.ErrorIdle)
    assert sorted(fields(idle.problems)) == ["code", "x"]
    assert idle.status.pattern is status.OFF
    levels = []
    for t in range(0, 3000, 50):
        idle.status.show(status.CONFIG_ERROR, 0)
        levels.append(idle.status.led(t))
    assert 0 in levels and 1 in levels
    idle.step(0)  # prints the problems, drives the LED, returns: never raises, never resets
    assert idle.status.pattern is status.CONFIG_ERROR
    assert machine.fake_writes(2) >= 1


def test_escape_hatch_holding_the_stick_button_skips_the_app():
    fresh()
    path = write_config(config_with(pins={"stick": 25}))
    machine.fake_press(25)  # held while the board boots
    app.main(path)  # returns at once instead of running the controller
    assert network.fake_station() is None  # WiFi never touched


def test_escape_hatch_works_even_with_a_broken_config():
    fresh()
    path = write_config(None, text="{ not json")
    machine.fake_press(25)  # the default stick pin
    app.main(path)
