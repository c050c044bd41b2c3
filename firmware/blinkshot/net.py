"""WiFi station and hub discovery (the adapter's network side; device I/O lives here)."""

from blinkshot.ticks import ticks_diff

WIFI_TIMEOUT_MS = 15000

# wifi_step results
UP = 0
WAITING = 1
FAILED = 2

_REASONS = {
    200: "the access point stopped answering (beacon timeout)",
    201: "no access point with that SSID is in range; check wifi_ssid",
    202: "the access point refused the password; check wifi_password",
    203: "association failed; the access point may be full",
    204: "the WPA handshake timed out; check wifi_password",
}


def parse_hub(url):
    """("host", port, "/path") from ws://host[:port][/path]; None if it is not such a URL."""
    if not isinstance(url, str) or not url.startswith("ws://"):
        return None
    rest = url[5:]
    slash = rest.find("/")
    hostport, path = (rest, "/ws/controller") if slash < 0 else (rest[:slash], rest[slash:])
    if path == "/":
        path = "/ws/controller"
    host, _, port = hostport.partition(":")
    if not host or "?" in path:
        return None
    if port == "":
        return host, 8000, path
    if not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host, int(port), path


class Wifi:
    """Non-blocking station join: start(), then step() from the loop until UP or FAILED."""

    def __init__(self, network, ssid, password, timeout_ms=WIFI_TIMEOUT_MS):
        self.network = network
        self.wlan = network.WLAN(network.STA_IF)
        self.ssid = ssid
        self.password = password
        self.timeout = timeout_ms
        self.reason = ""
        self._started = 0
        self.pm_off = False

    def start(self, now):
        w = self.wlan
        w.active(True)
        # Modem sleep (the IDF default once connected) adds 100 ms+ to every packet we get.
        pm_none = getattr(w, "PM_NONE", None)
        if pm_none is not None:
            try:
                w.config(pm=pm_none)
                self.pm_off = True
            except (ValueError, OSError):
                self.pm_off = False
        self._started = now
        self.reason = ""
        if w.isconnected():
            return  # still associated after a soft reset
        try:
            w.disconnect()
        except OSError:
            pass
        w.connect(self.ssid, self.password)

    def step(self, now):
        w = self.wlan
        if w.isconnected():
            return UP
        st = w.status()
        if st in _REASONS and st != 200:
            self.reason = _REASONS[st]
            return FAILED
        if ticks_diff(now, self._started) > self.timeout:
            self.reason = f"no connection after {self.timeout // 1000} s"
            return FAILED
        return WAITING

    def connected(self):
        return self.wlan.isconnected()

    def rssi(self):
        try:
            return self.wlan.status("rssi")
        except (OSError, ValueError, TypeError):
            return 0
