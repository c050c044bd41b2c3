"""What windows are told when this process loses or regains its link to Redis (``--redis``).

A process cut off from Redis hears nothing from the owners of the rooms it follows, cannot send
them its players' inputs, and cannot renew the leases of the rooms it runs: another process may
take them over (a network split). Its windows must not take what they show for the live game. So
each window here gets a ``status`` message (a hub message, ``system: true``) the moment the link
changes, and a window that opens while it is down gets one right after its welcome, before the
room's state. Fields:

- ``link``: ``"down"`` or ``"up"``;
- ``game``: what the game on this screen is now. ``"paused"``: another process runs it and no
  news reaches here, because this process is cut off or because that process stopped answering
  (killed, stalled: its messages stopped for ``silent_after`` while the link is up; another
  process takes the room over within 2 s); the page stops predicting and says the picture may
  be out of date. ``"local"``: this process runs it and goes on for the players connected here,
  but players on other hubs are not in it and it may be replaced by another process's game when
  the link is back. ``"live"``: news flows again;
- ``text``: one sentence for the player.

A status is stamped with the room's current ``seq`` (not a new one): it reports on this process,
not on the room, and goes to this process's windows only, like a welcome. No I/O here.
"""

TEXTS = {
    "paused": "Lost the link to the other hubs: the game on this screen is paused and may be "
    "out of date. Reconnecting…",
    "local": "Lost the link to the other hubs: the game goes on here for players on this hub "
    "only, and may be out of date. Reconnecting…",
    "silent": "The hub running this game is not answering: the game on this screen is paused "
    "and may be out of date. Another hub takes it over in a moment…",
    "live": "Connected to the game again.",
}
SILENT_S = 0.5  # no message from a followed room's owner for this long: it is not answering


def silent_after(state_hz: float) -> float:
    """How long a followed room's owner may say nothing: it sends a state at ``state_hz``."""
    return max(SILENT_S, 3 / state_hz)


def game_of(up: bool, owned: bool, silent: bool = False) -> str:
    if not up:
        return "local" if owned else "paused"
    return "paused" if silent and not owned else "live"


def status(up: bool, game: str, seq: int, t: float) -> dict:
    """The ``status`` message (``game`` from ``game_of``) for one window of a room."""
    text = TEXTS["silent" if up and game == "paused" else game]
    link = "up" if up else "down"
    return {"type": "status", "system": True, "link": link, "game": game, "text": text,
            "seq": seq, "t": t}  # fmt: skip
