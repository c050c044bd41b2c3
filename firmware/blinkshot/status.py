"""Status LED patterns and hit feedback (LED flash, vibration motor). Pure: the adapter asks
for the LED and motor levels at each loop pass and writes them to the pins.

A pattern is a tuple of durations in ms, alternately on and off, starting with on.
"""

from blinkshot.ticks import ticks_add, ticks_diff

OFF = (0, 1000)
WIFI = (500, 500)  # slow blink: joining WiFi
HUB = (100, 100)  # fast blink: looking for / connecting to the hub
CONNECTED = (1000, 0)  # steady on: playing
CONFIG_ERROR = (150, 150, 150, 150, 150, 150, 150, 1250)  # 4 blinks, pause: fix config.json
REJECTED = (800, 200, 150, 850)  # long-short: the hub refused us (code, version, full)
FEEDBACK_FLASH_MS = 50  # LED toggles this fast while a hit is felt


def level(pattern, elapsed):
    """LED level (0/1) `elapsed` ms into a repeating pattern."""
    period = 0
    for d in pattern:
        period += d
    t = elapsed % period
    on = 1
    for d in pattern:
        if t < d:
            return on
        t -= d
        on ^= 1
    return on


class Status:
    def __init__(self):
        self.pattern = OFF
        self._since = 0
        self._fb_until = 0
        self._fb_active = False

    def show(self, pattern, now):
        if pattern is not self.pattern:
            self.pattern = pattern
            self._since = now

    def feedback(self, now, ms):
        """Hit/death from the hub: run the motor and flicker the LED for ms, without blocking."""
        self._fb_until = ticks_add(now, ms)
        self._fb_active = ms > 0

    def motor(self, now):
        if self._fb_active and ticks_diff(self._fb_until, now) <= 0:
            self._fb_active = False
        return 1 if self._fb_active else 0

    def led(self, now):
        if self.motor(now):
            return (ticks_diff(now, self._since) // FEEDBACK_FLASH_MS) & 1
        return level(self.pattern, ticks_diff(now, self._since))
