"""A short way in for controller frames.

A controller sends ~100 small binary frames a second. Through the `websockets` connection each
one is parsed by a generator-based parser, queued, and handed to the handler task a couple of
event-loop passes later; at 16 controllers that fixed cost per frame was about as large as the
relay to 64 windows. Once a controller is welcomed, ``HubConnection`` reads what arrives
straight from ``data_received`` when a chunk holds only whole, masked, unfragmented binary
frames of under 126 bytes (every input and telemetry frame) and nothing else is pending in the
library's parser or queue. Anything else (pings, pongs, close, text, partial frames) goes
through the library as before, so the protocol rules stay the library's.
"""

from websockets.asyncio.server import ServerConnection
from websockets.protocol import OPEN

from .methods import MethodCheck


def split_binary(data: bytes) -> list[bytes] | None:
    """Unmasked payloads if ``data`` is whole small masked binary frames and nothing else."""
    out = []
    i, end = 0, len(data)
    while i < end:
        if end - i < 6 or data[i] != 0x82:
            return None  # not FIN + binary, or too short for a header and mask
        n = data[i + 1] ^ 0x80
        if n > 125:
            return None  # unmasked (n >= 128 after the flip) or a longer length form
        start = i + 6
        stop = start + n
        if stop > end:
            return None  # the rest arrives later: let the library buffer it
        if n:
            mask = data[i + 2 : start] * (n // 4 + 1)
            word = int.from_bytes(data[start:stop], "big") ^ int.from_bytes(mask[:n], "big")
            out.append(word.to_bytes(n, "big"))
        else:
            out.append(b"")
        i = stop
    return out


class HubConnection(MethodCheck, ServerConnection):
    """``ServerConnection`` with an optional ``on_binary(payload)`` hook for the short way in,
    and 405 for methods other than GET/HEAD before the library parses them (methods.py)."""

    on_binary = None
    fast_frames = 0  # frames taken the short way (tests and profiling read it)

    def data_received(self, data: bytes) -> None:
        hook = self.on_binary
        if hook is not None and self._idle_parser():
            payloads = split_binary(data)
            if payloads is not None:
                self.fast_frames += len(payloads)
                for payload in payloads:
                    hook(payload)
                return
        super().data_received(data)

    def _idle_parser(self) -> bool:
        """True when the library holds nothing half-read or unread, so order is kept."""
        try:
            p = self.protocol
            return (
                p.state is OPEN
                and not p.reader.buffer
                and not p.expect_continuation_frame
                and not len(self.recv_messages.frames)
            )
        except AttributeError:  # another websockets version: always take the library's way
            self.on_binary = None
            return False
