"""A bad config.json never crashes or reboots the board: a safe idle loop reports it."""

import machine
from blinkshot import app, status
from blinkshot.errors import ErrorIdle
from fwsupport import config_with, fresh, write_config


def fields(problems):
    return [f for f, _ in problems]


def test_bad_config_gives_a_safe_idle_loop_with_the_error_pattern():
    fresh()
    path = write_config(config_with(pins={"x": 25, "blink": 14}, code=None))
    idle = app.create(path, machine, None)
    assert isinstance(idle, ErrorIdle)
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
