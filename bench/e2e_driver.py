"""MicroPython side of the end-to-end bench: the real firmware on fake pins, timestamped.

Runs under the unix port with the firmware and fakes precompiled by firmware/host/sim.py.
Commands (the virtual controller's: `stick X Y`, `press NAME`, `release NAME`, `end`) arrive
as lines on stdin and are applied by a reader thread the moment they arrive, wherever the
firmware's loop is (as a real pin changes while the loop waits or works), not at the end of a
loop pass. The driver records, with time.time_ns() (CLOCK_REALTIME, comparable with the
browser's performance.timeOrigin + now() and the hub's `t`):

- each pin change, stamped right before the fake pin is written (stamped after, the firmware
  thread could already have sent it; the driver's few µs of work count against the firmware):
  `pin <command> <args> <time_ns>`;
- each input frame the firmware wrote to its socket, stamped right after the write:
  `sent <seq> <time_ns> <stick x> <blink presses> <shoot presses>`.

Everything is printed after `end`, so no printing happens while the firmware runs.

    micropython -c "import e2e_driver; e2e_driver.main(['', 'CONFIG.json', 'DEVICE_ID'])"

(precompiled with mpy-cross, as the firmware is: compiling .py in RAM does not fit 64 KB).
"""

import _thread
import binascii
import sys
import time

import machine
import network
import simcmd
import simdriver
from blinkshot import app


class TimedDriver(simdriver.Driver):
    def __init__(self, a):
        simdriver.Driver.__init__(self, a, None, False, False)  # stdin is the reader's
        self.pins = []
        self.sent = []
        self.failed = None

    def welcome(self, slot):
        first = self.start is None
        simdriver.Driver.welcome(self, slot)
        if first:
            self._log_sends()
            _thread.start_new_thread(self._read, ())

    def _log_sends(self):
        a = self.app
        send = a.ws.send_frame
        sent = self.sent

        def logged(frame):
            ok = send(frame)
            if frame is a.input:
                presses = a.buttons.presses
                sent.append((a.seq, time.time_ns(), a.stick.x, presses[0], presses[1]))
            return ok

        a.ws.send_frame = logged

    def _read(self):
        try:
            while True:
                line = sys.stdin.readline()
                words = line.split()
                if not words or words[0] == "end":
                    break
                t = time.time_ns()  # just before: the main thread may send before we stamp after
                simcmd.run(self, words, 0)
                if words[0] in ("stick", "press"):
                    self.pins.append((words, t))
        except Exception as e:  # report it: the bench then says why nothing matched
            self.failed = repr(e)
        self.app.stop()


def main(argv):
    import json

    machine.fake_set_unique_id(binascii.unhexlify(argv[2]))
    with open(argv[1]) as f:
        raw = json.load(f)
    network.fake_access_point(raw.get("wifi_ssid"), raw.get("wifi_password"), delay_ms=20)
    a = app.create(argv[1], machine, network)
    d = TimedDriver(a)
    a.on_welcome = d.welcome
    a.run()
    for words, t in d.pins:
        print("pin", " ".join(words), t)
    for seq, t, x, blinks, shots in d.sent:
        print("sent", seq, t, x, blinks, shots)
    if d.failed:
        print("sim: driver failed:", d.failed)
    print("sim: done")


if __name__ == "__main__":
    main(sys.argv)
