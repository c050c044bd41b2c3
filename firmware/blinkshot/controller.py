"""The controller: the adapter between the pure logic (buttons, stick, policy, codec, ws)
and the device (machine, network). Built from a validated config: blinkshot.app.prepare()
loads it, main.py builds it."""

import binascii
import gc
import random

from micropython import const

from blinkshot import VERSION, codec, net, status, unload
from blinkshot.buttons import Buttons
from blinkshot.hw import Hardware, reset_name
from blinkshot.policy import Backoff, LinkWatch, SendPolicy
from blinkshot.stick import Stick, centre_of
from blinkshot.ticks import sleep_ms, ticks_add, ticks_diff, ticks_ms
from blinkshot.ws import EV_CLOSED, EV_MESSAGE, EV_NONE, OP_BINARY, Client, Frame, HandshakeError

LOOP_MS = const(1)  # the loop's wait for hub bytes: a pin change is seen within ~1 ms
# Joystick sample gap: one read per axis, so 667 reads/s, inside the ~1000/s the ESP32 ADC
# manages with WiFi on, and 3-4 samples per axis per 100 Hz stick frame.
_STICK_MS = const(3)
_TELEMETRY_MS = const(5000)
_WELCOME_TIMEOUT_MS = const(5000)
_CONNECT_TIMEOUT_MS = const(3000)
_WDT_TIMEOUT_MS = const(8000)  # > the longest blocking call (TCP connect + handshake)
REJECT_CODES = (4000, 4004, 4007)  # version, pairing code, hub full: show REJECTED
_AUTO_RELISTEN_AFTER = const(3)  # failed connects to a discovered hub before listening again
# Found hubs that refused our code, [(host, port, until)], passed over by beacon.py until then.
# A module global, not an App attribute: one more attribute would grow the App's table.
SKIPPED = []
MAX_ERRORS = const(20)  # loop errors without a welcome before giving up to main.py

# const(): inlined at compile time, so the game loop reads no globals for them.
S_WIFI = const(0)
S_FIND = const(1)
S_CONNECT = const(2)
S_HELLO = const(3)
S_PLAY = const(4)
_T_STICK = const(0)  # next joystick sample
_T_TELEMETRY = const(1)  # next telemetry frame
_T_WIFI = const(2)  # next WiFi check while playing
_T_TRY = const(3)  # next WiFi join / hub connect attempt
_T_ENTERED = const(4)  # when the current state began
STATE_NAMES = ("wifi", "find", "connect", "hello", "play")


def log(msg):
    print("blinkshot: " + msg)


def _rand(n):
    return random.getrandbits(16) % n if n > 0 else 0


class App:
    def __init__(self, cfg, machine, network, hello=None):
        # Plain values first, objects last: the instance dict then reaches its final size
        # (one 464-byte block) while the heap still has room, before the objects split it.
        self.cfg = cfg
        self.state = S_WIFI
        self.seq = 0
        self.slot = -1
        self.wdt = None
        self.stopped = False
        self.on_tick = None  # test/sim hook: called with now at the end of every step
        self.on_welcome = None  # test/sim hook: called with the slot
        self.frames_sent = 0
        self.errors = 0
        self.failures = 0
        self.beacon = None
        self.hub = None if cfg["hub"] == "auto" else net.parse_hub(cfg["hub"])
        self.device_id = binascii.hexlify(machine.unique_id()).decode()
        if hello is None:  # app.create passes it, encoded before this module loaded
            from blinkshot import hello as h

            hello = h.for_device(machine, cfg)  # leaves out the WiFi password and pairing code
            unload("hello")
        self.hello = hello
        # Deadlines (ticks) in one list, indexed by the _T_* constants: fewer attributes keep
        # the dict small.
        self._t = [0, 0, 0, 0, 0]
        self.ws = Client()
        self.hw = Hardware(machine, cfg["pins"], cfg["external_pullup"])
        self.buttons = Buttons()
        self.stick = Stick(cfg["deadzone"], cfg["invert_x"], cfg["invert_y"])
        self.policy = SendPolicy()
        self.backoff = Backoff(_rand)
        self.link = LinkWatch()
        self.status = status.Status()
        self.wifi = net.Wifi(network, cfg["wifi_ssid"], cfg["wifi_password"])
        self.input = Frame(OP_BINARY, codec.INPUT_LEN)
        self.telemetry = Frame(OP_BINARY, codec.TELEMETRY_LEN)

    # ---- lifecycle ----

    def boot(self, now):
        xs, ys = self.hw.sample_centre()
        self.stick.calibrate(centre_of(xs), centre_of(ys))
        # A button held while booting is not a press: start from what is held now.
        self.buttons.reset(ticks_ms(), self.hw.pressed())
        self.hw.attach_irqs(self.buttons)
        log(f"fw {VERSION} id {self.device_id} reset {reset_name(self.hw.machine)}")
        self._enter(S_WIFI, now)
        self.wifi.start(now)

    def run(self):
        self.boot(ticks_ms())
        while not self.stopped:
            try:
                self.step(ticks_ms())
            except Exception as e:  # never BaseException: Ctrl-C must reach the REPL
                self.recover(e)
        self.ws.close(1000)
        self.hw.detach_irqs()
        self.hw.set_led(0)
        self.hw.set_motor(0)

    def stop(self):
        self.stopped = True

    def recover(self, e):
        """An unexpected error in a loop pass (a bug, or MemoryError): report it, drop the
        connection and start over from WiFi, rather than leaving a dead controller. Errors
        that keep coming without a welcome in between go up to main.py."""
        import sys

        self.errors += 1
        log(f"error in the loop ({self.errors} since the last welcome):")
        show = getattr(sys, "print_exception", None)  # MicroPython; CPython has traceback
        show(e) if show else print(repr(e))
        if self.errors > MAX_ERRORS:
            raise e
        self.ws.close(1011)
        sleep_ms(100)
        self.lost(ticks_ms(), wifi=True)

    def _enter(self, state, now):
        self.state = state
        self._t[_T_ENTERED] = now
        self.status.show(
            (status.WIFI, status.HUB, status.HUB, status.HUB, status.CONNECTED)[state], now
        )

    # ---- the loop ----

    def step(self, now):
        """One pass: feed the watchdog, read inputs, advance the state, drive LED/motor."""
        if self.wdt is not None:
            self.wdt.feed()
        changed = self.read_inputs(now)
        state = self.state
        if state == S_PLAY:
            self.play(now, changed)
        elif state == S_WIFI:
            self.join_wifi(now)
        elif state == S_FIND:
            self.find_hub(now)
        elif state == S_CONNECT:
            self.connect_hub(now)
        else:
            self.await_welcome(now)
        self.hw.set_led(self.status.led(now))
        self.hw.set_motor(self.status.motor(now))
        if self.on_tick is not None:
            self.on_tick(now)
        if self.state >= S_HELLO:
            self.ws.wait(LOOP_MS)
        else:
            sleep_ms(10)

    def read_inputs(self, now):
        """Poll buttons every pass and the stick every _STICK_MS. True if buttons changed."""
        changed = self.buttons.update(now, self.hw.pressed())
        if ticks_diff(now, self._t[_T_STICK]) >= 0:
            self._t[_T_STICK] = ticks_add(now, _STICK_MS)
            self.hw.read_stick()
            self.stick.update(self.hw.sx, self.hw.sy)
        return changed

    def send_input(self, now):
        """Pack the current input state and write it: the allocation-free hot path."""
        self.seq = (self.seq + 1) & 0xFFFF
        stick = self.stick
        codec.pack_input(
            self.input.buf, 6, self.seq, self.buttons.held, self.buttons.presses, stick.x, stick.y
        )
        if self.ws.send_frame(self.input):
            self.frames_sent += 1
        self.policy.sent(now, stick.x, stick.y)

    def play(self, now, changed):
        if self.policy.should_send(now, changed, self.stick.x, self.stick.y):
            self.send_input(now)
        if not self.receive(now):
            return
        link = self.link
        if link.ping_due(now):
            self.ws.ping()
        if link.dead(now):
            log(f"hub silent for {link.dead_ms} ms: reconnecting")
            self.ws.close(1001)
            self.lost(now)
            return
        if ticks_diff(now, self._t[_T_TELEMETRY]) >= 0:
            self._t[_T_TELEMETRY] = ticks_add(now, _TELEMETRY_MS)
            mv = self.hw.battery_mv(self.cfg["battery_ratio"])
            free = gc.mem_free() // 1024 if hasattr(gc, "mem_free") else 0  # CPython has none
            codec.pack_telemetry(self.telemetry.buf, 6, self.wifi.rssi(), mv, free)
            self.ws.send_frame(self.telemetry)
        if ticks_diff(now, self._t[_T_WIFI]) < 0:
            return
        self._t[_T_WIFI] = ticks_add(now, 500)
        if not self.wifi.connected():
            log("WiFi lost: rejoining")
            self.ws.close(1001)
            self.lost(now, wifi=True)

    def receive(self, now):
        """Handle everything the hub sent. False if the connection closed."""
        ws = self.ws
        while True:
            ev = ws.poll()
            if ev == EV_NONE:
                break
            if ev == EV_CLOSED:
                self.closed(now)
                return False
            if ev == EV_MESSAGE:
                self.handle(now, ws.msg)
        if ws.heard:
            ws.heard = False
            self.link.heard(now)
        if ws.sock is None:
            self.closed(now)
            return False
        return True

    def handle(self, now, data):
        msg = codec.decode_hub(data)
        if msg is None:
            self.ws.ignored += 1
            log(f"ignored a malformed hub frame ({len(data)} bytes)")
            return
        if msg[0] == codec.T_WELCOME:
            self.slot = msg[1]
            self.backoff.reset()
            self.failures = 0
            self.errors = 0
            r, g, b = msg[2]
            log(f"welcome slot={msg[1]} colour=#{r:02x}{g:02x}{b:02x}")
            if self.state != S_PLAY:
                self._enter(S_PLAY, now)
                self.policy.restart(now)
                gc.collect()  # a quiet moment: the game loop then allocates nothing
            if self.on_welcome is not None:
                self.on_welcome(self.slot)
        elif msg[0] == codec.T_FEEDBACK:
            self.status.feedback(now, msg[2])

    # ---- connection states ----

    def join_wifi(self, now):
        if ticks_diff(now, self._t[_T_TRY]) < 0:
            return
        r = self.wifi.step(now)
        if r == net.UP:
            log("WiFi up (power saving %s)" % ("off" if self.wifi.pm_off else "unchanged"))
            if self.cfg["wdt"] and self.wdt is None:
                self.wdt = self.hw.machine.WDT(timeout=_WDT_TIMEOUT_MS)
                log(f"watchdog armed ({_WDT_TIMEOUT_MS} ms)")
            self._enter(S_FIND if self.hub is None else S_CONNECT, now)
            self._t[_T_TRY] = now
        elif r == net.FAILED:
            log(f"WiFi: {self.wifi.reason}; retrying")
            self._t[_T_TRY] = ticks_add(now, 1000)
            self.wifi.start(self._t[_T_TRY])

    def find_hub(self, now):
        if self.beacon is None:
            from blinkshot.beacon import BeaconListener

            want = self.cfg["hub_name"]
            self.beacon = BeaconListener(self.cfg["beacon_port"], want, SKIPPED)
            log(
                f"listening for the hub's beacon on UDP {self.cfg['beacon_port']}"
                + (f" (hub_name {want!r})" if want else "")
            )
        try:
            found = self.beacon.check(now)
        except OSError as e:
            log(f"beacon socket: {e}; trying again in 1 s")
            self.beacon.close()
            self._t[_T_TRY] = ticks_add(now, 1000)
            self._enter(S_WIFI, now)  # rechecks WiFi, then comes back here
            return
        if found is not None:
            self.beacon.close()
            self.beacon = None
            unload("beacon")
            self.hub = found
            log(f"found hub at ws://{found[0]}:{found[1]}{found[2]}")
            self._enter(S_CONNECT, now)
        elif not self.wifi.connected():
            self.lost(now, wifi=True)

    def connect_hub(self, now):
        if ticks_diff(now, self._t[_T_TRY]) < 0:
            return
        if not self.wifi.connected():
            self.lost(now, wifi=True)
            return
        if self.hub is None:  # passed over after a refusal: listen again
            self._enter(S_FIND, now)
            return
        host, port, path = self.hub
        query = "{}?room={}&code={}".format(path, self.cfg["room"], self.cfg["code"])
        try:
            self.ws.connect(host, port, query, _CONNECT_TIMEOUT_MS)
        except HandshakeError as e:
            if e.status in (401, 403):
                self.refused(now, str(e))
            else:
                self.retry(now, str(e))
            return
        except (OSError, IndexError, ValueError) as e:  # refused, unreachable, no address
            self.retry(now, f"hub not reachable at {host}:{port} ({e})")
            return
        if not self.ws.send_built(self.hello):
            self.retry(now, "connection dropped while sending hello")
            return
        log(f"connected to ws://{host}:{port}{path}; waiting for welcome")
        self.link.reset(now)
        self._enter(S_HELLO, now)

    def await_welcome(self, now):
        if not self.receive(now):
            return
        if ticks_diff(now, self._t[_T_ENTERED]) > _WELCOME_TIMEOUT_MS:
            self.ws.close(1001)
            self.retry(now, f"no welcome from the hub within {_WELCOME_TIMEOUT_MS} ms")

    def closed(self, now):
        code = self.ws.close_code
        reason = self.ws.close_reason
        if code in REJECT_CODES:
            self.slot = -1
            self.refused(now, f"hub rejected us ({code}): {reason}")
        else:
            log(f"connection closed ({code}) {reason}")
            if code == 4008:
                log(f"another controller connected with our id {self.device_id}")
            self.lost(now)

    def refused(self, now, why):
        """The hub refused us (code, version, full). A hub found by its beacon is skipped for
        a while and the others are tried; a hub set in the config is retried with backoff."""
        if self.cfg["hub"] == "auto" and self.hub is not None:
            from blinkshot.beacon import pass_over  # loaded for S_FIND next anyway

            pass_over(SKIPPED, self.hub, now, why)
            self.hub = None
            self.failures = 0
            self._t[_T_TRY] = now
            self._enter(S_FIND, now)
        else:
            self.retry(now, why)
        self.status.show(status.REJECTED, now)

    def lost(self, now, wifi=False):
        """Back to connecting after a drop; keep buttons/stick state and press counters."""
        self.slot = -1
        if wifi or not self.wifi.connected():
            self._enter(S_WIFI, now)
            self._t[_T_TRY] = now
            self.wifi.start(now)
            return
        self.retry(now, None)

    def retry(self, now, why):
        delay = self.backoff.next_delay()
        self.failures += 1
        if why:
            log(f"{why}; retry in {delay} ms")
        self._t[_T_TRY] = ticks_add(now, delay)
        rejected = self.status.pattern is status.REJECTED
        if self.cfg["hub"] == "auto" and self.failures >= _AUTO_RELISTEN_AFTER:
            self.failures = 0
            self.hub = None
            self._enter(S_FIND, now)
        else:
            self._enter(S_CONNECT, now)
        if rejected:
            self.status.show(status.REJECTED, now)
