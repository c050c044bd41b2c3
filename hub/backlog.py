"""The room's recent chat and kill feed, for windows that open late (or reload).

Pure: the room tells it what happened (``note``), a new window gets ``message()`` after its
welcome and state. Lines are what the page's chat panel shows: ``{"from", "text", "t"}``,
with ``"system": true`` on lines the hub wrote (joins, leaves, knock-outs, round results,
settings) so the page keeps them apart from what people typed.
"""

from collections import deque

KEEP = 50  # lines a late window gets


class Backlog:
    def __init__(self, keep: int = KEEP):
        self.lines: deque[dict] = deque(maxlen=keep)

    def chat(self, sender: str, text: str, t: float):
        self.lines.append({"from": sender, "text": text, "t": t})

    def system(self, text: str, t: float):
        self.lines.append({"from": "hub", "text": text, "t": t, "system": True})

    def message(self) -> dict:
        """The ``backlog`` message for a window that just opened (oldest line first)."""
        return {"type": "backlog", "lines": list(self.lines)}
