"""Which GPIO may do what on each ESP32 chip, and the checks a controller's pins must pass.

Runs on the board (MicroPython) and on the PC (CPython): the firmware calls `check_pins` at boot,
`hardware/tools/check.py` before flashing. Sources: the MicroPython esp32 quickref, ESP-IDF's
GPIO and ADC pages, esptool's boot-mode page; explained in plain words in hardware/README.md.

check_pins(pins, chip, external_pullup) -> [(field, message)]: wirings that cannot work (empty =
fine). warn_pins(...) -> [(field, message)]: wirings that work with a caveat (boot pins).
"""

BUTTONS = ("blink", "shoot", "stick")
ANALOG = ("x", "y", "battery")
OUTPUTS = ("led", "motor")
FIELDS = ("blink", "shoot", "stick", "x", "y", "led", "motor", "battery")
OPTIONAL = ("motor", "battery")

_FLASH = "is wired to the module's flash chip (using it crashes the board)"
_UART = "is the USB serial line the REPL and flashing use"


def _r(a, b):
    return tuple(range(a, b + 1))


# Per chip: usable GPIO numbers; ADC1/ADC2 channels; input-only pins (no output, no pull-ups);
# reserved pins (never usable); pins that buttons, external pull-ups or outputs must avoid
# because of their level at reset; warnings; and preferred pins for suggestions. Each table is
# built on demand by table(chip), so the board keeps only the code, not three dicts, in RAM.
CHIPS = ("esp32", "esp32s3", "esp32c3")


def _esp32():
    return {
        "name": "ESP32",
        "gpio": _r(0, 19) + (21, 22, 23, 25, 26, 27) + _r(32, 39),
        "adc1": _r(32, 39),
        "adc2": (0, 2, 4, 12, 13, 14, 15, 25, 26, 27),
        "adc2_why": "which cannot be read while WiFi is on",
        "input_only": _r(34, 39),
        "reserved": {
            1: _UART + " (TX)",
            3: _UART + " (RX)",
            6: _FLASH,
            7: _FLASH,
            8: _FLASH,
            9: _FLASH,
            10: _FLASH,
            11: _FLASH,
        },
        "no_button": {
            12: "is a strapping pin that must be low at reset: pulled high it selects "
            "1.8 V flash and the board does not boot"
        },
        "no_ext_pullup": {
            2: "must be low or floating at reset to enter download mode; a pull-up "
            "there stops the board from being flashed"
        },
        "no_output": {
            0: "must be high at reset; an LED or transistor pulls it low and the board "
            "starts in download mode instead of running"
        },
        "warn_button": {
            0: "is the BOOT button pin: holding it during reset starts the bootloader",
            2: "is a strapping pin: holding the button during reset blocks flashing",
            5: "is a strapping pin: don't hold the button during reset",
            15: "is a strapping pin: holding the button during reset hides the boot log",
        },
        "warn_any": {
            16: "connects to PSRAM on WROVER modules; fine on WROOM modules",
            17: "connects to PSRAM on WROVER modules; fine on WROOM modules",
        },
        "warn_motor": (5, 14, 15),
        "prefer_adc": (34, 35, 32, 33, 36, 39),
        "prefer_button": (25, 26, 27, 13, 14, 18, 19, 21, 22, 23, 32, 33),
        "prefer_output": (2, 13, 4, 18, 19, 21, 22, 23, 25, 26, 27),
    }


def _esp32s3():
    return {
        "name": "ESP32-S3",
        "gpio": _r(0, 21) + _r(26, 48),
        "adc1": _r(1, 10),
        "adc2": _r(11, 20),
        "adc2_why": "which is shared with WiFi, so reads fail while WiFi is on",
        "input_only": (),
        "reserved": {
            19: "is the native USB D- line",
            20: "is the native USB D+ line",
            43: _UART + " (TX)",
            44: _UART + " (RX)",
            26: _FLASH,
            27: _FLASH,
            28: _FLASH,
            29: _FLASH,
            30: _FLASH,
            31: _FLASH,
            32: _FLASH,
        },
        "no_button": {
            45: "is a strapping pin that must be low at reset: pulled high it selects "
            "1.8 V flash and the board does not boot"
        },
        "no_ext_pullup": {
            46: "must be low at reset to enter download mode; a pull-up there stops "
            "the board from being flashed"
        },
        "no_output": {
            0: "must be high at reset; an LED or transistor pulls it low and the board "
            "starts in download mode instead of running"
        },
        "warn_button": {
            0: "is the BOOT button pin: holding it during reset starts the bootloader",
            3: "is a strapping pin: don't hold the button during reset",
            46: "is a strapping pin: don't hold the button during reset",
        },
        "warn_any": {
            33: "is taken by octal PSRAM on N8R8/N16R8 modules",
            34: "is taken by octal PSRAM on N8R8/N16R8 modules",
            35: "is taken by octal PSRAM on N8R8/N16R8 modules",
            36: "is taken by octal PSRAM on N8R8/N16R8 modules",
            37: "is taken by octal PSRAM on N8R8/N16R8 modules",
        },
        "warn_motor": (),
        "prefer_adc": (4, 5, 6, 7, 1, 2, 8, 9, 10),
        "prefer_button": (15, 16, 17, 18, 21, 38, 39, 40, 41, 42, 47),
        "prefer_output": (17, 18, 21, 38, 39, 40, 41, 42, 47, 48),
    }


def _esp32c3():
    return {
        "name": "ESP32-C3",
        "gpio": _r(0, 21),
        "adc1": _r(0, 4),
        "adc2": (5,),
        "adc2_why": "which gives unstable readings on the ESP32-C3 (chip errata)",
        "input_only": (),
        "reserved": {
            11: "powers the flash chip (VDD_SPI) on most modules",
            12: _FLASH,
            13: _FLASH,
            14: _FLASH,
            15: _FLASH,
            16: _FLASH,
            17: _FLASH,
            18: "is the native USB D- line",
            19: "is the native USB D+ line",
            20: _UART + " (RX)",
            21: _UART + " (TX)",
        },
        "no_button": {},
        "no_ext_pullup": {},
        "no_output": {
            9: "must be high at reset; an LED or transistor pulls it low and the board "
            "starts in download mode instead of running",
            2: "must be high at reset to enter download mode; an LED or transistor "
            "pulls it low and stops the board from being flashed",
            8: "must be high at reset to enter download mode; an LED or transistor "
            "pulls it low and stops the board from being flashed",
        },
        "warn_button": {
            9: "is the BOOT button pin: holding it during reset starts the bootloader",
            2: "is a strapping pin: holding the button during reset blocks flashing",
            8: "is a strapping pin: holding the button during reset blocks flashing",
        },
        "warn_any": {},
        "warn_motor": (),
        "prefer_adc": (0, 1, 3, 4, 2),
        "prefer_button": (5, 6, 7, 10, 4, 3),
        "prefer_output": (10, 4, 3, 5, 6, 7),
    }


def table(chip):
    """The pin table of `chip` (a dict), or None for a chip this module does not know."""
    make = {"esp32": _esp32, "esp32s3": _esp32s3, "esp32c3": _esp32c3}.get(chip)
    return make() if make else None


def _suggest(table, kind, taken):
    free = [str(p) for p in table["prefer_" + kind] if p not in taken][:4]
    if not free:
        return "a free pin"
    if len(free) == 1:
        return free[0]
    return ", ".join(free[:-1]) + " or " + free[-1]


def _problem(table, name, pin, external, taken):
    """Why `pin` cannot serve as `name` on this chip, with the fix; None if it can."""
    gp = "GPIO" + str(pin)
    kind = "adc" if name in ANALOG else "button" if name in BUTTONS else "output"
    pick = _suggest(table, kind, taken)
    if pin not in table["gpio"]:
        return "the {} has no usable {}; use a pin such as {}".format(table["name"], gp, pick)
    why = table["reserved"].get(pin)
    if why:
        return f"{gp} {why}; use a pin such as {pick}"
    if kind == "adc":
        if pin in table["adc2"]:
            return "{} is on ADC2, {}; use an ADC1 pin such as {}".format(
                gp, table["adc2_why"], pick
            )
        if pin not in table["adc1"]:
            return f"{gp} has no ADC input; use an ADC1 pin such as {pick}"
    elif kind == "button":
        why = table["no_button"].get(pin)
        if why:
            return f"{gp} {why}; a button needs a pull-up there, so use a pin such as {pick}"
        if external:
            why = table["no_ext_pullup"].get(pin)
            if why:
                return f"{gp} {why}; use a pin such as {pick}"
        elif pin in table["input_only"]:
            return (
                f"{gp} is input-only and has no internal pull-up, so the button would float; "
                f'fit a 10k resistor from {gp} to 3V3 and add "{name}" to external_pullup, '
                f"or use a pin such as {pick}"
            )
    else:
        if pin in table["input_only"]:
            return (
                f"{gp} is input-only and cannot drive the {name}; use an output pin such as {pick}"
            )
        why = table["no_output"].get(pin)
        if why:
            return f"{gp} {why}; use a pin such as {pick}"
    return None


def _is_pin(value):
    return type(value) is int  # bool is an int subclass; reject it too


def _start(pins, chip, external_pullup):
    """Shared argument checks. Returns (table, pullups, problems)."""
    tbl = table(chip) if isinstance(chip, str) else None
    if tbl is None:
        names = ", ".join(CHIPS)
        return None, (), [("chip", f"unknown chip {chip!r}; use one of {names}")]
    if not isinstance(pins, dict):
        return None, (), [("pins", "pins must be an object mapping names to GPIO numbers")]
    problems = []
    if external_pullup is None:
        external_pullup = ()
    if not isinstance(external_pullup, (list, tuple)):
        problems.append(
            (
                "external_pullup",
                'external_pullup must be a list of button names; use e.g. ["blink"]',
            )
        )
        external_pullup = ()
    for name in external_pullup:
        if name not in BUTTONS:
            problems.append(
                (
                    "external_pullup",
                    "external_pullup lists {!r}, which is not a button; use {}".format(
                        name, ", ".join(BUTTONS)
                    ),
                )
            )
    return tbl, external_pullup, problems


def check_pins(pins, chip="esp32", external_pullup=()):
    """Return [(field, message)] for every pin that cannot work; an empty list means all is fine.

    pins: {"blink", "shoot", "stick", "x", "y", "led"[, "motor", "battery"]: GPIO number or None
    (not fitted; only allowed for motor and battery)}. external_pullup: names of buttons that
    have a resistor to 3V3 fitted (needed on input-only pins).
    """
    table, pullups, problems = _start(pins, chip, external_pullup)
    if table is None:
        return problems
    for key in pins:
        if key not in FIELDS:
            problems.append(
                (key, "pins.{} is not a known pin name; use {}".format(key, ", ".join(FIELDS)))
            )
    taken = [v for v in pins.values() if _is_pin(v)]
    used = {}
    for name in FIELDS:
        pin = pins.get(name)
        if pin is None:
            if name not in OPTIONAL:
                problems.append(
                    (
                        name,
                        f"pins.{name} is missing; a controller needs it, give it a GPIO number",
                    )
                )
            continue
        if not _is_pin(pin):
            problems.append(
                (
                    name,
                    f"pins.{name} = {pin!r}: a pin must be a GPIO number; use one like 25 "
                    "(or null for an optional part that is not fitted)",
                )
            )
            continue
        why = _problem(table, name, pin, name in pullups, taken)
        if why is None and pin in used:
            why = f"GPIO{pin} is already used by pins.{used[pin]}; give each part its own pin"
        if why:
            problems.append((name, f"pins.{name} = {pin}: {why}"))
        else:
            used[pin] = name
    return problems


def warn_pins(pins, chip="esp32", external_pullup=()):
    """Return [(field, message)] for pins that work but have a caveat worth knowing."""
    table, _, problems = _start(pins, chip, external_pullup)
    if table is None or problems:
        return []
    warnings = []
    for name in FIELDS:
        pin = pins.get(name)
        if not _is_pin(pin) or pin not in table["gpio"]:
            continue
        why = table["warn_any"].get(pin)
        if why is None and name in BUTTONS:
            why = table["warn_button"].get(pin)
        if why is None and name == "motor" and pin in table["warn_motor"]:
            why = "toggles during boot, so the motor may buzz briefly at power-on"
        if why:
            warnings.append((name, f"pins.{name} = {pin}: GPIO{pin} {why}"))
    return warnings
