"""Entry point. `start()` prepares the controller on a board; main.py builds and runs it.

`create(path, machine, network)` builds it from a config file with injected machine/network
modules (tests and benchmarks pass fakes) and returns an object with `run()`,
`step(now)` and `stop()`: a controller.App, or an errors.ErrorIdle when config.json is unusable (a
safe idle loop that reports the problem; never a boot loop). The config validator is loaded,
used and unloaded before the controller is imported, so the two never share the heap.
"""

import gc

from micropython import const

from blinkshot import unload


def log(msg):
    print("blinkshot: " + msg)


CONFIG_PATH = "config.json"
_RESERVE = const(1024)  # bytes held back while the controller loads (see prepare)


def load_config(path=CONFIG_PATH):
    """(cfg, problems). The validator and the pin tables are big and needed once, so they are
    unloaded again before the app allocates anything (ESP32 heap, see docs/firmware.md)."""
    from blinkshot import config

    try:
        return config.load(path)
    finally:
        unload("config", "pinrules", "default_pins")


def create(path, machine, network, cfg_problems=None):
    """App (or ErrorIdle) from a config file, with the given machine/network modules."""
    make, args = prepare(path, machine, network, cfg_problems)
    return make(*args)


def prepare(path, machine, network, cfg_problems=None):
    """(class, arguments) of the controller: its modules loaded, the object not yet built.
    main.py unloads this module between the two, so the App is built in the room this
    module's code held (building the App is the fullest moment of the firmware's heap)."""
    cfg, problems = cfg_problems or load_config(path)
    if problems:
        from blinkshot.errors import ErrorIdle

        return ErrorIdle, (problems, machine, cfg)
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
    return App, (cfg, machine, network, msg)


def start(path=CONFIG_PATH):
    """(class, arguments) of the controller for this board (see prepare), or None when the
    escape hatch is held. main.py takes them, unloads this module, then builds and runs it."""
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
    return prepare(path, machine, network, loaded)


def main(path=CONFIG_PATH):
    """Run the controller on a device (main.py does the same, unloading this module first)."""
    made = start(path)
    if made is not None:
        made[0](*made[1]).run()
