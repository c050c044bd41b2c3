"""Ops between hub processes on a room's channel (``--redis``): what the owner tells a follower
about one of its clients (a controller's feedback, a connection another one replaced) or every
follower about the room (its recent chat and kill feed). Windows never see them.

A Redis message is either a batch of room messages (hub/redisbus.py) or one of these: the
header ``TOKEN EPOCH ops``, then the ops as a JSON list; each op names its process in ``to``
(``*``: every process). Fenced by the epoch like a batch.
"""

import json


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
