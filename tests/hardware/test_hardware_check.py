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


def write(tmp_path, data, name="config.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_makefile_target_calls_this_script():
    make = (ROOT / "Makefile").read_text()
    assert "hardware/tools/check.py $(CONFIG)" in make


def test_without_arguments_every_pin_map_passes():
    out = run()
    assert out.returncode == 0, out.stderr
    for board in ("esp32-devkit", "esp32-s3-devkitc", "esp32-c3-devkitm"):
        assert f"OK (pin map {board}," in out.stdout


def test_a_good_config_passes_and_fills_in_default_pins(tmp_path):
    path = write(tmp_path, {"wifi_ssid": "lan", "pins": {"led": 4}})
    out = run(path)
    assert out.returncode == 0, out.stderr
    assert "OK (config for board esp32-devkit, esp32)" in out.stdout
    assert "led 4" in out.stdout and "x 34" in out.stdout


def test_a_config_with_a_bad_pin_fails_naming_pin_and_fix(tmp_path):
    path = write(tmp_path, {"pins": {"x": 26, "blink": 14}})
    out = run(path)
    assert out.returncode == 1
    assert (
        f"{path}: error: pins.x = 26: GPIO26 is on ADC2, which cannot be read while WiFi is on; "
        "use an ADC1 pin such as 34, 32, 33 or 36" in out.stderr
    )
    assert "1 problem(s); fix them before flashing" in out.stderr


def test_external_pullup_in_the_config_is_honoured(tmp_path):
    bad = run(write(tmp_path, {"pins": {"blink": 34, "x": 32}}))
    assert bad.returncode == 1 and 'add "blink" to external_pullup' in bad.stderr
    good = run(write(tmp_path, {"pins": {"blink": 34, "x": 32}, "external_pullup": ["blink"]}))
    assert good.returncode == 0, good.stderr


def test_chip_in_the_config_selects_the_rules(tmp_path):
    c3 = {"x": 0, "y": 1, "blink": 6, "led": 10, "shoot": 7, "stick": 5, "motor": 4}
    path = write(tmp_path, {"chip": "esp32c3", "pins": c3})
    assert run(path).returncode == 0
    path = write(tmp_path, {"chip": "esp32c3"})  # the ESP32 defaults do not fit a C3
    out = run(path)
    assert out.returncode == 1 and "the ESP32-C3 has no usable GPIO34" in out.stderr


def test_board_option_takes_that_boards_defaults(tmp_path):
    path = write(tmp_path, {"chip": "esp32s3"})
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
    out = run(write(tmp_path, {"pins": {"blink": 0}}))
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
    assert out.returncode == 1 and "expected a JSON object" in out.stderr


def test_several_files_exit_with_the_worst_status(tmp_path):
    good = write(tmp_path, {}, "good.json")
    out = run(good, tmp_path / "missing.json")
    assert out.returncode == 2 and f"{good}: OK" in out.stdout


def test_readme_example_is_real_output(tmp_path):
    readme = (ROOT / "hardware" / "README.md").read_text()
    shown = [line for line in readme.splitlines() if line.startswith("config.json: ")]
    assert len(shown) == 3
    (tmp_path / "config.json").write_text('{"pins": {"x": 26, "blink": 34}}')
    out = subprocess.run(
        [sys.executable, str(CHECK), "config.json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert out.returncode == 1
    assert out.stderr.splitlines() == shown
