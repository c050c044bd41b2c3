"""What goes on a room's Redis channel (``--redis``): two kinds of message, encoded here.

A batch: the room messages one event-loop pass published (owner -> every process's windows),
``TOKEN EPOCH``, then the entries as JSON ``[[key, text], ...]``.

Ops between hub processes: what the owner tells a follower about one of its clients (a
controller's feedback, a connection another one replaced) or every follower about the room (its
recent chat and kill feed). Windows never see them. The header ``TOKEN EPOCH ops``, then the ops
as a JSON list; each op names its process in ``to`` (``*``: every process). Fenced by the epoch
like a batch (hub/redisbus.py).
"""

import json


def encode_batch(token: str, epoch: int, entries) -> str:
    """One Redis message: ``TOKEN EPOCH\\n`` then the entries as JSON ``[[key, text], ...]``."""
    return f"{token} {epoch}\n" + json.dumps(
        [[list(k) if isinstance(k, tuple) else k, t] for k, t in entries], separators=(",", ":")
    )


def decode_batch(data: str) -> tuple[str, int, list[tuple[object, str]]]:
    """The inverse of ``encode_batch``; ``ValueError`` for anything else."""
    head, _, body = data.partition("\n")
    token, _, epoch = head.partition(" ")
    entries = json.loads(body)
    if not isinstance(entries, list):
        raise ValueError("batch is not a list")
    out = []
    for key, text in entries:
        if not isinstance(text, str):
            raise ValueError("entry text is not a string")
        out.append((tuple(key) if isinstance(key, list) else key, text))
    return token, int(epoch), out


def last_seq(entries) -> int | None:
    """The ``seq`` of a batch's last message (every room message has one)."""
    try:
        return int(json.loads(entries[-1][1])["seq"])
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def encode_ops(token: str, epoch: int, ops: list[dict]) -> str:
    """One Redis message of ops for other processes (not for windows): ``TOKEN EPOCH ops\\n``
    then the ops as a JSON list; each op names its process in ``to``."""
    return f"{token} {epoch} ops\n" + json.dumps(ops, separators=(",", ":"))


def decode_ops(data: str) -> tuple[str, int, list[dict]]:
    """The inverse of ``encode_ops``; ``ValueError`` for anything else."""
    head, _, body = data.partition("\n")
    token, epoch, kind = head.split(" ")
    ops = json.loads(body)
    if kind != "ops" or not isinstance(ops, list) or not all(isinstance(o, dict) for o in ops):
        raise ValueError("not an ops message")
    return token, int(epoch), ops


def is_ops(data: str) -> bool:
    return data.partition("\n")[0].endswith(" ops")
