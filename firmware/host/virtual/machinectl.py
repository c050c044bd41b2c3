"""Test controls for the fake `machine` module (firmware/host/virtual/machine.py), which forwards
its `fake_*` names here on first use. Never copy to a device. They move the physical world from
tests: press or bounce a button, deflect or drift the stick, read what an output did."""

from machine import PWRON_RESET, WDT, Pin, _level, _line, _lines, _st, _wlan_active
from micropython import const

_EXT = const(0)  # indexes into a pin line, as in machine.py
_IRQ = const(4)
_AN = const(5)
_NOISE = const(6)
_XPU = const(7)
_HIST = const(8)


def fake_reset(unique=b"\x24\x0a\xc4\x12\x34\x56", cause=PWRON_RESET):
    _lines.clear()
    del WDT.made[:]
    _wlan_active[0] = False
    _st["id"] = bytes(unique)
    _st["reset"] = cause


def fake_set_unique_id(raw):
    _st["id"] = bytes(raw)


def fake_drive(n, level):
    """Drive pin n from outside (None = let go); fires the IRQ on an edge like the port."""
    ln = _line(n)
    before = _level(ln)
    ln[_EXT] = level
    after = _level(ln)
    irq = ln[_IRQ]
    if irq and before != after and irq[0] & (Pin.IRQ_RISING if after else Pin.IRQ_FALLING):
        irq[1](irq[2])


def fake_press(n):
    fake_drive(n, 0)  # active-low: pressed pulls to GND


def fake_release(n):
    fake_drive(n, None)


def fake_bounce(n, edges):
    """Toggle pin n `edges` times (contact chatter)."""
    for _ in range(edges):
        fake_drive(n, 0 if _level(_line(n)) else None)


def fake_external_pullup(n):
    _line(n)[_XPU] = True


def fake_analog(n, u16, noise=0):
    ln = _line(n)
    ln[_AN] = u16
    ln[_NOISE] = noise


def fake_level(n):
    """The level on pin n right now (what a scope would show)."""
    return _level(_line(n))


def fake_writes(n):
    """How many times the firmware wrote this output pin."""
    return _line(n)[_HIST]
