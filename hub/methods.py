"""405 for HTTP methods other than GET and HEAD, before the websockets library parses them.

The library hands other methods to ``process_request`` (which answers 405 there too), but a
request with a body (``POST`` with ``Content-Length``, or ``Transfer-Encoding``) fails inside
its parser, which then closes the connection without an answer. ``MethodCheck`` looks at the
first bytes of a connection; when they start with any other method it writes the 405 itself,
half-closes, and drops what the client still sends (up to ``DISCARD_MAX``, then it closes), so
the client reads the answer instead of a reset. Everything else passes to the library unchanged.

Mixed in before the library's connection class: ``class C(MethodCheck, ServerConnection)``.
"""

import re

from . import static

ALLOWED = (b"GET", b"HEAD")
ALLOW_HEADER = "GET, HEAD"
DISCARD_MAX = 64 * 1024
_TOKEN = re.compile(rb"[A-Z][A-Z0-9_-]{0,15}")  # what a method looks like; not a TLS hello


def sniff(head: bytes) -> bool | None:
    """For the first bytes of a request: True = pass to the library, False = answer 405,
    None = not enough bytes to tell."""
    space = head.find(b" ")
    if space < 0:
        return None if len(head) <= 16 else True
    method = head[:space]
    if method in ALLOWED or not _TOKEN.fullmatch(method):
        return True  # GET/HEAD, or not HTTP at all: the library's rules apply
    return False


def not_allowed(method: str) -> bytes:
    """The whole 405 response, as bytes."""
    r = static.text(405, f"method {method} not allowed; the hub answers GET and HEAD")
    r.headers["Allow"] = ALLOW_HEADER
    return r.serialize()


class MethodCheck:
    """Connection mixin: answers 405 to a request line that is not GET or HEAD."""

    _method_state = None  # None: undecided, "pass", "refused"
    _method_head = b""
    _discarded = 0

    def data_received(self, data: bytes) -> None:
        state = self._method_state
        if state == "pass":
            super().data_received(data)
            return
        if state == "refused":
            self._discarded += len(data)
            if self._discarded > DISCARD_MAX:
                self.transport.close()
            return
        head = self._method_head + data
        verdict = sniff(head[:32])
        if verdict is None:
            self._method_head = head  # at most 16 bytes so far
            return
        self._method_head = b""
        if verdict:
            self._method_state = "pass"
            super().data_received(head)
            return
        self._method_state = "refused"
        method = head.split(b" ", 1)[0].decode("ascii")
        self.transport.write(not_allowed(method))
        if self.transport.can_write_eof():
            self.transport.write_eof()  # the client sees the end; the library's timeout closes
        else:
            self.transport.close()
        self._discarded = len(head)
