"""The controller's hardware, built from the config's pins with `machine` (adapter side).

Buttons are active-low with the internal pull-up, unless listed in external_pullup (input-only
pins 34-39 have no pull resistors). The joystick reads ADC1 with 11 dB attenuation set
explicitly. Each button also gets a press-edge IRQ that latches the edge, so a tap shorter than
the loop's poll gap is still counted.
"""

from blinkshot.ticks import sleep_ms, ticks_ms

BUTTON_NAMES = ("blink", "shoot", "stick")
CALIBRATION_SAMPLES = 16


class Hardware:
    def __init__(self, machine, pins, external_pullup=()):
        self.machine = machine
        Pin = machine.Pin
        self.buttons = []
        for name in BUTTON_NAMES:
            pull = None if name in external_pullup else Pin.PULL_UP
            self.buttons.append(Pin(pins[name], Pin.IN, pull))
        atten = machine.ADC.ATTN_11DB  # full 0-3.3 V swing; never rely on the default
        self.adc_x = machine.ADC(Pin(pins["x"]), atten=atten)
        self.adc_y = machine.ADC(Pin(pins["y"]), atten=atten)
        self.led = self._out(pins.get("led"))
        self.motor = self._out(pins.get("motor"))
        bat = pins.get("battery")
        self.adc_bat = machine.ADC(Pin(bat), atten=atten) if bat is not None else None
        self.sx = 32768
        self.sy = 32768
        self._led_level = 0  # both outputs start at 0 (value=0 in _out)
        self._motor_level = 0

    def _out(self, n):
        if n is None:
            return None
        return self.machine.Pin(n, self.machine.Pin.OUT, value=0)

    def attach_irqs(self, buttons):
        """Latch press edges into a Buttons object (handlers are soft/scheduled on esp32)."""
        falling = self.machine.Pin.IRQ_FALLING
        for i, pin in enumerate(self.buttons):
            pin.irq(handler=_latch(buttons, i), trigger=falling)

    def detach_irqs(self):
        for pin in self.buttons:
            pin.irq(handler=None)

    def pressed(self):
        """Raw pressed mask (active-low)."""
        b = self.buttons
        m = 0
        if not b[0].value():
            m |= 1
        if not b[1].value():
            m |= 2
        if not b[2].value():
            m |= 4
        return m

    def read_stick(self):
        """Sets self.sx / self.sy (no tuple: this runs in the allocation-free loop)."""
        # One sample per axis: sampled often (Stick's two-tap average smooths the noise), so
        # more reads would pass the ADC's ~1000 samples/s with WiFi on.
        self.sx = self.adc_x.read_u16()
        self.sy = self.adc_y.read_u16()

    def sample_centre(self, n=CALIBRATION_SAMPLES):
        xs = []
        ys = []
        for _ in range(n):
            xs.append(self.adc_x.read_u16())
            ys.append(self.adc_y.read_u16())
            sleep_ms(2)
        return xs, ys

    def battery_mv(self, ratio):
        if self.adc_bat is None:
            return 0
        try:
            uv = self.adc_bat.read_uv()
        except (OSError, AttributeError):
            return 0
        return int(uv * ratio) // 1000

    def set_led(self, level):
        if self.led is not None and level != self._led_level:
            self.led.value(level)
            self._led_level = level

    def set_motor(self, level):
        if self.motor is not None and level != self._motor_level:
            self.motor.value(level)
            self._motor_level = level


def _latch(buttons, i):
    def handler(pin):
        buttons.note_edge(i, ticks_ms())

    return handler


def reset_name(machine):
    cause = machine.reset_cause()
    for attr, name in (
        ("PWRON_RESET", "power_on"),
        ("HARD_RESET", "hard"),
        ("WDT_RESET", "wdt"),
        ("DEEPSLEEP_RESET", "deepsleep"),
        ("SOFT_RESET", "soft"),
    ):
        if getattr(machine, attr, None) == cause:
            return name
    return "unknown"
