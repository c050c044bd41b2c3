"""The real firmware, under CPython and the MicroPython unix port, against two hub processes on
one Redis behind one address: the owner of its room is killed with kill -9, the firmware
reconnects, reaches the other process and gets its slot back."""

import sys
import time

import pytest
from ctl import INTERPRETERS, Controller
from mpunix import ROOT
from websockets.sync.client import connect

sys.path.insert(0, str(ROOT / "tests"))
from front import Front  # noqa: E402
from hubproc import HubProcess  # noqa: E402
from redisproc import RedisProcess  # noqa: E402

from hub.codec import encode_hello  # noqa: E402


@pytest.mark.parametrize("interp", INTERPRETERS)
def test_firmware_keeps_its_slot_when_the_rooms_owner_is_killed(interp):
    with (
        RedisProcess() as redis,
        HubProcess("--redis", redis.url, "--grace", "30") as a,
        HubProcess("--redis", redis.url, "--grace", "30") as b,
        Front(a.port) as front,
    ):
        with Controller(interp, f"ws://127.0.0.1:{front.port}") as c:
            c.wait_for(r"sim: welcome slot=0")  # first in the room, on A: A owns the room
            a.wait_for_output("room_taken")
            bob = {"id": "0badc0ffee00", "fw": "0.1.0", "name": "Bob", "reset": "soft"}
            with connect(b.ws_url("controller")) as other:  # Bob, on B, in slot 1
                other.send(encode_hello(bob))
                assert other.recv(timeout=10)[2] == 1
                time.sleep(1.2)  # a snapshot with both players
                front.target = b.port  # the front now sends new connections to B
                a.kill()  # kill -9 of the owner
                b.wait_for_output("room_taken", timeout=5)
                c.wait_for(r"sim: welcome slot=\d+", after=len(c.lines) - 1, timeout=30)
                slots = c.welcomes()
    assert slots[0] == 0 and slots[-1] == 0 and len(slots) >= 2, slots
