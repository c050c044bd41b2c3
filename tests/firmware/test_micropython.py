"""Every firmware unit-test module again, under the MicroPython unix port with a 64 KB heap
(the modules that build the whole controller get FIRMWARE_HEAP, see below).

The CPython run of the same modules is pytest's normal collection; this runs them through
mprun.py under `micropython -X heapsize=64k` and checks that every test ran and passed."""

import pytest
from ctl import HARNESS_HEAP
from mpunix import HEAP, ROOT, count_tests, run_script

MODULES = [
    "test_codec",
    "test_buttons",
    "test_stick",
    "test_policy",
    "test_status",
    "test_fw_config",
    "test_errors",
    "test_escape",
    "test_escape_broken",
    "test_hw",
    "test_ws_frames",
    "test_net",
]


# Modules that build the whole controller.App from test code compiled in RAM: the firmware
# itself runs in 64k (test_heap64k.py), the harness around it needs more (ctl.HARNESS_HEAP).
WHOLE_FIRMWARE = ["test_recover", "test_loop_timing"]


@pytest.mark.parametrize("module", MODULES + WHOLE_FIRMWARE)
def test_module_passes_under_micropython(module):
    heap = HARNESS_HEAP if module in WHOLE_FIRMWARE else HEAP
    r = run_script(ROOT / "tests" / "firmware" / "mprun.py", module, heap=heap)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "FAIL" not in out, out
    assert out.count("PASS ") == count_tests(module), out
