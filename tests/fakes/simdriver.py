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
"""

import binascii
import select
import sys

import machine
import network
from blinkshot import app
from blinkshot.ticks import ticks_diff

NAMES = ("blink", "shoot", "stick")


def parse(line):
    """(ms or None, command words) or None for blank/comment lines."""
    line = line.split("#", 1)[0].strip()
    if not line:
        return None
    words = line.split()
    if words[0].lstrip("-").isdigit():
        return int(words[0]), words[1:]
    return None, words


class Driver:
    def __init__(self, a, timed, stay, live):
        self.app = a
        self.pins = a.cfg["pins"]
        self.timed = timed  # [(ms, words)] sorted
        self.stay = stay
        self.live = live  # poll stdin for commands
        self.start = None
        self.pending = []  # [(ms since start, words)] e.g. tap releases
        self.last_ms = timed[-1][0] if timed else 0
        self.poller = None
        if live:
            self.poller = select.poll()
            self.poller.register(sys.stdin, select.POLLIN)

    def welcome(self, slot):
        print(f"sim: welcome slot={slot}")
        if self.start is None:
            from blinkshot.ticks import ticks_ms

            self.start = ticks_ms()

    def tick(self, now):
        if self.live:
            self.read_stdin(now)
        if self.start is None:
            return
        t = ticks_diff(now, self.start)
        while self.timed and self.timed[0][0] <= t:
            self.run(self.timed.pop(0)[1], t)
        due = [p for p in self.pending if p[0] <= t]
        for p in due:
            self.pending.remove(p)
            self.run(p[1], t)
        if not self.timed and not self.pending and not self.stay and not self.live:
            if t >= self.last_ms + 300:  # let the last frames reach the hub
                self.app.stop()

    def read_stdin(self, now):
        for _ in self.poller.ipoll(0) if hasattr(self.poller, "ipoll") else self.poller.poll(0):
            line = sys.stdin.readline()
            if not line:
                self.live = False
                if not self.stay:
                    self.app.stop()
                return
            p = parse(line)
            if p is not None:
                t = 0 if self.start is None else ticks_diff(now, self.start)
                self.run(p[1], t)
            return

    def run(self, words, t):
        cmd = words[0]
        if cmd == "end":
            self.app.stop()
        elif cmd == "wifi":
            if words[1] == "drop":
                network.fake_drop()
            else:
                network.fake_return()
        elif cmd == "state":
            self.print_state()
        elif cmd == "stick":
            self.set_stick(int(words[1]), int(words[2]))
        elif cmd in ("press", "release", "tap"):
            pin = self.pins[words[1]]
            if cmd == "release":
                machine.fake_release(pin)
            else:
                machine.fake_press(pin)
            if cmd == "tap":
                ms = int(words[2]) if len(words) > 2 else 60
                self.pending.append((t + ms, ["release", words[1]]))
        else:
            print(f"sim: unknown command {cmd!r}")

    def print_state(self):
        from blinkshot import controller, status

        a = self.app
        led = "?"
        for name in ("OFF", "WIFI", "HUB", "CONNECTED", "CONFIG_ERROR", "REJECTED"):
            if a.status.pattern is getattr(status, name):
                led = name.lower()
        import gc

        gc.collect()
        used = gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0
        motor = self.pins.get("motor")
        motor_writes = machine.fake_writes(motor) if motor is not None else -1
        print(
            f"sim: state={controller.STATE_NAMES[a.state]} led={led} slot={a.slot} "
            f"sent={a.frames_sent} ignored={a.ws.ignored} heap_used={used} "
            f"wdt_feeds={a.wdt.feeds if a.wdt else -1} "
            f"motor_writes={motor_writes}"
        )

    def set_stick(self, x, y):
        s = self.app.stick
        if s.invert_x:
            x = -x
        if s.invert_y:
            y = -y
        # Undo the radial dead zone rescale, then the per-side scaling, so the hub sees x, y.
        m = (x * x + y * y) ** 0.5
        if m > 0:
            dz = s.deadzone
            k = (dz + m * (1000 - dz) / 1000) / m
            x = x * k
            y = y * k
        machine.fake_analog(self.pins["x"], _raw(x, s.cx, s._lo_x, s._hi_x))
        machine.fake_analog(self.pins["y"], _raw(y, s.cy, s._lo_y, s._hi_y))


def _raw(v, c, lo, hi):
    # Round away from the centre: the firmware truncates towards it.
    if v >= 0:
        r = c + int(v * hi / 1000 + 0.999) + 16
    else:
        r = c - int(-v * lo / 1000 + 0.999) - 16
    return max(0, min(65535, r))


def main(argv):
    path = argv[1]
    device_id = None
    script = None
    stay = False
    i = 2
    while i < len(argv):
        if argv[i] == "--id":
            device_id = argv[i + 1]
            i += 1
        elif argv[i] == "--script":
            script = argv[i + 1]
            i += 1
        elif argv[i] == "--stay":
            stay = True
        i += 1
    if device_id:
        machine.fake_reset(binascii.unhexlify(device_id))
    import json

    with open(path) as f:
        raw = json.load(f)
    network.fake_access_point(raw.get("wifi_ssid"), raw.get("wifi_password"), delay_ms=20)
    for name in NAMES:
        if name in raw.get("external_pullup", ()):
            machine.fake_external_pullup(raw.get("pins", {}).get(name))
    a = app.create(path, machine, network)
    if hasattr(a, "problems"):  # an errors.ErrorIdle: config.json is unusable
        a.report()
        sys.exit(2)
    timed = []
    live = script == "-"
    if script and not live:
        with open(script) as f:
            for line in f:
                p = parse(line)
                if p is not None:
                    timed.append((p[0] or 0, p[1]))
        timed.sort(key=lambda e: e[0])
    d = Driver(a, timed, stay, live)
    a.on_welcome = d.welcome
    a.on_tick = d.tick
    a.run()
    print("sim: done")


if __name__ == "__main__":
    main(sys.argv)
