"""The live dashboard in headless Chromium shows a controller as it connects and reports."""

import asyncio
import sys
import threading
from pathlib import Path

from hubkit import hello, inp
from hubproc import HubProcess
from playwright.sync_api import expect, sync_playwright
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench import chromium  # noqa: E402  (finds the browser; one message when there is none)

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class Controller(threading.Thread):
    """A controller in a background thread: hello, telemetry, 50 inputs/s until stopped."""

    def __init__(self, hub):
        super().__init__(daemon=True)
        self.hub, self.stop = hub, threading.Event()

    def run(self):
        asyncio.run(self.play())

    async def play(self):
        async with connect(self.hub.ws_url("controller")) as ws:
            await ws.send(hello("a4cf12fe0b1c", "Dashy"))
            await ws.recv()
            await ws.send(bytes.fromhex("02c30f820029"))  # -61 dBm, 3970 mV, 41 KiB
            seq = 0
            while not self.stop.is_set():
                seq += 1
                await ws.send(inp(seq, x=seq % 1000))
                await asyncio.sleep(0.02)


def test_dashboard_shows_live_controller():
    with HubProcess() as hub, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium.resolve(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(hub.http_url + "/dashboard")
            room = page.locator('section[data-room="default"]')
            expect(room).to_contain_text("no controllers", timeout=10000)
            ctl = Controller(hub)
            ctl.start()
            try:
                row = room.locator("tr", has_text="a4cf12fe0b1c")
                expect(row).to_contain_text("Dashy", timeout=10000)  # no reload
                expect(row).to_contain_text("-61 dBm")
                expect(row).to_contain_text("3970 mV")
                expect(row).to_contain_text("soft")
                # frames/s becomes non-zero once a second of inputs has been counted
                expect(row.locator("td").nth(9)).not_to_have_text("0", timeout=10000)
            finally:
                ctl.stop.set()
                ctl.join(5)
            expect(room).to_contain_text("no controllers", timeout=10000)
        finally:
            browser.close()
