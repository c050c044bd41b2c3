"""The pairing-code check every way in uses (WebSocket, /qr.svg, /healthz, /dashboard).

A thin shell around ``guard.CodeGuard``: reads the clock, compares in constant time, and writes
the guard's summary lines to the log (``code_guessing``), on a timer so the last one is not
held back until the next attempt. ``Summaries`` is that shell without the code, for other
guards (door.py).
"""

import asyncio
import hmac
import logging
import math
import time

from .guard import CodeGuard
from .hosts import address_key
from .logs import event

OK, MISSING, WRONG, BLOCKED = "ok", "missing", "wrong", "blocked"


class Summaries:
    """A ``CodeGuard`` with the clock and its summary lines (event ``what``), on a timer so the
    last one is not held back until the next attempt."""

    what = "code_guessing"

    def __init__(self, guard: CodeGuard | None = None, clock=time.monotonic):
        self.guard = guard or CodeGuard()
        self.clock = clock
        self.timer = None

    def turn_away(self, key: str) -> bool:
        """True: drop this new connection from ``key`` (``hosts.address_key``) unheard."""
        now = self.clock()
        if not self.guard.turn_away(key, now):
            return False
        self._log(key, now)
        return True

    def _log(self, key, now):
        """This address's summary if due; a timer for what stays owed (O(1) per attempt)."""
        r = self.guard.report(key, now)
        if r is not None:
            event(self.what, logging.WARNING, **r)
        due = self.guard.due(key)
        if due is not None and self.timer is None:
            self._schedule(due, now)

    def _schedule(self, due, now):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a plain call from a test): the next attempt logs instead
        self.timer = loop.call_later(max(0.0, due - now) + 0.01, self._on_timer)

    def _on_timer(self):
        self.timer = None
        now = self.clock()
        for r in self.guard.reports(now):
            event(self.what, logging.WARNING, **r)
        due = self.guard.next_report()
        if due is not None:
            self._schedule(due, now)


class CodeCheck(Summaries):
    def __init__(self, code, guard: CodeGuard | None = None, clock=time.monotonic):
        # ``code``: the code, or a callable giving it (the hub settles its code at start,
        # from the state directory or Redis, after this object exists).
        super().__init__(guard, clock)
        self._code = code if callable(code) else (lambda: code)

    def check(self, addr: str | None, code: str, now: float | None = None) -> tuple[str, float]:
        """(verdict, seconds to wait). A missing code is not a guess and costs nothing.
        ``now`` (monotonic seconds) lets a caller with its own time, like HubState, pass it."""
        key = address_key(addr or "?")
        now = self.clock() if now is None else now
        wait = self.guard.blocked_for(key, now)
        if wait:
            self._log(key, now)
            return BLOCKED, wait
        if not code:
            return MISSING, 0.0
        expected = (self._code() or "").encode()
        if expected and hmac.compare_digest(code.encode("utf-8", "replace"), expected):
            self.guard.passed(key)
            return OK, 0.0
        wait = self.guard.failed(key, now)
        self._log(key, now)
        return (BLOCKED, wait) if wait else (WRONG, 0.0)

    def refuse(self, addr: str | None, code: str, now: float | None = None) -> str | None:
        """For the WebSocket check: None when the code is right, else the close reason."""
        verdict, wait = self.check(addr, code, now)
        if verdict == OK:
            return None
        return reason(verdict, wait)


def reason(verdict: str, wait: float) -> str:
    """What a refused client is told (the close reason, or the HTTP body)."""
    if verdict == MISSING:
        return "pairing code missing: add ?code=<6 digits>"
    if verdict == BLOCKED:
        return f"too many wrong pairing codes from your address; try again in {math.ceil(wait)} s"
    return "wrong pairing code; use the code the hub printed"
