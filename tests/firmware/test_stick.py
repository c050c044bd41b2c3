"""Joystick: boot calibration, drift at rest, full range, dead zone, inversion, lag."""

from blinkshot.stick import Stick, centre_of, isqrt


def settle(s, x, y, n=3):
    for _ in range(n):
        s.update(x, y)


def test_centre_from_noisy_boot_samples_ignores_outliers():
    samples = [31000, 31010, 30990, 31005, 65535, 0, 31002, 30998]
    assert abs(centre_of(samples) - 31000) < 10


def test_drift_at_rest_reads_zero():
    s = Stick(deadzone=80)
    s.calibrate(31000, 33500)  # this unit's resting point is off-centre
    for i in range(200):
        noise = (i * 7919) % 1200 - 600  # +-600 counts of ADC noise and slow drift
        s.update(31000 + noise, 33500 - noise)
        assert (s.x, s.y) == (0, 0), (i, s.x, s.y)


def test_full_deflection_reaches_the_protocol_range():
    s = Stick()
    s.calibrate(32768, 32768)
    settle(s, 65535, 32768)
    assert (s.x, s.y) == (1000, 0)
    settle(s, 0, 65535)
    assert s.x == -707 or -710 <= s.x <= -700
    settle(s, 32768, 0)
    assert (s.x, s.y) == (0, -1000)


def test_output_grows_from_zero_past_the_dead_zone():
    s = Stick(deadzone=100)
    s.calibrate(32768, 32768)
    settle(s, 32768 + 3500, 32768)
    small = s.x
    settle(s, 32768 + 10000, 32768)
    assert 0 < small < s.x < 1000


def test_inversion_per_axis():
    s = Stick(invert_x=True)
    s.calibrate(32768, 32768)
    settle(s, 65535, 65535)
    assert s.x < -600 and s.y > 600


def test_filter_adds_at_most_one_sample_of_lag():
    s = Stick()
    s.calibrate(32768, 32768)
    s.update(65535, 32768)  # first sample after the jump: already moving
    assert s.x > 300
    s.update(65535, 32768)  # second sample: there
    assert s.x == 1000


def test_isqrt():
    for n in (0, 1, 2, 99, 100, 1000000, 2000000, 4000000):
        r = isqrt(n)
        assert r * r <= n < (r + 1) * (r + 1), n
