"""The bill of materials and the REPL checks printed in the README."""

import io
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pinmap
import pytest
import readme

ROOT = Path(__file__).resolve().parents[2]
BOM = (ROOT / "hardware" / "bom.csv").read_text()


def test_bom_parses_and_covers_the_reference_build():
    rows = readme.read_bom(BOM)
    items = {r["item"] for r in rows if r["build"] in ("all", "esp32")}
    need = {r["item"]: r["need"] for r in rows if r["build"] in ("all", "esp32")}
    for item in ("board", "usb", "joystick", "button", "led", "r_led", "breadboard", "wires"):
        assert need[item] == "required", item
    for item in ("motor", "q_motor", "r_motor", "d_motor", "battery", "charger", "ldo", "r_div"):
        assert need[item] == "optional", item
    assert items >= {"c_stick", "switch", "c_div"}
    assert all(r["usd_each"] > 0 and r["sources"] and r["part"] for r in rows)


def test_bom_has_a_board_for_each_variant():
    rows = readme.read_bom(BOM)
    boards = {r["build"] for r in rows if r["item"] == "board"}
    assert boards == {"esp32", "esp32s3", "esp32c3"}


@pytest.mark.parametrize(
    "line,words",
    [
        ("x,part,1,sometimes,all,e,1.0,s,n", "need must be"),
        ("x,part,1,required,esp8266,e,1.0,s,n", "build must be"),
        ("x,part,0,required,all,e,1.0,s,n", "qty must be 1 or more"),
    ],
)
def test_read_bom_rejects_bad_rows(line, words):
    header = BOM.splitlines()[0]
    with pytest.raises(ValueError, match=words):
        readme.read_bom(f"{header}\n{line}\n")


def test_bom_table_totals_the_prices():
    rows = readme.read_bom(BOM)
    maps = [pinmap.load(b) for b in pinmap.board_names()]
    ref = [r for r in rows if r["build"] in ("all", "esp32")]
    total = sum(r["qty"] * r["usd_each"] for r in ref if r["need"] != "optional")
    block = readme.bom_block(rows, maps)
    assert f"about US$ {total:.0f} for the required and recommended parts" in block
    assert "**ESP32-S3 variant**" in block and "**ESP32-C3 variant**" in block


def test_readme_repl_lines_run_against_the_fake_board(monkeypatch):
    sys.path.insert(0, str(ROOT / "firmware" / "host" / "virtual"))
    try:
        import machine
    finally:
        sys.path.remove(str(ROOT / "firmware" / "host" / "virtual"))
    import time

    monkeypatch.setattr(time, "sleep", lambda s: None)
    pm = pinmap.load("esp32-devkit")
    p = pm["pins"]
    machine.fake_reset()
    machine.fake_press(p["shoot"])
    machine.fake_analog(p["x"], 60000)
    machine.fake_analog(p["battery"], 39718)  # 2.0 V at the pin
    code = readme.checks_block(pm).split("\n")[1:-2]  # inside the ``` fence
    out = io.StringIO()
    scope = {}
    with redirect_stdout(out):
        for line in code:
            exec(line, scope)  # one REPL line at a time, as a user pastes them
    lines = out.getvalue().splitlines()
    assert lines[0] == "1 0 1"  # blink released, shoot pressed, stick released
    x, y = map(int, lines[40].split())
    assert abs(x - 60000) < 16 and abs(y - 32768) < 16
    assert machine.fake_writes(p["led"]) == 2 and machine.fake_level(p["led"]) == 0
    assert machine.fake_writes(p["motor"]) == 2 and machine.fake_level(p["motor"]) == 0
    volts = float(lines[-1].split()[0])
    assert 3.9 < volts < 4.1
