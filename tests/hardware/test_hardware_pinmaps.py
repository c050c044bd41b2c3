"""The pin maps: well formed, passing the pin rules, and matching the shared test cases."""

import json
from pathlib import Path

import pinmap
import pytest
from blinkshot import pinrules
from pinrule_cases import BASE

ROOT = Path(__file__).resolve().parents[2]
BOARDS = pinmap.board_names()


def test_reference_board_comes_first_and_all_three_exist():
    assert BOARDS[0] == "esp32-devkit"
    assert set(BOARDS) == {"esp32-devkit", "esp32-s3-devkitc", "esp32-c3-devkitm"}


@pytest.mark.parametrize("board", BOARDS)
def test_pin_map_passes_the_rules_without_warnings(board):
    pm = pinmap.load(board)
    assert pm["board"] == board
    assert set(pm["pins"]) == set(pinrules.FIELDS)
    assert pinmap.problems(pm) == []
    assert pinmap.warnings(pm) == []


@pytest.mark.parametrize("board", BOARDS)
def test_shared_cases_use_the_pin_maps_defaults(board):
    pm = pinmap.load(board)
    pins = {k: v for k, v in pm["pins"].items() if k != "battery"}
    assert BASE[pm["chip"]] == pins


def test_each_chip_has_one_pin_map():
    chips = sorted(pinmap.load(b)["chip"] for b in BOARDS)
    assert chips == sorted(pinrules.CHIPS)


@pytest.mark.parametrize(
    "change,words",
    [
        ({"pins": [1]}, "pins must be an object"),
        ({"notes": "x"}, "notes must be a list"),
        ({"off_by_default": ["led"]}, "only optional parts"),
        ({"extra": 1}, "unknown key(s) extra"),
    ],
)
def test_parse_rejects_malformed_maps(change, words):
    data = json.loads((ROOT / "hardware" / "pinmaps" / "esp32-devkit.json").read_text())
    data.update(change)
    with pytest.raises(pinmap.PinMapError, match=words.replace("(", r"\(").replace(")", r"\)")):
        pinmap.parse(data)


def test_parse_names_missing_keys():
    with pytest.raises(pinmap.PinMapError, match="missing chip, pins"):
        pinmap.parse({"board": "b", "title": "t"})


def test_load_names_the_file_of_a_broken_map(tmp_path, monkeypatch):
    (tmp_path / "broken.json").write_text('{"board": "broken",')
    monkeypatch.setattr(pinmap, "PINMAPS", tmp_path)
    with pytest.raises(pinmap.PinMapError, match="broken.json: not valid JSON at line 1"):
        pinmap.load("broken")
