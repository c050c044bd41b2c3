"""The controller loop's timing against the ESP32's limits: how often it looks at the pins and
the stick. Builds on controller.py (the whole firmware's imports), so it runs under the unix
port with the harness heap (test_micropython.WHOLE_FIRMWARE)."""

import machine
from blinkshot import buttons, controller, hw, stick
from fwsupport import fresh

PINS = {"blink": 26, "shoot": 27, "stick": 25, "x": 34, "y": 35, "led": 2, "motor": 13}


class _CountingAdc:
    def __init__(self, adc, count):
        self.adc = adc
        self.count = count

    def read_u16(self):
        self.count[0] += 1
        return self.adc.read_u16()


class _Loop:
    """What controller.App.read_inputs uses, without the rest of the App."""


def test_stick_is_sampled_every_3_ms_within_the_adc_budget():
    # One second of loop passes, LOOP_MS apart: the ESP32 ADC manages ~1000 samples/s with
    # WiFi on, and each 100 Hz stick frame should rest on several fresh samples per axis.
    fresh()
    h = hw.Hardware(machine, PINS)
    reads = [0]
    h.adc_x = _CountingAdc(h.adc_x, reads)
    h.adc_y = _CountingAdc(h.adc_y, reads)
    loop = _Loop()
    loop.hw = h
    loop.buttons = buttons.Buttons()
    loop.stick = stick.Stick()
    loop._t = [0, 0, 0, 0, 0]
    last = gap = 0
    for now in range(0, 1000, controller.LOOP_MS):
        before = reads[0]
        controller.App.read_inputs(loop, now)
        if reads[0] > before:
            gap = max(gap, now - last)
            last = now
    assert reads[0] <= 1000
    assert gap <= 3
    assert controller.LOOP_MS <= 1  # a pin change is seen within a millisecond or so
