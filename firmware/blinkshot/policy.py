"""When to send, when to retry, when the link is dead. Pure: ticks in, decisions out."""

from micropython import const

from blinkshot.ticks import ticks_diff

STICK_THRESHOLD = const(8)  # of 1000: smaller moves wait for the heartbeat
STICK_MIN_GAP_MS = const(10)  # at most 100 stick frames per second
HEARTBEAT_MS = const(1000)


class SendPolicy:
    """Buttons go at once; the stick when it moved past a threshold, at most every 10 ms;
    an idle heartbeat every second; nothing otherwise."""

    def __init__(
        self, threshold=STICK_THRESHOLD, gap_ms=STICK_MIN_GAP_MS, heartbeat_ms=HEARTBEAT_MS
    ):
        self.threshold = threshold
        self.gap = gap_ms
        self.heartbeat = heartbeat_ms
        self.restart(0)

    def restart(self, now):
        """New connection: the next call sends (the hub's baseline frame)."""
        self._force = True
        self._last = now
        self._x = 0
        self._y = 0

    def should_send(self, now, buttons_changed, x, y):
        if self._force or buttons_changed:
            return True
        since = ticks_diff(now, self._last)
        if since >= self.heartbeat:
            return True
        if x == self._x and y == self._y:
            return False
        moved = (
            x - self._x > self.threshold
            or self._x - x > self.threshold
            or y - self._y > self.threshold
            or self._y - y > self.threshold
            or (x == 0 and y == 0)  # back to centre always goes out
        )
        return moved and since >= self.gap

    def sent(self, now, x, y):
        self._force = False
        self._last = now
        self._x = x
        self._y = y


class Backoff:
    """Exponential backoff with jitter, capped. rand(n) returns an int in 0..n-1."""

    def __init__(self, rand, base_ms=100, cap_ms=2000):
        self.rand = rand
        self.base = base_ms
        self.cap = cap_ms
        self.attempts = 0

    def reset(self):
        self.attempts = 0

    def next_delay(self):
        d = self.base << min(self.attempts, 8)
        if d > self.cap:
            d = self.cap
        self.attempts += 1
        half = d // 2
        return half + self.rand(d - half + 1)


class LinkWatch:
    """Dead-link detection: ping every ping_ms; anything heard counts as alive; silence for
    dead_ms means dead even when TCP reports nothing (a vanished hub or access point)."""

    def __init__(self, ping_ms=1000, dead_ms=2500):
        self.ping_ms = ping_ms
        self.dead_ms = dead_ms
        self.reset(0)

    def reset(self, now):
        self._rx = now
        self._ping = now

    def heard(self, now):
        self._rx = now

    def ping_due(self, now):
        if ticks_diff(now, self._ping) >= self.ping_ms:
            self._ping = now
            return True
        return False

    def dead(self, now):
        return ticks_diff(now, self._rx) > self.dead_ms
