"""Entry point. `main()` runs the controller on a board (main.py calls it).

`create(path, machine, network)` builds it from a config file with injected machine/network
modules (tests and the virtual controller pass fakes) and returns an object with `run()`,
`step(now)` and `stop()`: a controller.App, or an ErrorIdle when config.json is unusable (a
safe idle loop that reports the problem; never a boot loop). The config validator is loaded,
used and unloaded before the controller is imported, so the two never share the heap.
"""

import gc
import sys

from blinkshot import status
from blinkshot.hw import held_at_boot
from blinkshot.ticks import sleep_ms, ticks_add, ticks_diff, ticks_ms


def log(msg):
    print("blinkshot: " + msg)


class ErrorIdle:
    """config.json is unusable: say why on the console every few seconds, blink the config
    error pattern, and stay interruptible (Ctrl-C reaches the REPL; no reset, no boot loop)."""

    REPEAT_MS = 15000

    def __init__(self, problems, machine, led_pin):
        self.problems = problems
        self.status = status.Status()
        self.led = None
        self.stopped = False
        self.on_tick = None
        if led_pin is not None:
            try:
                self.led = machine.Pin(led_pin, machine.Pin.OUT, value=0)
            except (ValueError, OSError):
                self.led = None
        self._next = ticks_ms()

    def report(self):
        log(f"config.json has {len(self.problems)} problem(s); the controller will not start:")
        for field, message in self.problems:
            print(f"  config error: {field}: {message}")
        print("  fix config.json (make config ...), then reset the board. Ctrl-C for the REPL.")

    def step(self, now):
        if ticks_diff(now, self._next) >= 0:
            self.report()
            self._next = ticks_add(now, self.REPEAT_MS)
        self.status.show(status.CONFIG_ERROR, now)
        if self.led is not None:
            self.led.value(self.status.led(now))
        if self.on_tick is not None:
            self.on_tick(now)
        sleep_ms(20)

    def run(self):
        while not self.stopped:
            self.step(ticks_ms())

    def stop(self):
        self.stopped = True


CONFIG_PATH = "config.json"


def load_config(path=CONFIG_PATH):
    """(cfg, problems). The validator and the pin tables are big and needed once, so they are
    unloaded again before the app allocates anything (ESP32 heap, see docs/firmware.md)."""
    import blinkshot
    from blinkshot import config

    try:
        return config.load(path)
    finally:
        for name in ("config", "pinrules"):
            sys.modules.pop("blinkshot." + name, None)
            if hasattr(blinkshot, name):
                delattr(blinkshot, name)  # the package keeps a reference too
        gc.collect()


def _led_pin(cfg):
    """Best guess at the LED pin for the error pattern, even from a broken config."""
    from blinkshot import default_pins

    pins = cfg.get("pins") if isinstance(cfg, dict) else None
    led = pins.get("led") if isinstance(pins, dict) else None
    return led if type(led) is int else default_pins.PINS.get("led")


def create(path, machine, network, cfg_problems=None):
    """App (or ErrorIdle) from a config file, with the given machine/network modules."""
    cfg, problems = cfg_problems or load_config(path)
    if problems:
        return ErrorIdle(problems, machine, _led_pin(cfg))
    from blinkshot.controller import App

    return App(cfg, machine, network)


def escape_requested(machine, cfg):
    """The escape hatch: the stick button held during boot skips the app."""
    from blinkshot import default_pins

    pins = cfg.get("pins") if isinstance(cfg, dict) else None
    pin = pins.get("stick") if isinstance(pins, dict) else None
    if type(pin) is not int:
        pin = default_pins.PINS.get("stick")
    return held_at_boot(machine, pin)


def main(path=CONFIG_PATH):
    """Run the controller on a device (main.py calls this)."""
    import machine
    import network

    loaded = load_config(path)
    if escape_requested(machine, loaded[0]):
        log("stick button held at boot: app skipped, the REPL is yours")
        return
    create(path, machine, network, loaded).run()
