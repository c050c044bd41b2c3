"""Joystick maths: centre calibration, light filter, normalisation, radial dead zone.

Integer-only on purpose (floats allocate on the ESP32). Inputs are read_u16() values
(0..65535), outputs are the protocol's -1000..1000 per axis, +x right, +y down.
"""

from micropython import const

FULL = const(1000)
# At 11 dB the last part of the travel saturates, so full deflection is reached at 90 % of
# the distance from the centre to the rail.
REACH_PCT = const(90)


def centre_of(samples):
    """Robust centre from several boot readings: mean of the middle half."""
    s = sorted(samples)
    q = len(s) // 4
    mid = s[q : len(s) - q] or s
    return sum(mid) // len(mid)


def isqrt(n):
    if n < 2:
        return n
    x = 1500 if n <= 2_250_000 else n
    y = (x + n // x) >> 1
    while y < x:
        x = y
        y = (x + n // x) >> 1
    return x


def _div(v, k, m):
    # Truncate towards zero so left and right behave the same.
    return v * k // m if v >= 0 else -((-v) * k // m)


class Stick:
    def __init__(self, deadzone=80, invert_x=False, invert_y=False):
        self.deadzone = deadzone
        self.invert_x = invert_x
        self.invert_y = invert_y
        self.x = 0
        self.y = 0
        self.calibrate(32768, 32768)

    def calibrate(self, cx, cy):
        self.cx = cx
        self.cy = cy
        self._lo_x = max(1, cx * REACH_PCT // 100)
        self._hi_x = max(1, (65535 - cx) * REACH_PCT // 100)
        self._lo_y = max(1, cy * REACH_PCT // 100)
        self._hi_y = max(1, (65535 - cy) * REACH_PCT // 100)
        self._px = cx
        self._py = cy

    def _axis(self, raw, c, lo, hi):
        d = raw - c
        v = d * FULL // hi if d >= 0 else -((-d) * FULL // lo)
        return FULL if v > FULL else -FULL if v < -FULL else v

    def update(self, raw_x, raw_y):
        """Feed one reading per axis; sets self.x / self.y. Returns True if either changed."""
        # Two-tap average: half a sample of lag, smooths single-count ADC jitter.
        fx = (raw_x + self._px) >> 1
        fy = (raw_y + self._py) >> 1
        self._px = raw_x
        self._py = raw_y
        x = self._axis(fx, self.cx, self._lo_x, self._hi_x)
        y = self._axis(fy, self.cy, self._lo_y, self._hi_y)
        dz = self.deadzone
        m2 = x * x + y * y
        if m2 <= dz * dz:
            x = y = 0
        else:
            # Rescale so output starts at 0 at the dead zone edge and reaches 1000 at full.
            m = isqrt(m2)
            k = (m - dz) * FULL // (FULL - dz)
            if k > FULL:
                k = FULL
            x = _div(x, k, m)
            y = _div(y, k, m)
        if self.invert_x:
            x = -x
        if self.invert_y:
            y = -y
        changed = x != self.x or y != self.y
        self.x = x
        self.y = y
        return changed
