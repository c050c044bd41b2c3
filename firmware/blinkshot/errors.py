"""What the controller does with an unusable config.json: a safe idle loop (loaded only then)."""

from blinkshot import status
from blinkshot.escape import pin_from
from blinkshot.ticks import sleep_ms, ticks_add, ticks_diff, ticks_ms


def log(msg):
    print("blinkshot: " + msg)


class ErrorIdle:
    """config.json is unusable: say why on the console every few seconds, blink the config
    error pattern, and stay interruptible (Ctrl-C reaches the REPL; no reset, no boot loop)."""

    REPEAT_MS = 15000

    def __init__(self, problems, machine, cfg):
        self.problems = problems
        led_pin = pin_from(cfg, "led")
        self.status = status.Status()
        self.led = None
        self.stopped = False
        self.on_tick = None
        if led_pin is not None:
            try:
                self.led = machine.Pin(led_pin, machine.Pin.OUT, value=0)
            except (ValueError, OSError):
                self.led = None
        self._next = ticks_ms()

    def report(self):
        log(f"config.json has {len(self.problems)} problem(s); the controller will not start:")
        for field, message in self.problems:
            print(f"  config error: {field}: {message}")
        print("  fix config.json (make config ...), then reset the board. Ctrl-C for the REPL.")

    def step(self, now):
        if ticks_diff(now, self._next) >= 0:
            self.report()
            self._next = ticks_add(now, self.REPEAT_MS)
        self.status.show(status.CONFIG_ERROR, now)
        if self.led is not None:
            self.led.value(self.status.led(now))
        if self.on_tick is not None:
            self.on_tick(now)
        sleep_ms(20)

    def run(self):
        while not self.stopped:
            self.step(ticks_ms())

    def stop(self):
        self.stopped = True
