"""Everything derived from the pin maps is generated, and committed copies must be current."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import diagram
import generate
import pinmap
import pytest
import readme

ROOT = Path(__file__).resolve().parents[2]


def test_no_generated_file_is_stale():
    stale = [str(p.relative_to(ROOT)) for p in generate.stale()]
    assert stale == [], f"out of date: {stale}; run `make hardware` and commit the result"


def test_generated_files_cover_firmware_diagrams_and_readme():
    paths = {str(p.relative_to(ROOT)) for p in generate.outputs()}
    assert paths == {
        "firmware/blinkshot/default_pins.py",
        "hardware/README.md",
        "hardware/diagrams/esp32-devkit.svg",
        "hardware/diagrams/esp32-s3-devkitc.svg",
        "hardware/diagrams/esp32-c3-devkitm.svg",
    }


def test_check_mode_exit_status():
    out = subprocess.run(
        [sys.executable, str(ROOT / "hardware" / "tools" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr


def test_default_pins_follow_the_reference_pin_map():
    from blinkshot import default_pins

    pm = pinmap.load("esp32-devkit")
    assert default_pins.CHIP == pm["chip"]
    for field, pin in pm["pins"].items():
        expected = None if field in pm["off_by_default"] else pin
        assert default_pins.PINS[field] == expected, field
    assert default_pins.OPTIONAL_PINS == {f: pm["pins"][f] for f in pm["off_by_default"]}
    assert list(default_pins.EXTERNAL_PULLUP) == pm["external_pullup"]


def test_a_changed_pin_map_changes_every_output():
    pm = pinmap.load("esp32-devkit")
    pm["pins"]["led"] = 4
    assert "GPIO4" in diagram.render(pm) and "pins.led = 4" in diagram.render(pm)
    assert '"led": 4,' in generate.default_pins_source(pm)
    assert "| `pins.led` | 4 |" in readme.pins_block([pm])
    assert "led = Pin(4, Pin.OUT)" in readme.checks_block(pm)
    text = "LED on GPIO<!--pin:led-->2<!--/pin-->."
    assert readme.fill(text, {}, pm["pins"]) == "LED on GPIO<!--pin:led-->4<!--/pin-->."


@pytest.mark.parametrize("board", pinmap.board_names())
def test_diagram_is_valid_svg_naming_every_pin(board):
    pm = pinmap.load(board)
    root = ET.fromstring(diagram.render(pm))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    for field, pin in pm["pins"].items():
        assert f"GPIO{pin}" in texts and f"pins.{field} = {pin}" in texts, field
    assert {"3V3", "GND", "330 Ω", "470 Ω", "100 kΩ"} <= texts


def test_readme_fill_rejects_an_unknown_block():
    text = "<!-- begin generated: nope -->\nx\n<!-- end generated: nope -->"
    with pytest.raises(KeyError):
        readme.fill(text, {}, {})


def test_readme_inline_pins_match_the_reference_board():
    text = (ROOT / "hardware" / "README.md").read_text()
    pins = pinmap.load("esp32-devkit")["pins"]
    found = readme.INLINE.findall(text)
    assert len(found) >= 7
    for _, field, body, _ in found:
        assert body == str(pins[field]), field


def test_readme_has_every_generated_block_filled():
    text = (ROOT / "hardware" / "README.md").read_text()
    names = [m.group("name") for m in readme.BLOCK.finditer(text)]
    assert sorted(names) == ["bom", "checks", "pins"]
    for m in readme.BLOCK.finditer(text):
        assert m.group("body").strip(), m.group("name")
