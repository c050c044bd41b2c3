"""The virtual controller's commands (see simdriver.py), loaded on the first one: the
driver's resident code stays small. Never copy to a device."""

import machine
import network


def run(d, words, t):
    """Run one command for Driver d at t ms after the first welcome."""
    cmd = words[0]
    a = d.app
    pins = a.cfg["pins"]
    if cmd == "wifi":
        (network.fake_drop if words[1] == "drop" else network.fake_return)()
    elif cmd == "stick":
        # Undo the firmware's inversion, radial dead zone rescale and per-side scaling, so
        # the hub sees X, Y; round away from the centre (the firmware truncates towards it).
        s = a.stick
        x = -int(words[1]) if s.invert_x else int(words[1])
        y = -int(words[2]) if s.invert_y else int(words[2])
        m = (x * x + y * y) ** 0.5
        k = (s.deadzone + m * (1000 - s.deadzone) / 1000) / m if m > 0 else 0
        for v, c, lo, hi, pin in (
            (x * k, s.cx, s._lo_x, s._hi_x, pins["x"]),
            (y * k, s.cy, s._lo_y, s._hi_y, pins["y"]),
        ):
            if v >= 0:
                r = c + int(v * hi / 1000 + 0.999) + 16
            else:
                r = c - int(-v * lo / 1000 + 0.999) - 16
            machine._line(pin)[5] = max(0, min(65535, r))  # machinectl.fake_analog, no noise
    elif cmd in ("press", "release", "tap"):
        _drive(pins[words[1]], None if cmd == "release" else 0)  # active-low: pressed = GND
        if cmd == "tap":
            ms = int(words[2]) if len(words) > 2 else 60
            d.timed.append((t + ms, ["release", words[1]]))
            d.timed.sort(key=lambda e: e[0])
    else:
        print(f"sim: unknown command {cmd!r}")


def _drive(n, level):
    # machinectl.fake_drive, repeated here: loading machinectl as well at play time does not
    # fit the 64 KB heap. Drives pin n from outside and fires its IRQ on an edge.
    ln = machine._line(n)
    before = machine._level(ln)
    ln[0] = level
    after = machine._level(ln)
    irq = ln[4]
    if irq and before != after and irq[0] & (1 if after else 2):  # IRQ_RISING / IRQ_FALLING
        irq[1](irq[2])
