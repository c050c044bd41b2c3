import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import native  # noqa: E402


@pytest.fixture(scope="session")
def windows_exe():
    """The native window generator, built; in CI a missing C compiler fails, elsewhere skips."""
    if not native.compiler() and not (native.BUILD / "windows").exists():
        if os.environ.get("CI"):
            pytest.fail("no C compiler ($CC or cc): CI must run the native load generator")
        pytest.skip("no C compiler ($CC or cc)")
    return native.build()
