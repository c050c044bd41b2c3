"""Fake ESP32 `machine` module for tests and the virtual controller. Never copy to a device:
on the board a file named machine.py shadows the real module.

Follows the esp32 port's API for what the firmware uses (Pin modes/pulls/value/irq, ADC
read_u16/read_uv/atten, WDT, unique_id, reset_cause). `fake_*` functions, clearly named, move
the physical world from tests: press or bounce a button, deflect or drift the stick. Only what
the firmware uses, kept small on purpose: it shares the 64 KB test heap with the firmware.
"""

from micropython import const

PWRON_RESET = 1
HARD_RESET = 2
WDT_RESET = 3
DEEPSLEEP_RESET = 4
SOFT_RESET = 5

# Classic ESP32 (quickref): ADC2 pins fail while WiFi is on; 34-39 are input-only, no pulls.
_ADC2_PINS = (0, 2, 4, 12, 13, 14, 15, 25, 26, 27)  # ADC1 is 32-39

_st = {"id": b"\x24\x0a\xc4\x12\x34\x56", "reset": PWRON_RESET}
_wlan_active = [False]  # set by the fake network module
# pin -> [external level or None, pull, out level or None, mode, irq (trigger, handler, pin),
#         analog u16, noise amplitude, external pull-up fitted, output writes]
_lines = {}
# (const(): inlined indexes, no module globals; the fake shares the firmware's heap)
_EXT = const(0)
_PULL = const(1)
_OUT = const(2)
_MODE = const(3)
_IRQ = const(4)
_AN = const(5)
_NOISE = const(6)
_XPU = const(7)
_HIST = const(8)


def _line(n):
    ln = _lines.get(n)
    if ln is None:
        ln = _lines[n] = [None, None, None, None, None, 32768, 0, False, 0]
    return ln


def _level(ln):
    if ln[_MODE] == Pin.OUT and ln[_OUT] is not None:
        return ln[_OUT]
    if ln[_EXT] is not None:
        return ln[_EXT]
    return 1 if ln[_PULL] == Pin.PULL_UP or ln[_XPU] else 0  # floating reads 0 here


class Pin:
    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_UP = 2
    PULL_DOWN = 1
    IRQ_RISING = 1
    IRQ_FALLING = 2

    def __init__(self, id, mode=-1, pull=-1, *, value=None, **kw):  # drive, alt: not modelled
        if not 0 <= id <= 39 or 6 <= id <= 11 or id in (20, 24, 28, 29, 30, 31):  # 6-11: flash
            raise ValueError("invalid pin")
        self.id = id
        self.ln = _line(id)
        if mode == Pin.OUT and id >= 34:
            raise ValueError("pin can only be input")
        if mode != -1:
            self.ln[_MODE] = mode
        if pull != -1:  # 34-39: accepted and ignored, like the real port
            self.ln[_PULL] = None if id >= 34 else pull
        if value is not None:
            self.value(value)

    def value(self, v=None):
        if v is None:
            return _level(self.ln)
        self.ln[_OUT] = 1 if v else 0
        self.ln[_HIST] += 1  # a count, not a list: the fake must not allocate in the loop

    def irq(self, handler=None, trigger=3, **kw):  # priority, wake, hard: not modelled
        # On esp32 handlers are always scheduled (soft) callbacks, whatever hard= says.
        self.ln[_IRQ] = (trigger, handler, self) if handler else None


class ADC:
    ATTN_0DB = 0
    ATTN_2_5DB = 1
    ATTN_6DB = 2
    ATTN_11DB = 3

    def __init__(self, id, *, atten=None, **kw):  # id: the Pin the firmware passes
        self.id = n = id.id
        if n < 32 and n not in _ADC2_PINS:
            raise ValueError("invalid Pin for ADC")
        self.ln = id.ln
        self.atten_set = atten  # None = left to the firmware's default; tests check it

    def atten(self, atten):
        self.atten_set = atten

    def read_u16(self):
        if _wlan_active[0] and self.id in _ADC2_PINS:
            raise OSError(263)  # ESP_ERR_TIMEOUT: ADC2 belongs to WiFi now
        v = self.ln[_AN]
        a = self.ln[_NOISE]
        if a:
            _st["seed"] = s = (_st.get("seed", 7) * 1103515245 + 12345) & 0x7FFFFFFF
            v += s % (2 * a + 1) - a
        raw = (0 if v < 0 else 65535 if v > 65535 else v) >> 4  # 12-bit steps, as on esp32
        return (raw << 4) | (raw >> 8)

    def read_uv(self):
        return self.read_u16() * 3300000 // 65535


class WDT:
    made = []

    def __init__(self, *, id=0, timeout=5000):
        if timeout <= 0:
            raise ValueError("WDT timeout too short")
        self.timeout = timeout
        self.feeds = 0
        WDT.made.append(self)

    def feed(self):
        self.feeds += 1


def unique_id():
    return _st["id"]


def reset_cause():
    return _st["reset"]


def __getattr__(name):
    # The test controls (fake_*) live in machinectl.py and load on first use: the device API
    # above is all the firmware touches, and a fake should cost the shared heap little (on a
    # board, machine is a C module and costs nothing).
    if name.startswith("fake_"):
        import machinectl

        return getattr(machinectl, name)
    raise AttributeError(name)
