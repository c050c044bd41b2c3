"""CPython stand-in for MicroPython's `micropython` module. Never copy to a device.

Only what the firmware uses: `const` (identity) and `schedule` (runs at once). There is no
heap_lock here on purpose: allocation tests only make sense on the MicroPython unix port.
"""


def const(value):
    return value


def schedule(func, arg):
    func(arg)
    return None
