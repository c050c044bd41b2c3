"""An unexpected error inside the loop is reported and the controller starts over; it only
gives up (to main.py, which leaves the REPL free) when errors keep coming."""

import machine
import network
from blinkshot import app, controller
from fwsupport import config_with, fresh, write_config


def make():
    fresh()
    return app.create(write_config(config_with(hub="ws://127.0.0.1:9")), machine, network)


def test_one_error_in_a_loop_pass_is_survived():
    a = make()
    calls = [0]

    def flaky(now):
        calls[0] += 1
        if calls[0] == 1:
            raise ValueError("a bug")

    def after(now):
        if calls[0] >= 3:
            a.stop()

    a.join_wifi = flaky  # shadows the method on this instance
    a.on_tick = after
    a.run()
    assert a.errors == 1 and calls[0] >= 3
    assert a.state == controller.S_WIFI


def test_errors_that_keep_coming_reach_main():
    a = make()

    def broken(now):
        raise ValueError("always")

    a.join_wifi = broken
    try:
        a.run()
    except ValueError:
        pass
    else:
        raise AssertionError("run() must give up after repeated errors")
    assert a.errors == controller.MAX_ERRORS + 1
