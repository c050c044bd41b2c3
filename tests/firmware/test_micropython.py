"""Every firmware unit-test module again, under the MicroPython unix port with a 64 KB heap.

The CPython run of the same modules is pytest's normal collection; this runs them through
mprun.py under `micropython -X heapsize=64k` and checks that every test ran and passed."""

import pytest
from mpunix import ROOT, count_tests, run_script

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


@pytest.mark.parametrize("module", MODULES)
def test_module_passes_under_micropython(module):
    r = run_script(ROOT / "tests" / "firmware" / "mprun.py", module)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "FAIL" not in out, out
    assert out.count("PASS ") == count_tests(module), out
