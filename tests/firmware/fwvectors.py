"""The shared wire vectors for pytest-side firmware tests (CPython only)."""

import json

from mpunix import ROOT


def invalid_hub_frames():
    data = json.loads((ROOT / "tests" / "vectors" / "protocol_v1.json").read_text())
    return [bytes.fromhex(v["hex"]) for v in data["invalid_hub_frames"]]
