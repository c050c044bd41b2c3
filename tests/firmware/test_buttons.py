"""Debounce: first edge at once, bounce ignored, short taps counted, boot state respected."""

from blinkshot.buttons import LOCKOUT_MS, Buttons

BLINK = 1


def poll(b, t, pressed):
    return b.update(t, pressed)


def test_first_edge_is_reported_at_once():
    b = Buttons()
    b.reset(0, 0)
    assert poll(b, 100, BLINK) is True
    assert b.held & BLINK and b.presses[0] == 1


def test_noisy_bounce_counts_one_press_and_one_release():
    b = Buttons()
    b.reset(0, 0)
    t = 100
    # Press: contact chatter for 8 ms (the level flips every poll), then steady.
    for i in range(8):
        poll(b, t + i, BLINK if i % 2 == 0 else 0)
    for i in range(8, 60):
        poll(b, t + i, BLINK)
    assert b.presses[0] == 1 and b.held & BLINK
    # Release with chatter.
    t = 300
    for i in range(8):
        poll(b, t + i, 0 if i % 2 == 0 else BLINK)
    for i in range(8, 60):
        poll(b, t + i, 0)
    assert b.presses[0] == 1 and not b.held & BLINK


def test_tap_of_10ms_between_polls_is_counted_by_the_edge_latch():
    b = Buttons()
    b.reset(0, 0)
    # The loop stalled: polls at 100 and 120 both see the button up, the tap was at 105-115.
    poll(b, 100, 0)
    b.note_edge(0, 105)
    assert poll(b, 120, 0) is True
    assert b.presses[0] == 1
    poll(b, 120 + LOCKOUT_MS, 0)
    assert not b.held & BLINK


def test_tap_of_10ms_seen_by_polling_every_2ms():
    b = Buttons()
    b.reset(0, 0)
    for t in range(0, 40, 2):
        poll(b, 1000 + t, BLINK if 10 <= t < 20 else 0)
    assert b.presses[0] == 1


def test_bounce_latched_during_lockout_is_not_a_press():
    b = Buttons()
    b.reset(0, 0)
    poll(b, 100, BLINK)
    poll(b, 110, 0)  # still inside the lockout: ignored
    poll(b, 100 + LOCKOUT_MS, 0)  # release accepted
    b.note_edge(0, 100 + LOCKOUT_MS + 3)  # release chatter fires the IRQ
    poll(b, 100 + 2 * LOCKOUT_MS + 1, 0)
    assert b.presses[0] == 1


def test_button_held_at_boot_is_not_a_press():
    b = Buttons()
    b.reset(0, BLINK)
    for t in range(1, 200, 2):
        poll(b, t, BLINK)
    assert b.presses[0] == 0
    poll(b, 300, 0)
    poll(b, 400, BLINK)
    assert b.presses[0] == 1


def test_counters_wrap_at_256_like_the_wire():
    b = Buttons()
    b.reset(0, 0)
    t = 0
    for _ in range(257):
        t += 30
        poll(b, t, 2)
        t += 30
        poll(b, t, 0)
    assert b.presses[1] == 1
