"""config.json validation: every problem names its field and says how to fix it."""

from blinkshot import config
from fwsupport import GOOD_CONFIG, config_with, write_config


def problems_for(**changes):
    return config.validate(config_with(**changes))[1]


def fields(problems):
    return [f for f, _ in problems]


def only(problems, field, *words):
    assert fields(problems) == [field], problems
    msg = problems[0][1]
    for w in words:
        assert w in msg, (w, msg)
    return msg


def test_good_config_passes_and_fills_defaults():
    cfg, problems = config.validate(GOOD_CONFIG)
    assert problems == []
    assert cfg["pins"]["x"] == 34 and cfg["wdt"] is False and cfg["deadzone"] == 80


def test_each_missing_required_field():
    for key in ("wifi_ssid", "wifi_password", "code"):
        only(problems_for(**{key: None}), key, "missing", "make config")


def test_wrong_types():
    only(problems_for(wifi_ssid=42), "wifi_ssid", "WiFi name")
    only(problems_for(invert_x="yes"), "invert_x", "true or false")
    only(problems_for(wdt=1), "wdt", "true or false")
    only(problems_for(deadzone="big"), "deadzone", "0-500")
    only(problems_for(code=123456), "code", "6-digit", "string")
    only(problems_for(pins=[1, 2]), "pins", "object")


def test_bad_values():
    only(problems_for(hub="http://x"), "hub", "auto", "ws://")
    only(problems_for(room="no spaces"), "room", "a-z")
    only(problems_for(wifi_password="short"), "wifi_password", "8-64")
    only(problems_for(name="a-name-far-too-long-for-the-hub"), "name", "16")


def test_unknown_setting_is_named_not_ignored():
    only(problems_for(wifi_pasword="x"), "wifi_pasword", "unknown", "wifi_password")


def test_joystick_on_adc2_is_refused_because_wifi_blocks_it():
    only(problems_for(pins={"x": 25, "blink": 14}), "x", "ADC2", "ADC1", "WiFi")


def test_flash_pins_are_refused():
    only(problems_for(pins={"shoot": 6}), "shoot", "flash")


def test_button_on_input_only_pin_needs_an_external_pull_up():
    msg = only(problems_for(pins={"blink": 36}), "blink", "external_pullup", "10k")
    assert "GPIO36" in msg
    assert problems_for(pins={"blink": 36}, external_pullup=["blink"]) == []


def test_led_on_input_only_pin_is_refused():
    only(problems_for(pins={"led": 39}), "led", "input-only")


def test_missing_file_and_bad_json_are_reported():
    cfg, problems = config.load("/nonexistent/config.json")
    assert cfg is None and fields(problems) == ["config.json"]
    cfg, problems = config.load(write_config(None, text="{wifi_ssid: nope"))
    assert cfg is None and "not valid JSON" in problems[0][1]
