"""The embedded hub's state directory: the files, and nothing but the files.

Layout (``DIR`` is ``--state-dir``)::

    DIR/lock                 held (flock) while a hub uses DIR: two hubs never share one
    DIR/pairing.json         {"format": "blinkshot-pairing", "version": 1, "code": "482913"}
    DIR/rooms/NAME.json      one room snapshot each (snapshot.py)

Every write goes to a temporary file in the same directory, is flushed to disk, then renamed
over the old file, so a crash or kill -9 at any moment leaves either the old or the new file,
never half of one. A file that cannot be read as what it should be (corrupt, or written by
another version of the hub) is renamed aside with a suffix that says why, and one warning line
names it and the fix; the hub then starts without it.
"""

import contextlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path

from . import snapshot
from .logs import event
from .rooms import ROOM_NAME

CODE_FORMAT, CODE_VERSION = "blinkshot-pairing", 1

try:
    import fcntl
except ImportError:  # Windows: no advisory lock; one hub per directory is up to the user
    fcntl = None


class StateDirError(Exception):
    """The directory cannot be used; the message says why and what to do."""


def default_dir(environ: dict, port: int) -> Path | None:
    """Where ``make hub`` keeps state when no ``--state-dir`` is given.

    ``$XDG_STATE_HOME/blinkshot/hub-PORT`` (XDG's home for "state that should persist between
    restarts"), else ``~/.local/state/blinkshot/hub-PORT``; on Windows under ``%LOCALAPPDATA%``.
    One directory per port: two hubs on one machine are two hubs, each with its own code. With
    ``--port 0`` the port changes at every start, so there is no default: None (no state).
    """
    if port == 0:
        return None
    base = environ.get("XDG_STATE_HOME") or ""
    if not os.path.isabs(base):  # the XDG spec says to ignore a relative path
        if os.name == "nt" and environ.get("LOCALAPPDATA"):
            base = environ["LOCALAPPDATA"]
        else:
            base = os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "blinkshot" / f"hub-{port}"


def write_atomic(path: Path, data: bytes, mode=0o600):
    """Replace ``path`` with ``data``: whole or not at all, even after a crash or power loss."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def set_aside(path: Path, tag: str, reason: str, clock=time.gmtime) -> Path:
    """Rename a bad state file out of the way (``NAME.TAG-YYYYmmddTHHMMSSZ``); log one line."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", clock())
    target = path.with_name(f"{path.name}.{tag}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{tag}-{stamp}-{n}")
    os.replace(path, target)
    event(
        "state_file_set_aside",
        logging.WARNING,
        file=str(path),
        reason=reason,
        moved_to=target.name,
        fix="the hub starts without it; delete the moved file once you no longer need it",
    )
    return target


def parse_code(data) -> str:
    """The pairing code from ``pairing.json``'s contents; ``snapshot.SnapshotError`` if bad."""
    if not isinstance(data, dict) or data.get("format") != CODE_FORMAT:
        raise snapshot.SnapshotError(f"not a pairing file (format is not {CODE_FORMAT!r})")
    if data.get("version") != CODE_VERSION:
        v = data.get("version")
        raise snapshot.SnapshotError(f"format version {v!r}, this hub reads {CODE_VERSION}", v)
    code = data.get("code")
    if not (isinstance(code, str) and len(code) == 6 and code.isdigit()):
        raise snapshot.SnapshotError("code must be six digits")
    return code


class StateDir:
    """One hub's state directory. ``open()`` creates and locks it; ``close()`` unlocks."""

    def __init__(self, path):
        self.path = Path(path).expanduser()
        self.rooms_dir = self.path / "rooms"
        self._lock = None

    def open(self):
        try:
            self.path.mkdir(parents=True, exist_ok=True, mode=0o700)  # the code is a secret
            self.rooms_dir.mkdir(exist_ok=True, mode=0o700)
            lock = open(self.path / "lock", "a+")  # noqa: SIM115 - held until close()
        except OSError as exc:
            raise StateDirError(
                f"cannot use state directory {self.path}: {exc.strerror or exc}; "
                "give a writable one with --state-dir DIR, or run without state: --no-state"
            ) from None
        if fcntl is not None:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                lock.seek(0)
                pid = lock.read().strip() or "?"
                lock.close()
                raise StateDirError(
                    f"state directory {self.path} is in use by another hub (pid {pid}), "
                    "perhaps one already running on this port; stop it, or give this one "
                    "another --port or its own --state-dir DIR"
                ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        self._lock = lock
        return self

    def close(self):
        if self._lock is not None:
            self._lock.close()  # closing the file releases the flock
            self._lock = None

    # Files ---------------------------------------------------------------------------------------

    def _read(self, path: Path, parse):
        """``parse(json)`` of the file, or None when it is missing or was set aside."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:  # a directory, no permission: say so, start without it
            why = exc.strerror or str(exc)
            event("state_file_unreadable", logging.WARNING, file=str(path), error=why,
                  fix="check the file and its permissions")  # fmt: skip
            return None
        try:
            return parse(json.loads(raw))
        except (ValueError, UnicodeDecodeError) as exc:  # JSON errors and SnapshotError
            other = getattr(exc, "other_version", None)
            tag = f"version-{other}" if other is not None else "corrupt"
            reason = getattr(exc, "reason", None) or f"not JSON: {exc}"
            set_aside(path, tag[:40], reason)
            return None

    def read_code(self) -> str | None:
        return self._read(self.path / "pairing.json", parse_code)

    def write_code(self, code: str):
        body = {"format": CODE_FORMAT, "version": CODE_VERSION, "code": code}
        write_atomic(self.path / "pairing.json", json.dumps(body).encode() + b"\n")

    def read_rooms(self) -> list[dict]:
        """Every room snapshot that checks out, parsed; bad ones are set aside."""
        out = []
        for path in sorted(self.rooms_dir.glob("*.json")):
            snap = self._read(path, snapshot.parse)
            if snap is None:
                continue
            if snap["room"] != path.stem:
                set_aside(path, "corrupt", f"holds room {snap['room']!r}, not {path.stem!r}")
                continue
            out.append(snap)
        return out

    def room_path(self, name: str) -> Path:
        if not ROOM_NAME.fullmatch(name):  # room names are file-name safe; make sure
            raise ValueError(f"bad room name {name!r}")
        return self.rooms_dir / f"{name}.json"

    def write_room(self, name: str, text: str):
        write_atomic(self.room_path(name), text.encode())

    def delete_room(self, name: str):
        with contextlib.suppress(OSError):
            os.unlink(self.room_path(name))
