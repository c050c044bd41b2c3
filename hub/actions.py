"""What a session asks the shell to do, and how it says no.

Sessions (hub/session.py) and the hub state (hub/state.py) return tuples of these; the shell
(hub/links.py) carries them out on the connection. ``to`` names another session, whose
connection the action is for (a replaced controller, a controller's feedback).
"""

import logging
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Send:
    """Send one message: bytes to a controller, encoded JSON text to a window."""

    data: bytes | str  # bytes to a controller, encoded JSON text to a window
    key: object = None  # a window's coalescing key
    to: object = None  # another session, or None for this one


@dataclass(frozen=True)
class CloseLink:
    """Close the connection with ``code`` and ``reason`` (the close frame's)."""

    code: int
    reason: str
    to: object = None


@dataclass(frozen=True)
class Watch:
    """Deliver ``room``'s messages to this window from now on."""

    room: str


@dataclass(frozen=True)
class Log:
    """One log line: ``event key=value ...``."""

    event: str
    level: int = logging.INFO
    fields: dict = field(default_factory=dict)
    limited: bool = False  # a client's mistake: the shell rate-limits these lines


NOTHING = ()  # what the hot path returns: nothing to do


class Refused(Exception):
    """A rule says no: the connection closes with ``code`` and ``reason``."""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code, self.reason = code, reason


def refusal(kind: str, addr: str, code: int, reason: str) -> tuple:
    """A rate-limited ``rejected`` line, then the close."""
    fields = {"kind": kind, "addr": addr, "code": int(code), "reason": reason}
    return (Log("rejected", logging.WARNING, fields, limited=True), CloseLink(code, reason))
