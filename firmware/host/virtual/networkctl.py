"""Test controls for the fake `network` module (firmware/host/virtual/network.py), which forwards
its `fake_*` names here on first use. Never copy to a device. They script the access point: its
SSID/password, how long joining takes, going away and coming back."""

import machine
from network import STA_IF, _ap, _wlans


def fake_reset():
    _wlans.clear()
    _ap.update(ssid="blinkshot-test", pw="secret-pass", delay=50, rssi=-58, up=True)
    machine._wlan_active[0] = False


def fake_access_point(ssid, password, delay_ms=50, rssi=-58):
    _ap.update(ssid=ssid, pw=password, delay=delay_ms, rssi=rssi)


def fake_drop():
    """The access point goes away (out of range, rebooted)."""
    _ap["up"] = False


def fake_return():
    _ap["up"] = True


def fake_station():
    return _wlans.get(STA_IF)
