"""The hardware adapter on the fake ESP32: pins set up as the device needs them."""

import machine
import network
from blinkshot import buttons, escape, hw
from fwsupport import fresh

PINS = {"blink": 26, "shoot": 27, "stick": 25, "x": 34, "y": 35, "led": 2, "motor": 13}


def make(external=()):
    fresh()
    return hw.Hardware(machine, PINS, external)


def test_adc_attenuation_is_set_explicitly_to_11db():
    h = make()
    assert h.adc_x.atten_set == machine.ADC.ATTN_11DB
    assert h.adc_y.atten_set == machine.ADC.ATTN_11DB


def test_buttons_use_the_internal_pull_up_unless_external():
    h = make()
    assert h.pressed() == 0
    machine.fake_press(27)
    assert h.pressed() == 2
    h = make(external=("blink",))
    assert machine.Pin(26).value() == 0  # no pull-up asked for and none fitted: floats low
    machine.fake_external_pullup(26)
    assert h.pressed() == 0


def test_tap_between_two_polls_is_caught_by_the_irq_latch():
    h = make()
    b = buttons.Buttons()
    b.reset(0, h.pressed())
    h.attach_irqs(b)
    b.update(1000, h.pressed())
    machine.fake_press(26)  # a 10 ms tap while the loop was busy elsewhere
    machine.fake_release(26)
    b.update(1000 + 20, h.pressed())
    assert b.presses[0] == 1
    h.detach_irqs()


def test_bouncing_contact_counts_once():
    h = make()
    b = buttons.Buttons()
    b.reset(0, 0)
    h.attach_irqs(b)
    machine.fake_bounce(27, 7)  # ends pressed after 7 flips
    for t in range(100, 160, 2):
        b.update(t, h.pressed())
    assert b.presses[1] == 1


def test_adc2_pin_fails_once_wifi_is_on_like_the_real_chip():
    fresh()
    adc = machine.ADC(machine.Pin(25), atten=machine.ADC.ATTN_11DB)
    adc.read_u16()
    network.WLAN(network.STA_IF).active(True)
    try:
        adc.read_u16()
    except OSError:
        pass
    else:
        raise AssertionError("ADC2 read must fail while WiFi is active")


def test_stick_reads_land_in_sx_sy():
    h = make()
    machine.fake_analog(34, 40000)
    machine.fake_analog(35, 20000)
    h.read_stick()
    assert abs(h.sx - 40000) < 32 and abs(h.sy - 20000) < 32


def test_escape_hatch_needs_the_button_held():
    fresh()
    assert escape.held_at_boot(machine, 25, ms=30) is False
    machine.fake_press(25)
    assert escape.held_at_boot(machine, 25, ms=30) is True


def test_reset_cause_names():
    fresh()
    assert hw.reset_name(machine) == "power_on"
    machine.fake_reset(cause=machine.WDT_RESET)
    assert hw.reset_name(machine) == "wdt"


def test_led_and_motor_are_written_only_on_change():
    h = make()
    for _ in range(5):
        h.set_led(1)
        h.set_motor(0)
    assert machine.fake_writes(2) == 2  # value=0 at init, then one 1
    assert machine.fake_writes(13) == 1  # value=0 at init; 0 again is not rewritten


def test_battery_through_the_divider():
    fresh()
    pins = dict(PINS)
    pins["battery"] = 32
    h = hw.Hardware(machine, pins, ())
    machine.fake_analog(32, 39718)  # 2.0 V at the pin
    assert 3950 <= h.battery_mv(2.0) <= 4050
    assert make().battery_mv(2.0) == 0  # no divider configured
