"""The virtual controller's `state` command (see simdriver.py), loaded only for it. Never
copy to a device."""

import gc

import machine


def run(a):
    """Print the controller's state line (format: simdriver.py)."""
    pins = a.cfg["pins"]

    from blinkshot import controller, status

    led = "?"
    for name in ("OFF", "WIFI", "HUB", "CONNECTED", "CONFIG_ERROR", "REJECTED"):
        if a.status.pattern is getattr(status, name):
            led = name.lower()
    gc.collect()
    motor = pins.get("motor")
    used = gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0
    print(
        f"sim: state={controller.STATE_NAMES[a.state]} led={led} slot={a.slot} "
        f"sent={a.frames_sent} ignored={a.ws.ignored} heap_used={used} "
        f"wdt_feeds={a.wdt.feeds if a.wdt else -1} "
        f"motor_writes={-1 if motor is None else machine._line(motor)[8]}"  # output writes
    )
