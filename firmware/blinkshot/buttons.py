"""Button debouncing without added latency: the first edge counts at once, bounce after it
is ignored for a lockout window. Pure logic: the adapter feeds levels and ticks.

Buttons are numbered 0 blink, 1 shoot, 2 stick (the protocol's bit order). `pressed` masks
use the same bits. Press counters are u8 and wrap, as on the wire.
"""

from micropython import const

from blinkshot.ticks import ticks_diff

LOCKOUT_MS = const(25)


class Buttons:
    def __init__(self, count=3, lockout_ms=LOCKOUT_MS):
        self.count = count
        self.lockout = lockout_ms
        self.held = 0  # debounced state, bit per button
        self.presses = [0] * count
        self._changed = [0] * count  # tick of the last accepted edge
        self._edge = bytearray(count)  # a press edge was latched by an IRQ
        self._edge_ms = [0] * count

    def reset(self, now, pressed):
        """Start from the levels seen at boot: a button held now is not a press."""
        self.held = pressed
        for i in range(self.count):
            self._changed[i] = now
            self._edge[i] = 0

    def note_edge(self, i, now):
        """Called from a pin IRQ on a press edge, so a tap shorter than the poll gap counts."""
        self._edge[i] = 1
        self._edge_ms[i] = now

    def update(self, now, pressed):
        """Feed the raw pressed mask; returns True if held bits or counters changed."""
        changed = False
        lockout = self.lockout
        for i in range(self.count):
            bit = 1 << i
            since = ticks_diff(now, self._changed[i])
            if since < lockout:
                continue  # bounce after an accepted edge
            if self.held & bit:
                self._edge[i] = 0
                if not pressed & bit:
                    self.held &= ~bit
                    self._changed[i] = now
                    changed = True
            else:
                latched = (
                    self._edge[i] and ticks_diff(self._edge_ms[i], self._changed[i]) >= lockout
                )
                self._edge[i] = 0
                if pressed & bit or latched:
                    self.held |= bit
                    self._changed[i] = now
                    self.presses[i] = (self.presses[i] + 1) & 0xFF
                    changed = True
        return changed
