"""Wire pieces of the fan-out, with no I/O: one JSON encoder, text frames, batches, the outbox.

A room's messages are encoded to JSON once (``encode``), joined into one JSON array per
event-loop pass (``batch_text``) and wrapped once in a WebSocket text frame (``text_frame``);
those same bytes go to every window. A window that is behind keeps the messages in its
``Outbox`` instead: moves and states coalesce (latest wins), button events and chat never drop.
"""

import json
import struct

encode = json.JSONEncoder(separators=(",", ":")).encode
_U16 = struct.Struct(">BBH")
_U64 = struct.Struct(">BBQ")


def text_frame(payload: bytes) -> bytes:
    """One unmasked, unfragmented server-to-client text frame (RFC 6455 section 5.2)."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return _U16.pack(0x81, 126, n) + payload
    return _U64.pack(0x81, 127, n) + payload


def batch_text(texts: list[str]) -> str:
    """Several JSON objects as one message: a JSON array, in order."""
    return texts[0] if len(texts) == 1 else "[" + ",".join(texts) + "]"


class Outbox:
    """Per-window queue of encoded messages. Entries with a key coalesce (latest wins)."""

    def __init__(self):
        self.items: list[str | None] = []
        self.keys: dict[object, int] = {}
        self.live = 0

    def __len__(self):
        return self.live

    def push(self, key, text: str):
        if key is not None:
            old = self.keys.get(key)
            if old is not None:
                self.items[old] = None  # the newer one replaces it, at the end
                self.live -= 1
            self.keys[key] = len(self.items)
        self.items.append(text)
        self.live += 1
        if len(self.items) > 1024 and len(self.items) > 4 * self.live:
            self._compact()  # coalesced moves leave holes; keep memory bounded by live items

    def _compact(self):
        keyed = {i: k for k, i in self.keys.items()}
        items, keys = [], {}
        for i, text in enumerate(self.items):
            if text is None:
                continue
            if i in keyed:
                keys[keyed[i]] = len(items)
            items.append(text)
        self.items, self.keys = items, keys

    def take(self) -> list[str]:
        out = [t for t in self.items if t is not None]
        self.items, self.keys, self.live = [], {}, 0
        return out
