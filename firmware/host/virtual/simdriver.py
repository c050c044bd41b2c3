"""Virtual controller driver: runs the real firmware (blinkshot.app) on the fake machine and
network modules and moves the fake pins from timed commands. Never copy to a device.

Run by firmware/host/sim.py under the MicroPython unix port (works under CPython too):
    simdriver.py CONFIG.json [--id HEX12] [--script FILE|-] [--stay]

Commands (a script file, or lines on stdin when --script is -):
    [<ms>] stick X Y | press NAME | release NAME | tap NAME [ms] | end
    [<ms>] wifi drop | wifi back | state
<ms> counts from the first welcome; a line without <ms> runs as soon as it is read. A script
file is read one line at a time as its times come (any length fits the heap), so its times
must not go backwards: a line timed before the one above it runs right after that one.
`end` stops the controller, unless --stay: then it only ends the script.
NAME is blink, shoot or stick. X, Y in -1000..1000 (what the hub should see).
Prints `sim: welcome slot=<n>` on every welcome; `state` prints
`sim: state=<wifi|find|connect|hello|play> led=<pattern> slot=<n> sent=<frames> ignored=<n>
heap_used=<bytes> wdt_feeds=<n or -1> motor_writes=<n or -1>`.

Kept small on purpose (few functions, no tables): it shares the 64 KB heap with the firmware.
"""

import sys

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
    def __init__(self, a, script, stay, live):
        self.app = a
        self.script = script  # open script file, read as its times come; None when done
        self.next = None  # the script's next (ms, words), read ahead by one line
        self.timed = []  # [(ms since the first welcome, words)], sorted: tap releases
        self.stay = stay
        self.live = live  # poll stdin for commands
        self.start = None
        self.last_ms = 0
        self.read_next()
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
        while self.next is not None and self.next[0] <= t:
            words = self.next[1]
            self.read_next()
            self.run(words, t)
        timed = self.timed
        while timed and timed[0][0] <= t:
            self.run(timed.pop(0)[1], t)
        if self.next is None and not (timed or self.stay or self.live):
            if t >= self.last_ms + 300:
                self.app.stop()  # 300 ms lets the last frames reach the hub

    def read_next(self):
        """Read the script's next command line into self.next (None at its end)."""
        self.next = None
        f = self.script
        while f is not None:
            line = f.readline()
            if not line:
                f.close()
                self.script = None
                return
            p = parse(line)
            if p is not None:
                ms = self.last_ms if p[0] is None or p[0] < self.last_ms else p[0]
                self.last_ms = ms
                self.next = (ms, p[1])
                return

    def finish_script(self):
        """`end`: stop the controller, or with --stay only stop reading the script."""
        if self.script is not None:
            self.script.close()
            self.script = None
        self.next = None
        if self.stay:
            print("sim: script ended; staying on (--stay), Ctrl-C to stop")
        else:
            self.app.stop()

    def run(self, words, t):
        """Run one command. The code is in simcmd.py, loaded on the first command (they start
        after the welcome): the driver shares the firmware's heap, so it stays out of the way
        while the firmware connects for the first time."""
        if words[0] == "end":
            self.finish_script()
        elif words[0] == "state":
            import simstate

            simstate.run(self.app)
        else:
            import simcmd

            simcmd.run(self, words, t)
        for name in ("simcmd", "simstate", "machinectl", "networkctl"):
            sys.modules.pop(name, None)  # load again next time: the heap is tight


def main(argv):
    """Run the virtual controller (firmware/host/sim.py runs the same steps, see simstart)."""
    import simstart

    a = simstart.start(argv)
    del sys.modules["simstart"], simstart  # needed only to start
    a.run()
    print("sim: done")


if __name__ == "__main__":
    main(sys.argv)
