"""hardware/tools/check.py, the command behind `make check-config`: exit codes and messages."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "hardware" / "tools" / "check.py"


def run(*args):
    return subprocess.run(
        [sys.executable, str(CHECK), *map(str, args)], capture_output=True, text=True, timeout=60
    )


# What every config needs besides pins (the firmware refuses it at boot without them).
BASE = {"wifi_ssid": "lan", "wifi_password": "secret-pass", "code": "123456"}


def write(tmp_path, data, name="config.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def cfg(**fields):
    return {**BASE, **fields}


def test_makefile_target_calls_this_script():
    make = (ROOT / "Makefile").read_text()
    assert "hardware/tools/check.py $(CONFIG)" in make


def test_without_arguments_every_pin_map_passes():
    out = run()
    assert out.returncode == 0, out.stderr
    for board in ("esp32-devkit", "esp32-s3-devkitc", "esp32-c3-devkitm"):
        assert f"OK (pin map {board}," in out.stdout


def test_a_good_config_passes_and_fills_in_default_pins(tmp_path):
    path = write(tmp_path, cfg(pins={"led": 4}))
    out = run(path)
    assert out.returncode == 0, out.stderr
    assert "OK (config for board esp32-devkit, esp32)" in out.stdout
    assert "led 4" in out.stdout and "x 34" in out.stdout


def test_a_config_with_a_bad_pin_fails_naming_pin_and_fix(tmp_path):
    path = write(tmp_path, cfg(pins={"x": 26, "blink": 14}))
    out = run(path)
    assert out.returncode == 1
    assert (
        f"{path}: error: pins.x = 26: GPIO26 is on ADC2, which cannot be read while WiFi is on; "
        "use an ADC1 pin such as 34, 32, 33 or 36" in out.stderr
    )
    assert "1 problem(s); the board would refuse this config at boot" in out.stderr


def test_external_pullup_in_the_config_is_honoured(tmp_path):
    bad = run(write(tmp_path, cfg(pins={"blink": 34, "x": 32})))
    assert bad.returncode == 1 and 'add "blink" to external_pullup' in bad.stderr
    good = run(write(tmp_path, cfg(pins={"blink": 34, "x": 32}, external_pullup=["blink"])))
    assert good.returncode == 0, good.stderr


def test_chip_in_the_config_selects_the_rules(tmp_path):
    c3 = {"x": 0, "y": 1, "blink": 6, "led": 10, "shoot": 7, "stick": 5, "motor": 4}
    path = write(tmp_path, cfg(chip="esp32c3", pins=c3))
    assert run(path).returncode == 0
    path = write(tmp_path, cfg(chip="esp32c3"))  # the ESP32 defaults do not fit a C3
    out = run(path)
    assert out.returncode == 1 and "the ESP32-C3 has no usable GPIO34" in out.stderr


def test_board_option_takes_that_boards_defaults(tmp_path):
    path = write(tmp_path, cfg())  # the chip comes from the board too
    out = run("--board", "esp32-s3-devkitc", path)
    assert out.returncode == 0, out.stderr
    assert "x 4" in out.stdout


def test_a_bad_pin_map_fails(tmp_path):
    data = json.loads((ROOT / "hardware" / "pinmaps" / "esp32-devkit.json").read_text())
    data["pins"]["led"] = 36
    out = run(write(tmp_path, data, "map.json"))
    assert out.returncode == 1
    assert "pins.led = 36: GPIO36 is input-only and cannot drive the led" in out.stderr


def test_a_malformed_pin_map_fails_with_its_problem(tmp_path):
    data = {"board": "x", "chip": "esp32", "title": "x", "pins": {}, "colour": "red"}
    out = run(write(tmp_path, data, "map.json"))
    assert out.returncode == 1 and "unknown key(s) colour" in out.stderr


def test_warnings_print_but_do_not_fail(tmp_path):
    out = run(write(tmp_path, cfg(pins={"blink": 0})))
    assert out.returncode == 0, out.stderr
    assert "warning: pins.blink = 0: GPIO0 is the BOOT button pin" in out.stdout


def test_missing_file_exits_2(tmp_path):
    out = run(tmp_path / "nope.json")
    assert out.returncode == 2 and "cannot read it" in out.stderr


def test_invalid_json_exits_2_with_the_position(tmp_path):
    out = run(write(tmp_path, '{"pins": {"x": 34,}}'))
    assert out.returncode == 2 and "not valid JSON at line 1 column" in out.stderr


def test_a_config_that_is_not_an_object_fails(tmp_path):
    out = run(write(tmp_path, [1, 2]))
    assert out.returncode == 1 and "must be a JSON object" in out.stderr


def test_several_files_exit_with_the_worst_status(tmp_path):
    good = write(tmp_path, cfg(), "good.json")
    out = run(good, tmp_path / "missing.json")
    assert out.returncode == 2 and f"{good}: OK" in out.stdout


def test_readme_example_is_real_output(tmp_path):
    readme = (ROOT / "hardware" / "README.md").read_text()
    shown = [line for line in readme.splitlines() if line.startswith("config.json: ")]
    assert len(shown) >= 3
    shown_input = readme.split("$ cat config.json\n", 1)[1].split("\n", 1)[0]
    (tmp_path / "config.json").write_text(shown_input)
    out = subprocess.run(
        [sys.executable, str(CHECK), "config.json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert out.returncode == 1
    assert out.stderr.splitlines() == shown


# One broken field each: make check-config must refuse every config the board refuses.
REFUSED_AT_BOOT = {
    "no_ssid": {k: v for k, v in BASE.items() if k != "wifi_ssid"},
    "no_password": {k: v for k, v in BASE.items() if k != "wifi_password"},
    "no_code": {k: v for k, v in BASE.items() if k != "code"},
    "short_code": cfg(code="12345"),
    "code_as_number": cfg(code=123456),
    "short_password": cfg(wifi_password="short"),
    "long_ssid": cfg(wifi_ssid="x" * 33),
    "http_hub": cfg(hub="http://10.0.0.2:8000"),
    "hub_port": cfg(hub="ws://10.0.0.2:99999"),
    "room_spaces": cfg(room="my room"),
    "long_name": cfg(name="N" * 17),
    "unknown_key": cfg(colour="red"),
    "wdt_string": cfg(wdt="yes"),
    "deadzone": cfg(deadzone=900),
    "beacon_port": cfg(beacon_port=0),
    "chip": cfg(chip="esp8266"),
    "bad_pin": cfg(pins={"x": 26}),
    "pins_list": cfg(pins=[1, 2]),
}
ACCEPTED = {"base": cfg(), "full": cfg(hub="ws://10.0.0.2:8001", room="lan", name="Ada", wdt=True)}


def test_check_config_refuses_what_the_board_refuses_with_the_firmwares_messages(tmp_path):
    for name, data in {**REFUSED_AT_BOOT, **ACCEPTED}.items():
        out = run(write(tmp_path, data, f"{name}.json"))
        assert out.returncode == (0 if name in ACCEPTED else 1), (name, out.stdout, out.stderr)
        if name not in ACCEPTED:
            assert "the board would refuse this config at boot" in out.stderr, name
    assert "secret-pass" not in run(write(tmp_path, cfg(wifi_password="sec"), "p.json")).stderr


def test_check_config_agrees_with_the_board_under_micropython(tmp_path):
    """The same files through the firmware's config.load under the MicroPython unix port (as
    main.py does at boot): check.py's verdict is the board's, file by file."""
    sys.path.insert(0, str(ROOT / "tests" / "firmware"))
    try:
        from mpunix import run_script
    finally:
        sys.path.pop(0)
    cases = {**REFUSED_AT_BOOT, **ACCEPTED}
    paths = [write(tmp_path, data, f"{name}.json") for name, data in cases.items()]
    script = tmp_path / "boot_check.py"
    script.write_text(
        "import sys\n"
        "from blinkshot import config\n"
        "for p in sys.argv[1:]:\n"
        "    cfg, problems = config.load(p)\n"
        "    print(p, len(problems))\n"
    )
    r = run_script(script, *paths)
    assert r.returncode == 0, r.stdout + r.stderr
    board = dict(line.rsplit(" ", 1) for line in r.stdout.splitlines())
    for path in paths:
        refused_on_board = board[str(path)] != "0"
        assert refused_on_board == (run(path).returncode == 1), path.name
