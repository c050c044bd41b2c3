"""Fake ESP32 `network` module (WLAN station). Never copy to a device.

Follows the esp32 port: WLAN(STA_IF) is one object per interface; active(), connect(),
disconnect(), isconnected(), status() and status("rssi"), config(pm=...) / config("pm"),
the PM_* values. `fake_*` functions script the access point: its SSID/password,
how long joining takes, going away and coming back.
"""

import machine
from micropython import const

try:
    from time import ticks_diff, ticks_ms
except ImportError:  # CPython
    from blinkshot.ticks import ticks_diff, ticks_ms

STA_IF = 0
# The esp32 port's status values (network.STAT_* there). The firmware reads them as numbers,
# so here they are const(): no module globals in the heap the fake shares with the firmware.
_STAT_IDLE = const(1000)
_STAT_CONNECTING = const(1001)
_STAT_GOT_IP = const(1010)
_STAT_BEACON_TIMEOUT = const(200)
_STAT_NO_AP_FOUND = const(201)
_STAT_WRONG_PASSWORD = const(202)

_ap = {"ssid": "blinkshot-test", "pw": "secret-pass", "delay": 50, "rssi": -58, "up": True}
_wlans = {}


class WLAN:
    PM_NONE = 0
    PM_PERFORMANCE = 1
    PM_POWERSAVE = 2

    def __new__(cls, interface=STA_IF):
        w = _wlans.get(interface)
        if w is None:
            w = _wlans[interface] = object.__new__(cls)
            w.on = False
            w.st = _STAT_IDLE
            w.cred = None
            w.t0 = 0
            w.pm = 1  # the IDF default once connected: modem sleep
            w.connects = 0
        return w

    def __init__(self, interface=STA_IF):
        pass

    def active(self, on=None):
        if on is None:
            return self.on
        self.on = machine._wlan_active[0] = bool(on)
        if not on:
            self.st = _STAT_IDLE

    def connect(self, ssid=None, password=None, *, bssid=None):
        if not self.on:
            raise OSError("Wifi Not Started")
        self.connects += 1
        self.cred = (ssid, password)
        self.t0 = ticks_ms()
        self.st = _STAT_CONNECTING

    def disconnect(self):
        self.st = _STAT_IDLE

    def status(self, param=None):
        st = self.st
        age = ticks_diff(ticks_ms(), self.t0)
        if st == _STAT_CONNECTING:
            if not _ap["up"] or self.cred[0] != _ap["ssid"]:
                st = _STAT_NO_AP_FOUND if age > 300 else st
            elif self.cred[1] != _ap["pw"]:
                st = _STAT_WRONG_PASSWORD if age > 100 else st
            elif age >= _ap["delay"]:
                st = _STAT_GOT_IP
        elif st == _STAT_GOT_IP and not _ap["up"]:
            st = _STAT_BEACON_TIMEOUT
        self.st = st
        if param is None:
            return st
        if param == "rssi" and st == _STAT_GOT_IP:
            return _ap["rssi"]
        raise OSError("not connected") if param == "rssi" else ValueError("unknown param")

    def isconnected(self):
        return self.status() == _STAT_GOT_IP

    def config(self, param=None, **kw):
        # Only pm (set and read) and mac (read) are modelled; the firmware uses no others.
        if param is not None:
            if param == "pm":
                return self.pm
            if param == "mac":
                return machine.unique_id()
            raise ValueError("unknown config param")
        if len(kw) != 1 or "pm" not in kw:
            raise ValueError("unknown config param")
        self.pm = kw["pm"]


def __getattr__(name):
    # The test controls (fake_*) live in networkctl.py and load on first use (see machine.py).
    if name.startswith("fake_"):
        import networkctl

        return getattr(networkctl, name)
    raise AttributeError(name)
