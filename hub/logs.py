"""Logging: one line per event, plain text or JSON, with limiters against log floods.

Client strings (names, firmware versions, close reasons, headers) end up in log lines, so
nothing a client sends may start a line of its own: in text format line breaks and other
control characters are escaped (``\\n``, ``\\x1b``, ``\\u2028``) in every record, and the
lines of a traceback are indented; JSON lines are escaped by the JSON encoder. Tracebacks (a
bug met by some client's input) are limited too, so a client repeating it cannot fill a disk.
"""

import json
import logging
import re
import sys
import time

log = logging.getLogger("hub")

# Line and paragraph breaks, C0/C1 controls, bidi and zero-width format characters, surrogates
# (a lone one cannot even be written to a UTF-8 stream).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _esc(m) -> str:
    ch = m.group()
    short = _SHORT.get(ch)
    if short:
        return short
    o = ord(ch)
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def escape(text: str) -> str:
    """``text`` with every character that could break or disguise a log line escaped."""
    return _UNSAFE.sub(_esc, text)


class _JsonFormatter(logging.Formatter):
    def format(self, record):
        out = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "event": getattr(record, "event", record.getMessage()),
        }
        out.update(getattr(record, "fields", {}))
        if "event" not in record.__dict__:
            out["msg"] = record.getMessage()
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)  # ensure_ascii: every control character escaped


class _TextFormatter(logging.Formatter):
    def format(self, record):
        ts = self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z"
        line = f"{ts} {record.levelname:<7} {escape(record.getMessage())}"
        if record.exc_info:
            tb = self.formatException(record.exc_info).splitlines()
            line += "".join("\n    | " + escape(x) for x in tb)  # never at a line's start
        return line


class _TracebackLimiter(logging.Filter):
    """Lets through at most ``burst`` records with a traceback per ``period`` seconds."""

    def __init__(self, burst=5, period=60.0):
        super().__init__()
        self.limiter = Limiter(burst, period, what="tracebacks_suppressed")

    def filter(self, record):
        return not record.exc_info or self.limiter.allow()


def setup(level: str = "info", fmt: str = "text", stream=None):
    handler = logging.StreamHandler(stream or sys.stderr)
    formatter = _JsonFormatter() if fmt == "json" else _TextFormatter()
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(_TracebackLimiter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # websockets logs every rejected HTTP request at INFO; keep that for debugging only.
    ws_level = logging.DEBUG if level.lower() == "debug" else logging.WARNING
    logging.getLogger("websockets").setLevel(ws_level)


_BARE = re.compile(r'[^\s"=\\]+')


def _quote(v) -> str:
    """A value as written in a text line: bare when plain, else a JSON-style quoted string."""
    s = str(v)
    if _BARE.fullmatch(s) and not _UNSAFE.search(s):
        return s
    return '"' + escape(s.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def event(what: str, level: int = logging.INFO, **fields):
    """Log ``what key=value ...`` (text) or ``{"event": what, ...}`` (JSON)."""
    if not log.isEnabledFor(level):
        return
    text = what + "".join(f" {k}={_quote(v)}" for k, v in fields.items())
    log.log(level, text, extra={"event": what, "fields": fields})


class Limiter:
    """At most ``burst`` lines per ``period`` seconds; then one summary of what was dropped."""

    def __init__(self, burst=20, period=10.0, clock=time.monotonic, what="log_suppressed"):
        self.burst, self.period, self.clock, self.what = burst, period, clock, what
        self.start, self.count, self.dropped = clock(), 0, 0

    def allow(self) -> bool:
        now = self.clock()
        if now - self.start >= self.period:
            if self.dropped:
                event(self.what, logging.WARNING, lines=self.dropped, seconds=self.period)
            self.start, self.count, self.dropped = now, 0, 0
        if self.count < self.burst:
            self.count += 1
            return True
        self.dropped += 1
        return False


class TokenBucket:
    """Per-connection rate limit: ``rate`` messages per second with bursts up to ``burst``."""

    def __init__(self, rate: float, burst: float, now: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.last = burst, now

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
