"""Virtual controller driver: runs the real firmware (blinkshot.app) on the fake machine and
network modules and moves the fake pins from timed commands. Never copy to a device.

Run by firmware/host/sim.py under the MicroPython unix port (works under CPython too):
    simdriver.py CONFIG.json [--id HEX12] [--script FILE|-] [--stay]

Commands (a script file, or lines on stdin when --script is -):
    [<ms>] stick X Y | press NAME | release NAME | tap NAME [ms] | end
    [<ms>] wifi drop | wifi back | state
<ms> counts from the first welcome; a line without <ms> runs as soon as it is read.
NAME is blink, shoot or stick. X, Y in -1000..1000 (what the hub should see).
Prints `sim: welcome slot=<n>` on every welcome; `state` prints
`sim: state=<wifi|find|connect|hello|play> led=<pattern> slot=<n> sent=<frames> ignored=<n>
heap_used=<bytes> wdt_feeds=<n or -1> motor_writes=<n or -1>`.

Kept small on purpose (few functions, no tables): it shares the 64 KB heap with the firmware.
"""

import sys

import machine
import network
from blinkshot.ticks import ticks_diff, ticks_ms


def parse(line):
    """(ms or None, command words) or None for blank/comment lines."""
    words = line.split("#", 1)[0].split()
    if not words:
        return None
    if words[0].lstrip("-").isdigit():
        return int(words[0]), words[1:]
    return None, words


class Driver:
    def __init__(self, a, timed, stay, live):
        self.app = a
        self.timed = timed  # [(ms since the first welcome, words)], sorted; tap releases too
        self.stay = stay
        self.live = live  # poll stdin for commands
        self.start = None
        self.last_ms = timed[-1][0] if timed else 0
        if live:
            import select

            self.poller = select.poll()
            self.poller.register(sys.stdin, select.POLLIN)

    def welcome(self, slot):
        print(f"sim: welcome slot={slot}")
        if self.start is None:
            self.start = ticks_ms()

    def tick(self, now):
        t = 0 if self.start is None else ticks_diff(now, self.start)
        if self.live and self.poller.poll(0):
            line = sys.stdin.readline()
            if not line:
                self.live = False
                if not self.stay:
                    self.app.stop()
            else:
                p = parse(line)
                if p is not None:
                    self.run(p[1], t)
        if self.start is None:
            return
        timed = self.timed
        while timed and timed[0][0] <= t:
            self.run(timed.pop(0)[1], t)
        if not (timed or self.stay or self.live) and t >= self.last_ms + 300:
            self.app.stop()  # 300 ms lets the last frames reach the hub

    def run(self, words, t):
        """Run one command. The code is in simcmd.py, loaded on the first command (they start
        after the welcome): the driver shares the firmware's heap, so it stays out of the way
        while the firmware connects for the first time."""
        import simcmd

        simcmd.run(self, words, t)


def main(argv):
    from blinkshot import app

    path = argv[1]
    opts = {}
    i = 2
    while i < len(argv):
        if argv[i] == "--stay":
            opts["stay"] = True
        else:
            opts[argv[i]] = argv[i + 1]
            i += 1
        i += 1
    if "--id" in opts:
        import binascii

        machine.fake_reset(binascii.unhexlify(opts["--id"]))
    a = app.create(path, machine, network)
    if hasattr(a, "problems"):  # an errors.ErrorIdle: config.json is unusable
        a.report()
        sys.exit(2)
    # The fake world matches the config; set after create (no second JSON parse in the heap)
    # and before run(), which is when pins and WiFi are first used.
    cfg = a.cfg
    network.fake_access_point(cfg["wifi_ssid"], cfg["wifi_password"], delay_ms=20)
    for name in cfg["external_pullup"]:
        machine.fake_external_pullup(cfg["pins"].get(name))
    import blinkshot  # app is needed only to build the controller: drop its code

    del sys.modules["blinkshot.app"], blinkshot.app, app
    timed = []
    script = opts.get("--script")
    live = script == "-"
    if script and not live:
        with open(script) as f:
            for line in f:
                p = parse(line)
                if p is not None:
                    timed.append((p[0] or 0, p[1]))
        timed.sort(key=lambda e: e[0])
    d = Driver(a, timed, "stay" in opts, live)
    a.on_welcome = d.welcome
    a.on_tick = d.tick
    a.run()
    print("sim: done")


if __name__ == "__main__":
    main(sys.argv)
