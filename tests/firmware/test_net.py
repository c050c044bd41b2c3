"""WiFi station handling on the fake ESP32 radio, hub URLs and beacon parsing."""

import network
from blinkshot import beacon, net
from blinkshot.ticks import sleep_ms, ticks_ms
from fwsupport import fresh


def join(ssid="blinkshot-test", password="secret-pass", timeout_ms=2000):
    fresh()
    w = net.Wifi(network, ssid, password, timeout_ms)
    w.start(ticks_ms())
    for _ in range(300):
        r = w.step(ticks_ms())
        if r != net.WAITING:
            return w, r
        sleep_ms(5)
    return w, net.WAITING


def test_join_turns_power_saving_off():
    w, r = join()
    assert r == net.UP
    assert network.fake_station().pm == network.WLAN.PM_NONE and w.pm_off
    assert w.rssi() == -58


def test_wrong_password_and_missing_ap_are_named():
    _, r = join(password="not-the-password")
    w, r = join(password="not-the-password")
    assert r == net.FAILED and "wifi_password" in w.reason
    w, r = join(ssid="elsewhere")
    assert r == net.FAILED and "wifi_ssid" in w.reason


def test_join_times_out_and_can_retry():
    fresh()
    network.fake_access_point("blinkshot-test", "secret-pass", delay_ms=10000)
    w = net.Wifi(network, "blinkshot-test", "secret-pass", timeout_ms=50)
    w.start(ticks_ms())
    sleep_ms(60)
    assert w.step(ticks_ms()) == net.FAILED and "no connection" in w.reason
    network.fake_access_point("blinkshot-test", "secret-pass", delay_ms=1)
    w.start(ticks_ms())
    sleep_ms(5)
    assert w.step(ticks_ms()) == net.UP


def test_parse_hub_urls():
    assert net.parse_hub("ws://192.168.1.20:8000") == ("192.168.1.20", 8000, "/ws/controller")
    assert net.parse_hub("ws://hub.local") == ("hub.local", 8000, "/ws/controller")
    assert net.parse_hub("ws://h:81/x") == ("h", 81, "/x")
    for bad in ("http://h:1", "ws://:80", "ws://h:99999", "ws://h:x", "ws://h/p?room=a", 5):
        assert net.parse_hub(bad) is None, bad


def test_parse_beacon():
    good = b'BSHUB1 {"port": 8001, "path": "/ws/controller", "proto": 1, "name": "hub"}'
    assert beacon.parse_beacon(good, "10.0.0.5") == ("10.0.0.5", 8001, "/ws/controller", "hub")
    old = b'BSHUB1 {"port": 8001}'  # no name: any hub_name "" still takes it
    assert beacon.parse_beacon(old, "10.0.0.5") == ("10.0.0.5", 8001, "/ws/controller", "")
    for bad in (
        b"BSHUB1 {",
        b"OTHER {}",
        b'BSHUB1 {"port": "x"}',
        b'BSHUB1 {"port": 80, "proto": 2}',
        b"BSHUB1 [1]",
        b'BSHUB1 {"port": 80, "name": 7}',
    ):
        assert beacon.parse_beacon(bad, "10.0.0.5") is None, bad


def test_a_refused_hub_is_skipped_until_its_time_is_up():
    skip = [("10.0.0.5", 8000, 60000)]
    assert beacon.skipped(skip, "10.0.0.5", 8000, 59999)
    assert not beacon.skipped(skip, "10.0.0.5", 8000, 60000)  # time is up: try it again
    assert not beacon.skipped(skip, "10.0.0.5", 8001, 100)  # another hub on that machine
    assert not beacon.skipped(skip, "10.0.0.6", 8000, 100)
    assert not beacon.skipped([], "10.0.0.5", 8000, 100)
