"""The owner and the followers of a shared room talking about one client (``--redis``).

The owner runs the game, so it is the one that knows what happens to a client on a follower:
that its controller was hit, that another connection took its player, that the room was full.
It tells that process (``tell``: an op on the room's channel, hub/busops.py), and the process
does what the owner would have done to a connection of its own. The other way, a follower's
ops (attach, input, ...) are applied here (``apply_op``) only for the connection that holds the
player on that process now.

``RemoteClients`` is a part of ``SharedRoom`` (hub/sharedroom.py), split off to keep each file
about one thing; ``super()`` here is ``Room``'s behaviour.
"""

from .codec import MAX_BOTS, Close
from .rooms import RoomFull

PRESENT_GRACE_S = 3.0  # longer than the registry's CLIENTS_TTL_MS: a new process is not "gone"
ASK_AGAIN_S = 1.0  # an input for a player we do not know: ask its process once a second


class RemoteConn:
    """The stand-in connection of a player held by another process (the seat's owner).
    ``no``: that process's number for the attach, so a late replace cannot close a newer one."""

    def __init__(self, process: str, pid: str, no, tell, since: float):
        self.process, self.pid, self.no, self.tell = process, pid, no, tell
        self.since = since  # monotonic time of the attach

    def replaced(self) -> tuple:
        """Another connection took the player: the other process closes this one."""
        self.tell(self.process, {"op": "replaced", "pid": self.pid, "c": self.no})
        return ()

    def __repr__(self):
        return f"RemoteConn({self.process!r}, {self.pid!r}, {self.no!r})"


class RemoteClients:
    # Owner to followers --------------------------------------------------------------------------

    def tell(self, process: str, op: dict):
        """Send ``op`` to ``process`` (owner to follower), after this pass's room messages."""
        op["to"] = process
        self.send_op(self.name, op)

    def _feedback(self, pid, kind, ms):
        seat = self.seats.get(pid)
        if seat is not None and isinstance(seat.owner, RemoteConn):
            op = {"op": "feedback", "pid": pid, "kind": kind, "ms": ms}
            self.tell(seat.owner.process, op)
        else:
            self.local_feedback(pid, kind, ms)

    def others_present(self, processes: set, now: float, judge=True):
        """The other processes that have clients in the room now. Owned (and ``judge``: the
        others had the time to say so): the players held by a process that is gone (crashed,
        cut off) are let go, as if their connections dropped here: their grace starts. One that
        attached within ``PRESENT_GRACE_S`` is spared (its process may not have said so yet)."""
        self.elsewhere = processes if judge else self.elsewhere | processes
        if not (self.owned and judge):
            return
        for (process, pid), conn in list(self.remote.items()):
            if pid not in self.seats:
                del self.remote[(process, pid)]
            elif process not in processes and now - conn.since > PRESENT_GRACE_S:
                super().detach(pid, conn, now)  # kept in ``remote``: see apply_op's input

    # Ops from other processes (owner only) -------------------------------------------------------

    def apply_op(self, process: str, op: dict, now: float, t: float):
        """One op forwarded by ``process``; unknown or malformed ones are ignored. Only the
        connection that holds a player on ``process`` moves, removes or lets go of it."""
        kind, pid = op.get("op"), op.get("pid")
        conn = self.remote.get((process, pid))
        held = conn is not None and getattr(self.seats.get(pid), "owner", None) is conn
        if kind == "attach":
            if held:
                conn.no = op.get("c")  # a repeat, or a newer connection that process replaced
                return
            self._attach_remote(process, op, now, t)
        elif kind == "detach" and held:
            del self.remote[(process, pid)]
            super().detach(pid, conn, now)
        elif kind == "remove" and held:
            del self.remote[(process, pid)]
            super().remove(pid, t)
        elif kind == "input":
            if held or self._back(conn, t):
                aim = op.get("aim")
                super().input(pid, op["frame"], t, tuple(aim) if aim else None)
            elif pid not in self.seats:
                self._ask_again(process, pid, now)
        elif kind == "chat":
            super().chat(str(op.get("from", "?"))[:32], str(op.get("text", ""))[:200], t)
        elif kind == "bots":
            count = op.get("count")
            if type(count) is int and 0 <= count <= MAX_BOTS and self.make_bots is not None:
                super().set_bots(count, self.make_bots, t)

    def _attach_remote(self, process, op, now, t):
        pid = op["pid"]
        conn = RemoteConn(process, pid, op.get("c"), self.tell, now)
        self.remote[(process, pid)] = conn
        try:
            _, previous = self.attach(pid, op["kind"], op.get("name"), conn, t, op.get("slot"))
        except RoomFull as exc:  # the follower's view was behind: it closes the client
            del self.remote[(process, pid)]
            self.tell(process, {"op": "full", "pid": pid, "c": op.get("c"), "reason": str(exc)})
            return
        if previous is not None:  # the same device or token, connected again elsewhere
            self._replace(previous)

    def _back(self, conn, t) -> bool:
        """A process we let go of as gone sends its player's input: it was only cut off for a
        while, and its connection is still there. Its player is attached to it again."""
        seat = self.seats.get(conn.pid) if conn is not None else None
        if seat is None or seat.owner is not None:
            return False
        self.attach(conn.pid, seat.kind, None, conn, t)
        return True

    def _ask_again(self, process, pid, now):
        """Input for a player this room does not have (it was removed while its process was cut
        off, or its attach was lost): ask that process to attach it again."""
        asked = self.asked.get((process, pid), float("-inf"))
        if now - asked >= ASK_AGAIN_S:
            self.asked[(process, pid)] = now
            self.tell(process, {"op": "unknown", "pid": pid})

    def _replace(self, previous):
        if isinstance(previous, RemoteConn):
            self.remote.pop((previous.process, previous.pid), None)
        for action in previous.replaced():
            self.later(action)

    # What the owner tells this process (a follower) ----------------------------------------------

    def told(self, op: dict):
        """An op the owner sent this process: about one of its connections, or (to every
        follower) the room's recent chat and kill feed for windows that open here later."""
        kind = op.get("op")
        if kind == "backlog":
            if not self.owned:
                self.backlog.replace(op.get("lines"))
            return
        seat = self.seats.get(op.get("pid"))
        if seat is None or seat.owner is None or isinstance(seat.owner, RemoteConn):
            return
        if kind == "feedback":
            self.local_feedback(seat.pid, int(op["kind"]), int(op["ms"]))
        elif self.owned:
            return  # the rest is about a follower's view of the room
        elif kind == "unknown":
            self.announce_local(op.get("t", 0), only=seat.pid)
        elif kind in ("replaced", "full") and op.get("c") == seat.attach_no:
            del self.seats[seat.pid]  # the player is not ours: no detach to forward
            self.game.players.pop(seat.pid, None)
            if kind == "replaced":
                actions = seat.owner.replaced()
            else:
                actions = seat.owner.refused_later(Close.FULL, str(op.get("reason", "room full")))
            for action in actions:
                self.later(action)
