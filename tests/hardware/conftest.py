"""Hardware tests import the host tools (hardware/tools), the pin rules and the shared cases."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for p in (ROOT / "hardware" / "tools", ROOT / "firmware", Path(__file__).parent):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))
