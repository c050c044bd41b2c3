"""The room's recent chat and kill feed, for windows that open late (or reload).

Pure: the room tells it what happened (``note``), a new window gets ``message()`` after its
welcome and state. Lines are what the page's chat panel shows: ``{"from", "text", "t"}``,
with ``"system": true`` on lines the hub wrote (joins, leaves, knock-outs, round results,
settings) so the page keeps them apart from what people typed.
"""

from collections import deque

KEEP = 50  # lines a late window gets
FIELDS = ("from", "text")


class Backlog:
    def __init__(self, keep: int = KEEP):
        self.lines: deque[dict] = deque(maxlen=keep)
        self.version = 0  # +1 at every line: --redis sends the lines to followers when it moves

    def chat(self, sender: str, text: str, t: float):
        self.lines.append({"from": sender, "text": text, "t": t})
        self.version += 1

    def system(self, text: str, t: float):
        self.lines.append({"from": "hub", "text": text, "t": t, "system": True})
        self.version += 1

    def replace(self, lines):
        """Take the lines another process's room has (--redis: a follower mirrors its owner);
        anything but a list of lines with a string ``from`` and ``text`` is ignored."""
        if not isinstance(lines, list):
            return
        self.lines.clear()
        for line in lines:
            if isinstance(line, dict) and all(isinstance(line.get(k), str) for k in FIELDS):
                self.lines.append(dict(line))

    def message(self) -> dict:
        """The ``backlog`` message for a window that just opened (oldest line first)."""
        return {"type": "backlog", "lines": list(self.lines)}
