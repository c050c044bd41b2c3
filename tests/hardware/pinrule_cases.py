"""Pin rule cases shared by CPython (pytest) and the MicroPython unix port.

Each case: (name, chip, changes to that chip's default pins, external_pullup, expected), where
expected is None (no problem) or (field, [substrings the message must contain]). Every rule has
a failing case and a passing neighbour. Run directly (`micropython pinrule_cases.py`) it checks
them all and prints "ok <count>" or one "FAIL ..." line per broken case.
"""

# The pin maps' defaults (test_pinmaps.py checks these equal hardware/pinmaps/*.json).
BASE = {
    "esp32": {"x": 34, "y": 35, "stick": 25, "blink": 26, "shoot": 27, "led": 2, "motor": 13},
    "esp32s3": {"x": 4, "y": 5, "stick": 7, "blink": 15, "shoot": 16, "led": 17, "motor": 18},
    "esp32c3": {"x": 0, "y": 1, "stick": 5, "blink": 6, "shoot": 7, "led": 10, "motor": 4},
}
ADC2 = "is on ADC2"
FLASH = "flash chip"
DOWNLOAD = "download mode"

CASES = [
    # --- classic ESP32 ---
    ("esp32 defaults", "esp32", {}, (), None),
    ("esp32 defaults with battery", "esp32", {"battery": 32}, (), None),
    ("joystick x on ADC2", "esp32", {"x": 26, "blink": 14}, (), ("x", [ADC2, "WiFi", "ADC1"])),
    ("joystick x on ADC1 33", "esp32", {"x": 33}, (), None),
    ("joystick y on ADC2 GPIO4", "esp32", {"y": 4}, (), ("y", [ADC2, "GPIO4"])),
    ("battery on ADC2", "esp32", {"battery": 25, "stick": 14}, (), ("battery", [ADC2])),
    ("battery on ADC1 36", "esp32", {"battery": 36}, (), None),
    ("analog on a pin with no ADC", "esp32", {"x": 5}, (), ("x", ["no ADC", "ADC1"])),
    ("button on flash pin 6", "esp32", {"stick": 6}, (), ("stick", [FLASH, "GPIO6"])),
    ("led on flash pin 11", "esp32", {"led": 11}, (), ("led", [FLASH])),
    ("button on 14 instead", "esp32", {"stick": 14}, (), None),
    ("led on UART TX", "esp32", {"led": 1}, (), ("led", ["USB serial"])),
    ("button on UART RX", "esp32", {"blink": 3}, (), ("blink", ["USB serial"])),
    (
        "button on input-only pin, no pull-up",
        "esp32",
        {"blink": 34, "x": 32},
        (),
        ("blink", ["input-only", "no internal pull-up", "10k", "external_pullup"]),
    ),
    (
        "button on input-only pin, external pull-up",
        "esp32",
        {"blink": 34, "x": 32},
        ("blink",),
        None,
    ),
    ("led on input-only pin", "esp32", {"led": 36}, (), ("led", ["input-only", "cannot drive"])),
    ("motor on input-only pin", "esp32", {"motor": 39}, (), ("motor", ["input-only"])),
    ("led on an output pin", "esp32", {"led": 4}, (), None),
    (
        "button on GPIO12",
        "esp32",
        {"shoot": 12},
        (),
        ("shoot", ["GPIO12", "1.8 V", "does not boot"]),
    ),
    ("button on GPIO12, pull-up", "esp32", {"shoot": 12}, ("shoot",), ("shoot", ["GPIO12"])),
    ("led on GPIO12 is fine", "esp32", {"led": 12}, (), None),
    ("led on GPIO0", "esp32", {"led": 0}, (), ("led", [DOWNLOAD, "GPIO0"])),
    ("motor on GPIO0", "esp32", {"motor": 0}, (), ("motor", [DOWNLOAD])),
    ("button on GPIO0 works", "esp32", {"blink": 0}, (), None),
    (
        "external pull-up on GPIO2",
        "esp32",
        {"blink": 2, "led": 4},
        ("blink",),
        ("blink", ["GPIO2", "flashed"]),
    ),
    ("button on GPIO2 with internal pull-up", "esp32", {"blink": 2, "led": 4}, (), None),
    (
        "same pin twice",
        "esp32",
        {"shoot": 26},
        (),
        ("shoot", ["GPIO26", "already used by pins.blink"]),
    ),
    ("not a GPIO: 20", "esp32", {"led": 20}, (), ("led", ["no usable GPIO20"])),
    ("not a GPIO: 40", "esp32", {"x": 40}, (), ("x", ["no usable GPIO40"])),
    ("not a GPIO: -1", "esp32", {"led": -1}, (), ("led", ["no usable GPIO-1"])),
    ("pin as a bool", "esp32", {"led": True}, (), ("led", ["GPIO number"])),
    ("pin as a string", "esp32", {"led": "2"}, (), ("led", ["GPIO number"])),
    ("required pin missing", "esp32", {"blink": None}, (), ("blink", ["missing"])),
    ("optional motor not fitted", "esp32", {"motor": None}, (), None),
    ("unknown pin name", "esp32", {"fire": 14}, (), ("fire", ["not a known pin name"])),
    ("unknown chip", "esp8266", {}, (), ("chip", ["unknown chip", "esp32"])),
    ("pull-up on a non-button", "esp32", {}, ("led",), ("external_pullup", ["not a button"])),
    ("pull-up not a list", "esp32", {}, "blink", ("external_pullup", ["list"])),
    # --- ESP32-S3 ---
    ("s3 defaults", "esp32s3", {}, (), None),
    ("s3 defaults with battery", "esp32s3", {"battery": 6}, (), None),
    ("s3 joystick on ADC2", "esp32s3", {"x": 12}, (), ("x", [ADC2, "shared with WiFi"])),
    ("s3 joystick on ADC1 1", "esp32s3", {"x": 1}, (), None),
    ("s3 flash pin", "esp32s3", {"blink": 30}, (), ("blink", [FLASH])),
    ("s3 USB pin", "esp32s3", {"blink": 19}, (), ("blink", ["USB"])),
    ("s3 UART pin", "esp32s3", {"led": 43}, (), ("led", ["USB serial"])),
    ("s3 button on GPIO45", "esp32s3", {"blink": 45}, (), ("blink", ["1.8 V"])),
    ("s3 led on GPIO45 is fine", "esp32s3", {"led": 45}, (), None),
    ("s3 pull-up on GPIO46", "esp32s3", {"blink": 46}, ("blink",), ("blink", ["flashed"])),
    ("s3 led on GPIO0", "esp32s3", {"led": 0}, (), ("led", [DOWNLOAD])),
    ("s3 not a GPIO: 22", "esp32s3", {"blink": 22}, (), ("blink", ["no usable GPIO22"])),
    ("s3 GPIO34 works", "esp32s3", {"blink": 34}, (), None),
    # --- ESP32-C3 ---
    ("c3 defaults", "esp32c3", {}, (), None),
    ("c3 defaults with battery", "esp32c3", {"battery": 3}, (), None),
    ("c3 joystick on ADC2", "esp32c3", {"x": 5, "stick": 3}, (), ("x", [ADC2, "unstable"])),
    ("c3 analog on no-ADC pin", "esp32c3", {"y": 6, "blink": 3}, (), ("y", ["no ADC"])),
    ("c3 flash pin", "esp32c3", {"blink": 12}, (), ("blink", [FLASH])),
    ("c3 VDD_SPI pin", "esp32c3", {"led": 11}, (), ("led", ["VDD_SPI"])),
    ("c3 USB pin", "esp32c3", {"blink": 18}, (), ("blink", ["USB"])),
    ("c3 UART pin", "esp32c3", {"shoot": 21}, (), ("shoot", ["USB serial"])),
    ("c3 led on GPIO8", "esp32c3", {"led": 8}, (), ("led", ["flashed"])),
    ("c3 motor on GPIO9", "esp32c3", {"motor": 9}, (), ("motor", [DOWNLOAD])),
    ("c3 led on GPIO2", "esp32c3", {"led": 2}, (), ("led", ["flashed"])),
    ("c3 button on GPIO9 works", "esp32c3", {"blink": 9}, (), None),
    ("c3 not a GPIO: 22", "esp32c3", {"led": 22}, (), ("led", ["no usable GPIO22"])),
]


def pins_for(chip, changes):
    pins = dict(BASE.get(chip, BASE["esp32"]))
    for k in changes:
        if changes[k] is None and k in pins:
            del pins[k]
        elif changes[k] is not None:
            pins[k] = changes[k]
    return pins


def failure(case, problems):
    """None if `problems` is what the case expects, else a line saying what went wrong."""
    name, chip, changes, pullups, expected = case
    if expected is None:
        return None if problems == [] else f"{name}: expected no problem, got {problems!r}"
    field, parts = expected
    if len(problems) != 1:
        return f"{name}: expected one problem on {field}, got {problems!r}"
    got_field, message = problems[0]
    if got_field != field:
        return f"{name}: problem on {got_field}, expected {field}: {message!r}"
    for part in parts:
        if part not in message:
            return f"{name}: {part!r} not in {message!r}"
    is_pin = field in BASE["esp32"] or field == "battery"
    is_pin = is_pin and changes.get(field) is not None
    if is_pin and not message.startswith(f"pins.{field} = "):
        return f"{name}: message does not name the field and pin: {message!r}"
    if " use " not in message and "add" not in message and "give" not in message:
        return f"{name}: message suggests no fix: {message!r}"
    return None


def run_all(pinrules):
    bad = []
    for case in CASES:
        _, chip, changes, pullups, _ = case
        problems = pinrules.check_pins(pins_for(chip, changes), chip, pullups)
        why = failure(case, problems)
        if why:
            bad.append(why)
    return bad


if __name__ == "__main__":
    import sys

    sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else "../../firmware")
    from blinkshot import pinrules

    bad = run_all(pinrules)
    for line in bad:
        print("FAIL", line)
    if not bad:
        print("ok", len(CASES))
