"""Before the controller loads: the escape hatch and the pins of a config that may be broken.
Small on purpose and unloaded after use: at boot it is all that is in the heap besides the
config check (docs/firmware.md, Boot)."""

from blinkshot.ticks import sleep_ms, ticks_diff, ticks_ms


def held_at_boot(machine, pin_no, ms=300):
    """True if the active-low button on pin_no stays pressed for ms (the escape hatch)."""
    if pin_no is None:
        return False
    try:
        pin = machine.Pin(pin_no, machine.Pin.IN, machine.Pin.PULL_UP)
    except (ValueError, OSError):
        return False
    t0 = ticks_ms()
    while True:
        if pin.value():
            return False
        if ticks_diff(ticks_ms(), t0) >= ms:
            return True
        sleep_ms(10)


def pin_from(cfg, name):
    """pins[name] from a config, even a broken one; else the default pin map's."""
    pins = cfg.get("pins") if isinstance(cfg, dict) else None
    pin = pins.get(name) if isinstance(pins, dict) else None
    if type(pin) is not int:
        from blinkshot import default_pins

        pin = default_pins.PINS.get(name)
    return pin
