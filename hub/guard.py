"""Throttling of wrong pairing codes, per source address. Pure: every method takes ``now``.

The policy (docs/security.md):

- An address may get the code wrong ``FREE`` times (typos, a phone with an old code) at no cost.
- Each further wrong code blocks the address for ``BASE_S * 2**k`` seconds (1, 2, 4, ... s),
  at most ``CAP_S``. While blocked every attempt is refused without looking at the code, and
  does not lengthen the block (a controller retrying with backoff gets in once it is fixed).
- A right code forgets the address. So does ``FORGET_S`` without a wrong code.
- At most ``MAX_ADDRS`` addresses are remembered; when full, the one idle longest goes.
- Summary lines: the first block of an address is reported at once, then at most one line per
  ``REPORT_S`` with what happened since (wrong codes, refused attempts, current block).
- At the door (``turn_away``): once a blocked address has been told why (one refusal with the
  reason per block; none with ``tell=False``), its further connections during the block are
  dropped at accept, before any HTTP is read, so hammering costs the hub almost nothing.
- In the kernel (``dropping``): an address turned away at accept ``DROP_AFTER`` times in one
  block is one that keeps coming without listening; until its block ends the hub's listener
  drops its SYNs in the kernel (listener.py, synfilter.py). Those attempts reach no code of the
  hub and are not counted: its summary line says ``kernel_drop=yes`` instead.
- On probation (``turn_away`` when not blocked): an address with wrong codes on record may open
  ``TRIAL_BURST`` connections at once and then ``TRIAL_RATE`` a second until a right code
  forgets it; more are dropped at accept (counted as refused). A page load fits; a flood that
  waited out its block in the kernel's filter does not rush back in by the hundred, each
  reaching the code check before the first wrong code blocks it again.

At the cap an address gets one guess a minute: half the 6-digit space takes about a year.
"""

FREE = 5
BASE_S = 1.0
CAP_S = 60.0
FORGET_S = 15 * 60.0
REPORT_S = 60.0
MAX_ADDRS = 4096
DROP_AFTER = 16  # a retrying controller or browser makes a few; a flood makes thousands
TRIAL_RATE = 10.0  # connections/s on probation: a page load's files and its WebSocket fit
TRIAL_BURST = 20.0


class _Entry:
    __slots__ = ("strikes", "blocked_until", "last_failure", "failed", "refused", "since",
                 "reported_at", "ever_blocked", "told", "turned", "dropped", "tokens",
                 "tokens_at")  # fmt: skip

    def __init__(self, now):
        self.strikes = 0  # wrong codes since the address was last forgotten
        self.blocked_until = 0.0
        self.last_failure = now
        self.failed = 0  # since the last summary
        self.refused = 0  # attempts refused while blocked, since the last summary
        self.since = now  # start of what the next summary covers
        self.reported_at = None
        self.ever_blocked = False
        self.told = False  # this block's reason was given once
        self.turned = 0  # connections turned away at accept in this block
        self.dropped = False  # dropped in the kernel since the last summary
        self.tokens, self.tokens_at = TRIAL_BURST, now  # connections it may open on probation


class CodeGuard:
    def __init__(self, free=FREE, base_s=BASE_S, cap_s=CAP_S, forget_s=FORGET_S,
                 report_s=REPORT_S, max_addrs=MAX_ADDRS, tell=True, drop_after=None,
                 trial_rate=TRIAL_RATE, trial_burst=TRIAL_BURST):  # fmt: skip
        self.free, self.base_s, self.cap_s, self.tell = free, base_s, cap_s, tell
        self.trial_rate, self.trial_burst = trial_rate, trial_burst  # rate None: no probation
        # None: no kernel drop (the hub's listener sets DROP_AFTER where it can filter).
        self.drop_after = drop_after
        self.forget_s, self.report_s, self.max_addrs = forget_s, report_s, max_addrs
        self.entries: dict[str, _Entry] = {}

    def _entry(self, addr, now) -> _Entry | None:
        e = self.entries.get(addr)
        if e is not None and now - e.last_failure >= self.forget_s and now >= e.blocked_until:
            if e.ever_blocked and (e.failed or e.refused):
                e.strikes = 0  # forgiven; the entry stays until its summary went out
            else:
                del self.entries[addr]
                return None
        return e

    def blocked_for(self, addr: str, now: float) -> float:
        """Seconds ``addr`` must still wait (0: it may try a code). A refusal is counted."""
        e = self._entry(addr, now)
        if e is None or now >= e.blocked_until:
            return 0.0
        e.refused += 1
        e.told = True
        return e.blocked_until - now

    def turn_away(self, addr: str, now: float) -> bool:
        """True if a new connection from ``addr`` may be dropped unheard (counted as refused):
        it is blocked and was told why during this block (or this guard tells no one)."""
        e = self.entries.get(addr)
        if e is None:
            return False
        if now >= e.blocked_until:
            return self._over_trial(e, now)
        if not (e.told or not self.tell):
            return False
        e.refused += 1
        e.turned += 1
        if e.turned == self.drop_after:
            e.dropped = True
        return True

    def _over_trial(self, e: _Entry, now: float) -> bool:
        if self.trial_rate is None or e.strikes == 0 or now - e.last_failure >= self.forget_s:
            return False
        e.tokens = min(self.trial_burst, e.tokens + (now - e.tokens_at) * self.trial_rate)
        e.tokens_at = now
        if e.tokens >= 1.0:
            e.tokens -= 1.0
            return False
        e.refused += 1
        return True

    def dropping(self, now: float) -> dict[str, float]:
        """The addresses whose SYNs the kernel may drop now, with the end of their block."""
        if self.drop_after is None:
            return {}
        return {a: e.blocked_until for a, e in self.entries.items()
                if e.turned >= self.drop_after and now < e.blocked_until}  # fmt: skip

    def failed(self, addr: str, now: float) -> float:
        """Record a wrong code from ``addr``; returns how long it is now blocked (0 = not)."""
        e = self._entry(addr, now)
        if e is None:
            self._make_room(now)
            e = self.entries[addr] = _Entry(now)
            e.tokens = self.trial_burst
        e.strikes += 1
        e.failed += 1
        e.last_failure = now
        over = e.strikes - self.free
        if over <= 0:
            return 0.0
        block = min(self.cap_s, self.base_s * 2 ** min(over - 1, 30))
        e.blocked_until = now + block
        e.ever_blocked = True
        e.told = False
        e.turned = 0
        return block

    def passed(self, addr: str):
        """``addr`` gave the right code: forget its wrong ones."""
        e = self.entries.get(addr)
        if e is not None and not (e.ever_blocked and (e.failed or e.refused)):
            del self.entries[addr]
        elif e is not None:
            e.strikes = 0  # the summary still owes a line about its guesses

    def _make_room(self, now):
        if len(self.entries) < self.max_addrs:
            return
        oldest = min(self.entries, key=lambda a: (now < self.entries[a].blocked_until,
                                                  self.entries[a].last_failure))  # fmt: skip
        del self.entries[oldest]

    def report(self, addr: str, now: float) -> dict | None:
        """The summary for ``addr`` if one is due now (it was blocked and has news since)."""
        e = self.entries.get(addr)
        due = self._due(e)
        if due is None or now < due:
            return None
        out = {
            "addr": addr,
            "failed": e.failed,
            "refused": e.refused,
            "seconds": round(now - e.since, 1),
            "blocked_s": round(max(0.0, e.blocked_until - now), 1),
        }
        if e.dropped or (self.drop_after is not None and e.turned >= self.drop_after):
            out["kernel_drop"] = "yes"  # more attempts, dropped unseen and not counted
        e.dropped = False
        e.failed = e.refused = 0
        e.since = e.reported_at = now
        if e.strikes == 0:
            del self.entries[addr]
        return out

    def reports(self, now: float) -> list[dict]:
        """Every summary due now (for a timer; O(addresses), so not per attempt)."""
        return [r for a in list(self.entries) if (r := self.report(a, now)) is not None]

    def due(self, addr: str) -> float | None:
        """When the summary owed for ``addr`` may go out; None if none is owed."""
        return self._due(self.entries.get(addr))

    def next_report(self) -> float | None:
        """When the next summary of any address falls due; None if none is owed."""
        due = [d for e in self.entries.values() if (d := self._due(e)) is not None]
        return min(due) if due else None

    def _due(self, e: _Entry | None) -> float | None:
        if e is None or not e.ever_blocked or not (e.failed or e.refused):
            return None
        return 0.0 if e.reported_at is None else e.reported_at + self.report_s
