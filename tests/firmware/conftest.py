"""CPython side of the firmware tests: import the firmware and the fakes like the device and
the unix-port runs do (fakes first, so `machine` and `network` are the fakes)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for p in (ROOT / "firmware", ROOT / "firmware" / "host" / "virtual", Path(__file__).parent):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))
