"""The escape hatch: hold the stick button while booting and the app steps aside."""

import machine
import network
from blinkshot import app
from fwsupport import config_with, fresh, write_config


def test_escape_hatch_holding_the_stick_button_skips_the_app():
    fresh()
    path = write_config(config_with(pins={"stick": 25}))
    machine.fake_press(25)  # held while the board boots
    app.main(path)  # returns at once instead of running the controller
    assert network.fake_station() is None  # WiFi never touched
