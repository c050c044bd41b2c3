"""Logging: one line per event, plain text or JSON, with a limiter against log floods."""

import json
import logging
import sys
import time

log = logging.getLogger("hub")


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
        return json.dumps(out, default=str)


class _TextFormatter(logging.Formatter):
    def format(self, record):
        ts = self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z"
        line = f"{ts} {record.levelname:<7} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def setup(level: str = "info", fmt: str = "text", stream=None):
    handler = logging.StreamHandler(stream or sys.stderr)
    formatter = _JsonFormatter() if fmt == "json" else _TextFormatter()
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # websockets logs every rejected HTTP request at INFO; keep that for debugging only.
    ws_level = logging.DEBUG if level.lower() == "debug" else logging.WARNING
    logging.getLogger("websockets").setLevel(ws_level)


def _quote(v) -> str:
    s = str(v)
    if s == "" or any(c in s for c in ' "='):
        return json.dumps(s)
    return s


def event(what: str, level: int = logging.INFO, **fields):
    """Log ``what key=value ...`` (text) or ``{"event": what, ...}`` (JSON)."""
    if not log.isEnabledFor(level):
        return
    text = what + "".join(f" {k}={_quote(v)}" for k, v in fields.items())
    log.log(level, text, extra={"event": what, "fields": fields})


class Limiter:
    """At most ``burst`` lines per ``period`` seconds; then one summary of what was dropped."""

    def __init__(self, burst=20, period=10.0, clock=time.monotonic):
        self.burst, self.period, self.clock = burst, period, clock
        self.start, self.count, self.dropped = clock(), 0, 0

    def allow(self) -> bool:
        now = self.clock()
        if now - self.start >= self.period:
            if self.dropped:
                event("log_suppressed", logging.WARNING, lines=self.dropped, seconds=self.period)
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
