"""Send policy, reconnect backoff and dead-link detection, fed with ticks."""

from blinkshot.policy import Backoff, LinkWatch, SendPolicy


def test_first_frame_goes_out_then_nothing_when_nothing_changes():
    p = SendPolicy()
    p.restart(0)
    assert p.should_send(0, False, 0, 0)
    p.sent(0, 0, 0)
    assert not any(p.should_send(t, False, 0, 0) for t in range(1, 999))


def test_idle_heartbeat_every_second():
    p = SendPolicy()
    p.restart(0)
    p.sent(0, 0, 0)
    assert p.should_send(1000, False, 0, 0)


def test_buttons_go_at_once_even_right_after_a_frame():
    p = SendPolicy()
    p.restart(0)
    p.sent(0, 500, 0)
    assert p.should_send(1, True, 500, 0)


def test_stick_needs_a_real_move_and_is_capped_at_100_hz():
    p = SendPolicy(threshold=8, gap_ms=10)
    p.restart(0)
    p.sent(0, 100, 0)
    assert not p.should_send(20, False, 105, 0)  # jitter below the threshold
    assert not p.should_send(5, False, 300, 0)  # moved, but only 5 ms after the last frame
    assert p.should_send(10, False, 300, 0)


def test_sends_per_second_for_a_stick_moving_every_ms_is_at_most_100():
    p = SendPolicy()
    p.restart(0)
    sent = 0
    for t in range(1000):
        x = (t * 37) % 2000 - 1000
        if p.should_send(t, False, x, 0):
            p.sent(t, x, 0)
            sent += 1
    assert 90 <= sent <= 101


def test_return_to_centre_always_goes_out():
    p = SendPolicy(threshold=8)
    p.restart(0)
    p.sent(0, 5, 0)
    assert p.should_send(50, False, 0, 0)


def test_backoff_grows_with_jitter_and_caps_at_2s():
    seq = [0]

    def rand(n):  # deterministic spread over the whole jitter range
        seq[0] += 1
        return (seq[0] * 7919) % n

    b = Backoff(rand, base_ms=100, cap_ms=2000)
    delays = [b.next_delay() for _ in range(12)]
    assert 50 <= delays[0] <= 100
    assert all(d <= 2000 for d in delays)
    assert max(delays[6:]) > 1000
    assert len(set(delays[6:])) > 1  # jittered, not one fixed value
    b.reset()
    assert b.next_delay() <= 100


def test_dead_link_detected_within_3s_of_silence():
    w = LinkWatch(ping_ms=1000, dead_ms=2500)
    w.reset(0)
    assert w.ping_due(1000) and not w.ping_due(1500)
    w.heard(1200)
    assert not w.dead(3700)
    assert w.dead(3701)  # 2.5 s after the last byte: < 3 s
    w.heard(3800)
    assert not w.dead(3900)
