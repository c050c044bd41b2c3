"""LED status patterns and non-blocking hit feedback."""

from blinkshot import status


def trace(pattern, ms=3000, step=10):
    s = status.Status()
    s.show(pattern, 0)
    return [s.led(t) for t in range(0, ms, step)]


def test_every_state_has_its_own_pattern():
    names = ("WIFI", "HUB", "CONNECTED", "CONFIG_ERROR", "REJECTED")
    traces = [tuple(trace(getattr(status, n))) for n in names]
    for i in range(len(traces)):
        for j in range(i + 1, len(traces)):
            assert traces[i] != traces[j], (names[i], names[j])
    assert all(traces[2])  # connected: steady on


def test_blinking_patterns_blink():
    for p in (status.WIFI, status.HUB, status.CONFIG_ERROR, status.REJECTED):
        t = trace(p)
        assert 0 in t and 1 in t


def test_hit_feedback_runs_the_motor_for_its_duration_and_flickers_the_led():
    s = status.Status()
    s.show(status.CONNECTED, 0)
    s.feedback(1000, 150)
    assert s.motor(1000) == 1 and s.motor(1149) == 1
    leds = [s.led(t) for t in range(1000, 1150, 10)]
    assert 0 in leds and 1 in leds
    assert s.motor(1150) == 0 and s.led(1200) == 1
