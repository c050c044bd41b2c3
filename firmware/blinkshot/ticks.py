"""MicroPython's tick functions, with a CPython fallback so the same code runs in tests."""

try:
    from time import sleep_ms, ticks_add, ticks_diff, ticks_ms  # type: ignore  (fallback below)
except ImportError:  # CPython: same 30-bit wrapping arithmetic as the ports
    import time as _time

    _PERIOD = 1 << 30
    _HALF = 1 << 29

    def ticks_ms():
        return int(_time.monotonic() * 1000) & (_PERIOD - 1)  # type: ignore  (CPython only)

    def ticks_add(t, delta):
        return (t + delta) & (_PERIOD - 1)

    def ticks_diff(a, b):
        return ((a - b + _HALF) & (_PERIOD - 1)) - _HALF

    def sleep_ms(ms):
        _time.sleep(ms / 1000)


__all__ = ["sleep_ms", "ticks_add", "ticks_diff", "ticks_ms"]
