"""`make config` (firmware/host/flash.py config): a valid config is written without printing the
password; every bad input is refused with the field and the fix, and nothing is written."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLASH = ROOT / "firmware" / "host" / "flash.py"
PASSWORD = "hunter2-Sekrit!"
VALID = ["--ssid", "LanParty", "--password", PASSWORD, "--code", "482913"]
MAKE_VARS = ("SSID", "PASSWORD", "HUB", "HUB_NAME", "ROOM", "CODE", "PLAYER", "PINS", "WDT")


def run_config(tmp_path, *args, env=None):
    clean = {k: v for k, v in os.environ.items() if k not in MAKE_VARS}
    clean.update(env or {})
    cmd = [sys.executable, str(FLASH), "config", "--config", str(tmp_path / "config.json")]
    return subprocess.run(
        cmd + list(args),
        capture_output=True,
        text=True,
        env=clean,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def written(tmp_path):
    return json.loads((tmp_path / "config.json").read_text())


def test_valid_config_is_written_with_board_pins_and_password_never_printed(tmp_path):
    result = run_config(tmp_path, *VALID, "--hub", "ws://192.168.1.20:8000", "--name", "Ada")
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    config = written(tmp_path)
    assert config["wifi_ssid"] == "LanParty"
    assert config["wifi_password"] == PASSWORD
    assert config["hub"] == "ws://192.168.1.20:8000"
    assert (config["room"], config["code"], config["name"]) == ("default", "482913", "Ada")
    pinmap = json.loads((ROOT / "hardware/pinmaps/esp32-devkit.json").read_text())
    for name in ("blink", "shoot", "stick", "x", "y", "led"):
        assert config["pins"][name] == pinmap["pins"][name]
    assert config["wdt"] is False
    # It holds a WiFi password: readable by its owner only.
    assert stat.S_IMODE((tmp_path / "config.json").stat().st_mode) == 0o600


def test_make_variables_work_like_flags(tmp_path):
    env = {"SSID": "Home", "PASSWORD": PASSWORD, "CODE": "123456", "ROOM": "lan", "PINS": "led=4"}
    result = run_config(tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    config = written(tmp_path)
    assert (config["wifi_ssid"], config["room"], config["pins"]["led"]) == ("Home", "lan", 4)


def test_second_run_changes_only_what_is_given(tmp_path):
    assert run_config(tmp_path, *VALID, "--pin", "led=4").returncode == 0
    result = run_config(tmp_path, "--room", "arena_2", "--wdt")
    assert result.returncode == 0, result.stderr
    config = written(tmp_path)
    assert (config["room"], config["wdt"], config["pins"]["led"]) == ("arena_2", True, 4)
    assert config["wifi_password"] == PASSWORD


def test_open_network_needs_an_explicit_empty_password(tmp_path):
    result = run_config(tmp_path, "--ssid", "Cafe", "--code", "482913")
    assert result.returncode == 2
    assert "wifi_password" in result.stderr and "--password ''" in result.stderr
    assert (
        run_config(tmp_path, "--ssid", "Cafe", "--code", "482913", "--password", "").returncode == 0
    )
    assert written(tmp_path)["wifi_password"] == ""


@pytest.mark.parametrize(
    "args, field, fix",
    [
        (["--password", PASSWORD, "--code", "482913"], "wifi_ssid", "--ssid"),
        (VALID[:4], "code", "pairing code"),
        (VALID + ["--code", "12ab56"], "code", "6 digits"),
        (VALID + ["--hub", "http://10.0.0.2:8000"], "hub", "ws://HOST:PORT"),
        (VALID + ["--hub", "ws://10.0.0.2:99999"], "hub", "ws://HOST:PORT"),
        (VALID + ["--room", "my room!"], "room", "a-z A-Z 0-9 _ -"),
        (VALID + ["--name", "A" * 17], "name", "16 characters"),
        (VALID + ["--password", "short"], "wifi_password", "8 to 63"),
        (VALID + ["--pin", "x=13"], "pins.x", "GPIO13"),  # ADC2: dead while WiFi is on
        (VALID + ["--pin", "blink=6"], "pins.blink", "GPIO6"),  # flash chip
        (VALID + ["--pin", "shoot=36"], "pins.shoot", "GPIO36"),  # input-only, no pull-up
        (VALID + ["--pin", "led=39"], "pins.led", "GPIO39"),  # input-only LED
        (VALID + ["--pin", "blink=x"], "pins.blink", "GPIO number"),
        (VALID + ["--pin", "trigger=5"], "pins", "NAME=GPIO"),
        (VALID + ["--external-pullup", "led"], "external_pullup", "button"),
    ],
)
def test_bad_input_is_refused_naming_field_and_fix(tmp_path, args, field, fix):
    result = run_config(tmp_path, *args)
    assert result.returncode == 2, result.stdout
    assert "config not written" in result.stderr
    assert f"{field}" in result.stderr and fix in result.stderr, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert not (tmp_path / "config.json").exists()


def test_input_only_button_is_fine_with_external_pullup_noted(tmp_path):
    result = run_config(tmp_path, *VALID, "--pin", "shoot=36", "--external-pullup", "shoot")
    assert result.returncode == 0, result.stderr
    assert written(tmp_path)["external_pullup"] == ["shoot"]


def test_unknown_board_lists_the_known_ones(tmp_path):
    result = run_config(tmp_path, *VALID, "--board", "esp8266-nodemcu")
    assert result.returncode == 2
    assert "esp32-devkit" in result.stderr and "BOARD=" in result.stderr


def test_other_board_takes_its_own_pin_map(tmp_path):
    result = run_config(tmp_path, *VALID, "--board", "esp32-c3-devkitm")
    assert result.returncode == 0, result.stderr
    pinmap = json.loads((ROOT / "hardware/pinmaps/esp32-c3-devkitm.json").read_text())
    assert written(tmp_path)["pins"]["x"] == pinmap["pins"]["x"]


def test_broken_existing_file_is_reported_not_overwritten(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    result = run_config(tmp_path, *VALID)
    assert result.returncode == 2 and "not valid JSON" in result.stderr
    assert (tmp_path / "config.json").read_text() == "{not json"


def test_written_config_passes_the_firmwares_own_check(tmp_path):
    """What make config writes, the board accepts at boot (blinkshot.config.validate)."""
    assert run_config(tmp_path, *VALID, "--board", "esp32-s3-devkitc").returncode == 0
    sys.path.insert(0, str(ROOT / "firmware"))
    try:
        from blinkshot import config as device_config
    finally:
        sys.path.pop(0)
    _, problems = device_config.validate(written(tmp_path))
    assert problems == []


def test_setting_the_firmware_does_not_know_is_refused(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"colour": "red"}))
    result = run_config(tmp_path, *VALID)
    assert result.returncode == 2
    assert "colour" in result.stderr and "known settings" in result.stderr


def test_a_refused_password_is_not_echoed_either(tmp_path):
    result = run_config(tmp_path, "--ssid", "LanParty", "--code", "482913", "--password", "tiny7")
    assert result.returncode == 2 and "wifi_password" in result.stderr
    assert "tiny7" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "args, env, wanted, unwanted",
    [
        # `make config CODE=482913` (make passes --hints make): the fixes are make variables.
        (["--hints", "make"], {"CODE": "482913"}, ["SSID=NAME", "PASSWORD=''"], ["--ssid"]),
        (["--hints", "make"], {"SSID": "Cafe"}, ["CODE=123456", "PASSWORD=PW"], ["--code"]),
        # flash.py typed by hand: flags.
        (["--code", "482913"], {}, ["--ssid NAME", "--password ''"], ["SSID="]),
        # Mixed: a make variable the user set is named as such even when run by hand, and a
        # flag passed through FLASH_ARGS as a flag.
        (["--ssid", "Cafe"], {"CODE": "12"}, ["CODE=123456", "--password PW"], ["--code"]),
        (["--hints", "make", "--code", "12"], {}, ["--code 123456", "SSID=NAME"], ["--ssid"]),
    ],
)
def test_config_hints_name_what_the_user_typed(tmp_path, args, env, wanted, unwanted):
    result = run_config(tmp_path, *args, env=env)
    assert result.returncode == 2, result.stderr
    for text in wanted:
        assert text in result.stderr, result.stderr
    for text in unwanted:
        assert text not in result.stderr, result.stderr
