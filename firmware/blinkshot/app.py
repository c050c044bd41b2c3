"""Entry point. `main()` runs the controller on a board (main.py calls it).

`create(path, machine, network)` builds it from a config file with injected machine/network
modules (tests and the virtual controller pass fakes) and returns an object with `run()`,
`step(now)` and `stop()`: a controller.App, or an errors.ErrorIdle when config.json is unusable (a
safe idle loop that reports the problem; never a boot loop). The config validator is loaded,
used and unloaded before the controller is imported, so the two never share the heap.
"""

import gc
import sys

from micropython import const


def log(msg):
    print("blinkshot: " + msg)


CONFIG_PATH = "config.json"
_RESERVE = const(1024)  # bytes held back while the controller loads (see create)


def load_config(path=CONFIG_PATH):
    """(cfg, problems). The validator and the pin tables are big and needed once, so they are
    unloaded again before the app allocates anything (ESP32 heap, see docs/firmware.md)."""
    from blinkshot import config

    try:
        return config.load(path)
    finally:
        unload("config", "pinrules", "default_pins")


def unload(*names):
    """Drop modules needed only once, so their code leaves the heap."""
    import blinkshot

    for name in names:
        sys.modules.pop("blinkshot." + name, None)
        if hasattr(blinkshot, name):
            delattr(blinkshot, name)  # the package keeps a reference too
    gc.collect()


def create(path, machine, network, cfg_problems=None, build=True):
    """App (or ErrorIdle) from a config file, with the given machine/network modules.
    build=False: its class and arguments, with its modules loaded but the object not yet
    built: main.py unloads this module between the two, so the App is built in the 2 KB this
    module's code held (building the App is the fullest moment of the firmware's heap)."""
    cfg, problems = cfg_problems or load_config(path)
    if problems:
        from blinkshot.errors import ErrorIdle

        make, args = ErrorIdle, (problems, machine, cfg)
        return make(*args) if build else (make, args)
    # The hello never changes during a run: encode it now, while the heap is nearly empty,
    # and drop the encoder before the controller loads.
    from blinkshot import hello

    msg = hello.for_device(machine, cfg)  # a ready WebSocket frame
    unload("hello")
    # Load the controller's modules one at a time, leaves first, with a collection after
    # each: the garbage of one load (reader buffers, the unloaded validator's holes) then
    # never splits the next. A block is held back meanwhile and freed for the App, whose
    # objects need a few larger blocks (its attribute table, the receive buffer) that a
    # heap fragmented by loading code no longer has. Together they fit the 64 KB heap.
    reserve = bytearray(_RESERVE)
    for name in ("ticks", "codec", "ws", "net", "status", "buttons", "hw", "policy", "stick"):
        __import__("blinkshot." + name)
        gc.collect()
    from blinkshot.controller import App

    del reserve
    gc.collect()
    make, args = App, (cfg, machine, network, msg)
    return make(*args) if build else (make, args)


def start(path=CONFIG_PATH, build=True):
    """The controller for this board (App or ErrorIdle), or None when the escape hatch is held.
    build=False: its (class, arguments) instead, see create(); main.py takes those, unloads
    this module, then builds and runs the controller."""
    import machine
    import network

    loaded = load_config(path)
    # The escape hatch: the stick button held during boot skips the app.
    from blinkshot.escape import held_at_boot, pin_from

    held = held_at_boot(machine, pin_from(loaded[0], "stick"))
    del held_at_boot, pin_from  # so unload() frees its code before the controller loads
    unload("escape")
    if held:
        log("stick button held at boot: app skipped, the REPL is yours")
        return None
    return create(path, machine, network, loaded, build)


def main(path=CONFIG_PATH):
    """Run the controller on a device."""
    a = start(path)
    if a is not None:
        a.run()
