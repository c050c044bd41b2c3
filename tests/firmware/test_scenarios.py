"""The whole firmware against a real hub (tests/hubproc.py), under CPython and under the
MicroPython unix port (64 KB heap): play, hub down at boot, hub restarted mid-game, WiFi lost
and back, a silent dead link, a wrong pairing code. Timeouts here only stop hangs."""

import asyncio
import json
import struct
import sys
import threading
import time

import pytest
from ctl import INTERPRETERS, Controller, SilentProxy
from mpunix import ROOT

sys.path.insert(0, str(ROOT / "tests"))
from hubproc import HubProcess  # noqa: E402

DEVICE = "a4cf12fe0b1c"


def hub_url(port):
    return f"ws://127.0.0.1:{port}"


class Window:
    """A real `websockets` game-window client collecting what the hub relays."""

    def __init__(self, url):
        self.url = url
        self.msgs = []
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._run(),))
        self.thread.daemon = True
        self.thread.start()
        assert self.ready.wait(10), "window could not connect"

    async def _run(self):
        import websockets

        async with websockets.connect(self.url) as ws:
            self.ws = ws
            self.ready.set()
            async for raw in ws:
                data = json.loads(raw)
                self.msgs.extend(data if isinstance(data, list) else [data])

    def wait(self, pred, timeout=15):
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in list(self.msgs):
                if pred(m):
                    return m
            time.sleep(0.05)
        types = [m.get("type") for m in self.msgs]
        raise AssertionError(f"window never saw the expected message; got types {types}")

    def close(self):
        self.loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self.ws.close()))
        self.thread.join(5)


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_controller_joins_moves_blinks_and_shoots(interp):
    with HubProcess() as hub:
        win = Window(hub.ws_url("window"))
        try:
            with Controller(interp, hub_url(hub.port), name="Ada") as c:
                c.wait_for(r"sim: welcome slot=\d+")
                created = win.wait(
                    lambda m: m.get("type") == "create_player" and m["player"].get("name") == "Ada"
                )
                pid = created["player"]["id"]
                c.send("stick 1000 0")
                win.wait(lambda m: m.get("type") == "move" and m["id"] == pid and m["x"] > 900)
                c.send("stick 0 0")
                win.wait(lambda m: m.get("type") == "move" and m["id"] == pid and m["x"] == 0)
                c.send("tap blink")
                win.wait(lambda m: m.get("type") == "blink" and m["id"] == pid)
                c.send("tap shoot 10")  # a 10 ms tap
                win.wait(lambda m: m.get("type") == "shoot" and m["id"] == pid)
                assert c.state()["led"] == "connected"
        finally:
            win.close()
    hello = hub.output()
    assert f"id={DEVICE}" in hello and "reset=power_on" in hello


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_hub_down_at_boot_then_up(interp):
    hub = HubProcess().start()
    hub.stop()  # the port is known, nobody listens on it
    try:
        with Controller(interp, hub_url(hub.port)) as c:
            i, _ = c.wait_for(r"hub not reachable .* retry in (\d+) ms")
            c.wait_for(r"hub not reachable .* retry in (\d+) ms", after=i + 1)
            assert c.state()["led"] == "hub"
            hub.start()
            c.wait_for(r"sim: welcome slot=\d+", timeout=30)
    finally:
        hub.stop()


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_hub_restarted_mid_game_gives_the_same_player(interp):
    with HubProcess() as hub:
        with Controller(interp, hub_url(hub.port)) as c:
            c.wait_for(r"sim: welcome slot=\d+")
            hub.restart()
            c.wait_for(r"connection closed|hub silent")
            c.wait_for(r"sim: welcome slot=\d+", after=len(c.lines) - 1, timeout=30)
            slots = c.welcomes()
            assert len(slots) >= 2 and slots[-1] == slots[0]
    after = hub.output().split("--- restart ---")[1]
    assert f"id={DEVICE}" in after  # the same device id comes back


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_wifi_lost_and_back_keeps_the_player(interp):
    with HubProcess() as hub:
        with Controller(interp, hub_url(hub.port)) as c:
            c.wait_for(r"sim: welcome slot=\d+")
            c.send("wifi drop")
            c.wait_for(r"WiFi lost")
            st = c.state()
            assert st["state"] == "wifi" and st["led"] == "wifi"
            c.send("wifi back")
            n = len(c.lines)
            c.wait_for(r"sim: welcome slot=\d+", after=n, timeout=30)
            assert c.welcomes()[-1] == c.welcomes()[0]
        hub.wait_for_output(r"hello .*id=a4cf12fe0b1c.*resumed=True")


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_silent_dead_link_is_detected_and_recovered(interp):
    with HubProcess("--grace", "30") as hub:
        proxy = SilentProxy(hub.port)
        try:
            with Controller(interp, hub_url(proxy.port)) as c:
                c.wait_for(r"sim: welcome slot=\d+")
                proxy.go_silent()  # no FIN, no RST: TCP alone would wait for minutes
                c.wait_for(r"hub silent for \d+ ms: reconnecting", timeout=15)
                proxy.heal()
                n = len(c.lines)
                c.wait_for(r"sim: welcome slot=\d+", after=n, timeout=30)
        finally:
            proxy.close()


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_wrong_pairing_code_shows_rejected_and_keeps_running(interp):
    with HubProcess() as hub:
        with Controller(interp, hub_url(hub.port), code="654321") as c:
            c.wait_for(r"hub rejected us \(4004\)|hub answered HTTP 40[13]")
            st = c.state()
            assert st["led"] == "rejected" and st["slot"] == -1
            assert c.proc.poll() is None  # still running, retrying with backoff


class FakeHub:
    """A real `websockets` server that speaks just enough of the controller protocol to
    welcome a controller and then send it malformed hub frames (tests/vectors)."""

    def __init__(self, bad_frames):
        self.bad = bad_frames
        self.inputs = []
        self.telemetry = []
        self.hellos = 0
        self.closes = []
        self.ready = threading.Event()
        threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True).start()
        assert self.ready.wait(10)

    async def _handler(self, ws):
        hello = await ws.recv()
        assert hello[0] == 3
        self.hellos += 1
        await ws.send(bytes.fromhex("810103e63946"))
        if self.hellos == 1:
            for frame in self.bad:
                await ws.send(frame)
            await ws.send("a text frame")
            await ws.send(bytes.fromhex("82010096"))  # a valid hit after all that
        try:
            async for m in ws:
                if m[:1] == b"\x01":
                    self.inputs.append((self.hellos, m))
                if m[:1] == b"\x02":
                    self.telemetry.append(m)
                if self.bad and self.hellos == 1 and len(self.inputs) > 3:
                    await ws.send(b"\x82" + b"\x00" * 299)  # oversized: client must drop us
        finally:
            self.closes.append(ws.close_code)

    async def _main(self):
        import websockets

        async with websockets.serve(self._handler, "127.0.0.1", 0) as server:
            self.port = server.sockets[0].getsockname()[1]
            self.ready.set()
            await asyncio.sleep(60)


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_malformed_hub_frames_are_ignored_and_counted(interp):
    import fwvectors

    hub = FakeHub(fwvectors.invalid_hub_frames())
    with Controller(interp, hub_url(hub.port)) as c:
        c.wait_for(r"sim: welcome slot=3")
        c.wait_for(r"ignored a malformed hub frame", timeout=10)
        c.send("stick 500 0")
        c.send("tap blink")
        i, _ = c.wait_for(r"connection closed \(1009\) hub frame too large", timeout=15)
        c.wait_for(r"sim: welcome slot=3", after=i)
        st = c.state()
        assert st["ignored"] >= len(fwvectors.invalid_hub_frames()) + 1  # + the text frame
        assert st["state"] == "play"
        assert st["motor_writes"] >= 2  # the valid hit ran the motor (on, then off)
    assert hub.closes[0] == 1009
    assert any(n == 1 for n, _ in hub.inputs) and hub.hellos >= 2


def free_udp_port():
    import socket

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_hub_auto_found_by_its_beacon(interp):
    port = free_udp_port()
    with HubProcess(beacon_addr=f"127.0.0.1:{port}") as hub:
        extra = {"beacon_port": port}
        with Controller(interp, "auto", extra=extra) as c:
            c.wait_for(r"listening for the hub's beacon on UDP \d+")
            c.wait_for(rf"found hub at ws://127\.0\.0\.1:{hub.port}/ws/controller", timeout=15)
            c.wait_for(r"sim: welcome slot=\d+")


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_hub_name_picks_its_hub_among_two_beaconing(interp):
    port = free_udp_port()
    beacon = f"127.0.0.1:{port}"
    with HubProcess("--name", "arena1", code="111111", beacon_addr=beacon):
        with HubProcess("--name", "arena2", beacon_addr=beacon) as mine:
            extra = {"beacon_port": port, "hub_name": "arena2"}
            with Controller(interp, "auto", extra=extra) as c:
                c.wait_for(r"sim: welcome slot=\d+", timeout=20)
                out = c.output()
    assert f"found hub at ws://127.0.0.1:{mine.port}/" in out, out
    assert "found hub at" in out and out.count("found hub at") == 1, out
    assert "passing over hub 'arena1'" in out and "not hub_name 'arena2'" in out, out


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_auto_skips_a_hub_that_refused_the_code_and_finds_its_own(interp):
    """The first hub heard refuses our code: the controller passes over it (rather than
    locking onto it again and again) and takes the next hub that beacons."""
    port = free_udp_port()
    beacon = f"127.0.0.1:{port}"
    with HubProcess(code="111111", beacon_addr=beacon) as other:
        with Controller(interp, "auto", extra={"beacon_port": port}) as c:
            c.wait_for(rf"found hub at ws://127\.0\.0\.1:{other.port}/", timeout=15)
            c.wait_for(rf"passing over 127\.0\.0\.1:{other.port} for 60 s", timeout=15)
            with HubProcess(beacon_addr=beacon) as mine:
                c.wait_for(rf"found hub at ws://127\.0\.0\.1:{mine.port}/", timeout=15)
                c.wait_for(r"sim: welcome slot=\d+", timeout=15)
            out = c.output()
    assert out.count(f"found hub at ws://127.0.0.1:{other.port}/") == 1, out  # not again


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_watchdog_flag_arms_and_feeds_the_wdt(interp):
    with HubProcess() as hub:
        with Controller(interp, hub_url(hub.port), extra={"wdt": True}) as c:
            c.wait_for(r"watchdog armed \(8000 ms\)")
            c.wait_for(r"sim: welcome slot=\d+")
            first = c.state()["wdt_feeds"]
            assert first > 0 and c.state()["wdt_feeds"] > first
        with Controller(interp, hub_url(hub.port), device_id="00000000beef") as c:
            c.wait_for(r"sim: welcome slot=\d+")
            assert c.state()["wdt_feeds"] == -1  # off by default
            assert "watchdog" not in c.output()


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_telemetry_reports_rssi_and_heap(interp):
    hub = FakeHub([])
    with Controller(interp, hub_url(hub.port)) as c:
        c.wait_for(r"sim: welcome slot=3")
        deadline = time.monotonic() + 15
        while not hub.telemetry and time.monotonic() < deadline:
            time.sleep(0.1)
    assert hub.telemetry, "no telemetry frame within 15 s"
    rssi, battery_mv, heap_kb = struct.unpack(">bHH", hub.telemetry[0][1:])
    assert rssi == -58 and battery_mv == 0  # the fake AP's RSSI; no divider configured
    if interp == "micropython":
        assert heap_kb > 0
