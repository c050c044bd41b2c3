"""The pin rules under CPython: every rule fails its bad wiring and passes its neighbour."""

import pytest
from blinkshot import pinrules
from pinrule_cases import CASES, failure, pins_for


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule_case(case):
    _, chip, changes, pullups, _ = case
    problems = pinrules.check_pins(pins_for(chip, changes), chip, pullups)
    assert failure(case, problems) is None


def test_adc2_message_names_field_pin_and_free_adc1_pins():
    pins = pins_for("esp32", {"x": 26, "blink": 14})
    assert pinrules.check_pins(pins) == [
        (
            "x",
            "pins.x = 26: GPIO26 is on ADC2, which cannot be read while WiFi is on; "
            "use an ADC1 pin such as 34, 32, 33 or 36",
        )
    ]


def test_suggestions_skip_pins_already_in_use():
    # y sits on 35 and x moves off 34, so 34 is free again and 35 is not suggested
    [(_, message)] = pinrules.check_pins(pins_for("esp32", {"x": 4}))
    assert message.endswith("such as 34, 32, 33 or 36")
    [(_, message)] = pinrules.check_pins(pins_for("esp32", {"x": 4, "battery": 34}))
    assert message.endswith("such as 32, 33, 36 or 39")


def test_every_problem_is_reported_not_just_the_first():
    pins = pins_for("esp32", {"x": 26, "led": 36, "stick": 6})
    fields = [field for field, _ in pinrules.check_pins(pins)]
    assert fields == ["stick", "x", "led"]


def test_external_pullup_accepts_a_tuple_or_list_or_none():
    pins = pins_for("esp32", {"blink": 34, "x": 32})
    assert pinrules.check_pins(pins, "esp32", ["blink"]) == []
    assert pinrules.check_pins(pins, "esp32", ("blink",)) == []
    assert pinrules.check_pins(pins, "esp32", None)[0][0] == "blink"


def test_pins_not_a_dict():
    assert pinrules.check_pins([34, 35]) == [
        ("pins", "pins must be an object mapping names to GPIO numbers")
    ]


@pytest.mark.parametrize(
    "chip,changes,field,words",
    [
        ("esp32", {"blink": 0}, "blink", "BOOT button"),
        ("esp32", {"shoot": 15}, "shoot", "strapping"),
        ("esp32", {"motor": 16}, "motor", "WROVER"),
        ("esp32", {"motor": 14}, "motor", "buzz"),
        ("esp32s3", {"blink": 34}, "blink", "octal PSRAM"),
        ("esp32c3", {"blink": 9}, "blink", "BOOT button"),
    ],
)
def test_warnings_for_pins_that_work_with_a_caveat(chip, changes, field, words):
    pins = pins_for(chip, changes)
    assert pinrules.check_pins(pins, chip) == []
    [(got, message)] = pinrules.warn_pins(pins, chip)
    assert got == field and words in message and message.startswith(f"pins.{field} = ")


@pytest.mark.parametrize("chip", ["esp32", "esp32s3", "esp32c3"])
def test_default_pins_have_no_warnings(chip):
    assert pinrules.warn_pins(pins_for(chip, {}), chip) == []


def test_warn_pins_is_quiet_about_wirings_check_pins_rejects():
    assert pinrules.warn_pins({}, "esp8266") == []
    assert pinrules.warn_pins(pins_for("esp32", {"blink": 0}), "esp32", "blink") == []


def test_chip_tables_are_consistent():
    for chip in pinrules.CHIPS:
        t = pinrules.table(chip)
        gpio = set(t["gpio"])
        assert set(t["adc1"]) <= gpio and set(t["adc2"]) <= gpio, chip
        assert not set(t["adc1"]) & set(t["adc2"]), chip
        assert set(t["reserved"]) <= gpio and set(t["input_only"]) <= gpio, chip
        for kind in ("prefer_adc", "prefer_button", "prefer_output"):
            for pin in t[kind]:
                assert pin in gpio and pin not in t["reserved"], (chip, kind, pin)
        assert set(t["prefer_adc"]) <= set(t["adc1"]), chip
        assert not set(t["prefer_output"]) & set(t["input_only"]), chip
