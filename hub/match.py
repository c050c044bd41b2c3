"""The flow of a match: waiting for players, a countdown, the round, a podium; the round clock
and the session's history. Pure, stepped by the game once per tick.

With the lobby on (the hub's default): a room with fewer than ``MIN_PLAYERS`` connected
players (bots count) is *waiting*: everyone may warm up, the round clock stands still. When
enough are there, a *countdown* (players are placed apart, scores start at zero, no shooting
or blinking), then the round is *playing* until the score limit or the round time, then the
*podium* shows the round's scoreboard for a while (no shooting), then the next countdown.
With the lobby off, rounds follow each other at once and the clock runs while anyone plays.
"""

WAITING, COUNTDOWN, PLAYING, PODIUM = "waiting", "countdown", "playing", "podium"
MIN_PLAYERS = 2
COUNTDOWN_MS = 3000
PODIUM_MS = 6000
HISTORY_KEEP = 10  # finished rounds remembered (the session's match history)
RECENT_SHOWN = 5  # of them, sent to the page between rounds (the lobby card lists them)


class Match:
    def __init__(self, score_limit, round_ms, lobby=False):
        self.score_limit, self.round_ms, self.lobby = score_limit, round_ms, lobby
        self.phase = WAITING if lobby else PLAYING
        self.phase_left = 0.0  # ms left of a countdown or podium
        self.round_no, self.elapsed = 1, 0.0  # elapsed: game ms of this round's play
        self.last_winner = self.last_winner_name = None  # the name outlives the player
        self.history: list[dict] = []  # the last HISTORY_KEEP rounds, oldest first

    @property
    def fighting(self) -> bool:
        """Whether shots and blinks work now (warming up counts; countdown and podium not)."""
        return self.phase in (WAITING, PLAYING)

    def step(self, players, tick_ms) -> str | None:
        """Advance by one tick. ``players`` is the game's player list. Returns what the game
        must do: "place" (reset scores and place everyone for a new round), "end" (the round
        is over: call ``end_round``), or None."""
        active = sum(1 for p in players if p.connected)
        if self.phase == PLAYING:
            if active:
                self.elapsed += tick_ms  # the round clock stands still while nobody plays
            leader = max(players, key=lambda p: p.score, default=None)
            if self.elapsed >= self.round_ms or (leader and leader.score >= self.score_limit):
                return "end"
            return None
        if self.phase == WAITING:
            if active >= MIN_PLAYERS:
                self._enter(COUNTDOWN, COUNTDOWN_MS)
                return "place"
            return None
        self.phase_left -= tick_ms
        if self.phase == COUNTDOWN and active < MIN_PLAYERS:
            self._enter(WAITING, 0)
        elif self.phase_left <= 0 and self.phase == COUNTDOWN:
            self._enter(PLAYING, 0)
            self.elapsed = 0.0
        elif self.phase_left <= 0:  # the podium is over
            if active >= MIN_PLAYERS:
                self._enter(COUNTDOWN, COUNTDOWN_MS)
                return "place"
            self._enter(WAITING, 0)
        return None

    def end_round(self, players) -> dict:
        """Record the round that just ended and start the next; returns the ``round`` event."""
        ranked = sorted(players, key=lambda p: (-p.score, p.slot))
        leader = ranked[0] if ranked else None
        winner = leader.id if leader and leader.score > 0 else None
        self.last_winner = winner
        self.last_winner_name = leader.name if winner else None
        self.history.append({
            "n": self.round_no,
            "winner": winner,
            "winner_name": self.last_winner_name,
            "ended_by": "score" if leader and leader.score >= self.score_limit else "time",
            "scores": [{"id": p.id, "name": p.name, "kind": p.kind, "score": p.score}
                       for p in ranked],
        })  # fmt: skip
        del self.history[:-HISTORY_KEEP]
        self.round_no += 1
        self.elapsed = 0.0
        if self.lobby:
            self._enter(PODIUM, PODIUM_MS)
        return {"type": "round", "round": self.round_no, "winner": winner}

    def _enter(self, phase, ms):
        self.phase, self.phase_left = phase, float(ms)

    def info(self) -> dict:
        """The ``round`` part of a state."""
        out = {
            "n": self.round_no,
            "time_left": max(0, round(self.round_ms - self.elapsed)),
            "score_limit": self.score_limit,
            "last_winner": self.last_winner,
            "last_winner_name": self.last_winner_name,
            "phase": self.phase,
            "phase_left": max(0, round(self.phase_left)),
            "min_players": MIN_PLAYERS,
        }
        if self.phase == PODIUM and self.history:
            out["podium"] = self.history[-1]  # the scoreboard of the round that just ended
        if self.phase in (WAITING, PODIUM) and self.history:
            out["recent"] = self.recent()  # only between rounds: states stay small in play
        return out

    def recent(self) -> list[dict]:
        """The last rounds, newest first, short: number, winner's name, the top three scores."""
        return [
            {"n": h["n"], "winner_name": h["winner_name"], "ended_by": h["ended_by"],
             "top": [[s["name"], s["score"]] for s in h["scores"][:3]]}
            for h in reversed(self.history[-RECENT_SHOWN:])
        ]  # fmt: skip
