"""The real firmware, under CPython and the MicroPython unix port, across a hub killed with
kill -9 and restarted on its state directory: it comes back in the slot it had, not in the
first free one."""

import json
import sys
import time

import pytest
from ctl import INTERPRETERS, Controller
from mpunix import ROOT
from websockets.sync.client import connect

sys.path.insert(0, str(ROOT / "tests"))
from hubproc import HubProcess  # noqa: E402

from hub.codec import encode_hello  # noqa: E402

DEVICE = "a4cf12fe0b1c"


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_firmware_gets_its_kept_slot_back_after_kill_9(interp):
    with HubProcess("--grace", "30") as hub:
        bob = {"id": "0badc0ffee00", "fw": "0.1.0", "name": "Bob", "reset": "soft"}
        with connect(hub.ws_url("controller")) as first:  # a Python controller in slot 0
            first.send(encode_hello(bob))
            assert first.recv(timeout=10)[2] == 0
            with Controller(interp, f"ws://127.0.0.1:{hub.port}") as c:
                c.wait_for(r"sim: welcome slot=1")
                saved = hub.state_dir / "rooms" / "default.json"
                for _ in range(500):  # the hub writes a changed room within a second
                    if saved.exists() and len(json.loads(saved.read_text())["players"]) == 2:
                        break
                    time.sleep(0.02)
                hub.restart(kill=True)  # Bob does not come back; his slot waits for him
                c.wait_for(r"sim: welcome slot=\d+", after=len(c.lines) - 1, timeout=30)
                slots = c.welcomes()
    assert slots[0] == 1 and slots[-1] == 1 and len(slots) >= 2, slots
