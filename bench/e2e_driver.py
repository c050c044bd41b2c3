"""MicroPython side of the end-to-end bench: the real firmware on fake pins, timestamped.

Runs under the unix port with the firmware and fakes precompiled by firmware/host/sim.py.
Reuses the virtual controller's driver (tests/fakes/simdriver.py) and adds one thing: after
each pin change it prints `pin <command> <args> <time_ns>` (CLOCK_REALTIME, comparable with
the browser's performance.timeOrigin + now()). Commands arrive as lines on stdin.

    micropython -c "import e2e_driver; e2e_driver.main(['', 'CONFIG.json', 'DEVICE_ID'])"

(precompiled with mpy-cross, as the firmware is: compiling .py in RAM does not fit 64 KB).
"""

import binascii
import sys
import time

import machine
import network
import simdriver
from blinkshot import app


class TimedDriver(simdriver.Driver):
    def run(self, words, t):
        simdriver.Driver.run(self, words, t)
        if words[0] in ("stick", "press"):
            print("pin", " ".join(words), time.time_ns())


def main(argv):
    import json

    machine.fake_set_unique_id(binascii.unhexlify(argv[2]))
    with open(argv[1]) as f:
        raw = json.load(f)
    network.fake_access_point(raw.get("wifi_ssid"), raw.get("wifi_password"), delay_ms=20)
    a = app.create(argv[1], machine, network)
    d = TimedDriver(a, [], False, True)
    a.on_welcome = d.welcome
    a.on_tick = d.tick
    a.run()
    print("sim: done")


if __name__ == "__main__":
    main(sys.argv)
