"""Start of the virtual controller (see simdriver.py): builds the controller as main.py does
on a board, sets the fake world from its config and hooks a Driver in; then it is unloaded, so
its code is not in the heap while the firmware runs. Never copy to a device."""

import sys

import simdriver


def option(argv, name, default=None):
    return argv[argv.index(name) + 1] if name in argv else default


def attach(a, argv):
    """Drive a freshly built controller from the command line (argv as for main): set the fake
    world from its config, load the script and hook a Driver in. Exits 2 on a config error."""
    import machine
    import network

    if hasattr(a, "problems"):  # an errors.ErrorIdle: config.json is unusable
        a.report()
        sys.exit(2)
    # The fake world matches the validated config (no second JSON parse in the heap); set
    # before run(), which is when pins and WiFi are first used.
    cfg = a.cfg
    # (their state directly: the fake_* helpers would load machinectl/networkctl now, at the
    # tightest moment; the first command loads them)
    network._ap.update(ssid=cfg["wifi_ssid"], pw=cfg["wifi_password"], delay=20)
    for name in cfg["external_pullup"]:
        machine._line(cfg["pins"][name])[7] = True  # machine._XPU: a 10k pull-up is fitted
    script = option(argv, "--script")
    live = script == "-"
    f = None
    if script and not live:
        try:
            f = open(script)
        except OSError as e:
            print(f"sim: cannot open the script file {script} ({e}); check the path")
            sys.exit(2)
    d = simdriver.Driver(a, f, "--stay" in argv, live)
    a.on_welcome = d.welcome
    a.on_tick = d.tick


def start(argv):
    """Build the controller as main.py does on a board and hook the driver in (the steps
    firmware/host/sim.py runs); returns it, ready to run()."""
    import binascii

    import blinkshot
    import machine
    from blinkshot import app

    device_id = option(argv, "--id")
    if device_id:
        machine.fake_reset(binascii.unhexlify(device_id))
    made = app.start(argv[1])  # as main.py does on a board
    del sys.modules["blinkshot.app"], blinkshot.app, app  # needed only to prepare it
    a = made[0](*made[1])
    attach(a, argv)
    return a
