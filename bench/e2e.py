"""End to end: virtual controller (firmware under the MicroPython unix port) → hub → Chromium."""


def run(quick=False):
    return {"error": "not measured yet"}
