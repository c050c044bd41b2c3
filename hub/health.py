"""The /healthz document (also what the dashboard shows).

``detail=False`` (a LAN client without the pairing code) gets counts only: no device ids,
window ids, player names, scores or addresses. What it gets is a whitelist, so a field added to
the room or round summary later stays out until it is added here.
"""

import time

from . import __version__

ROOM_COUNTS = ("players", "tick")
ROUND_COUNTS = ("n", "time_left", "score_limit", "phase", "phase_left", "min_players")


def health(hub, detail: bool = True) -> dict:
    """With ``--redis``, every room of the cluster (hub/registry.py): a room with no client on
    this process shows its owner's summary, and no controllers or windows here."""
    rooms = []
    summaries = {name: room.summary() for name, room in hub.rooms.items()}
    for name, info in hub.cluster_rooms().items():
        summaries.setdefault(name, info)
    for name, summary in summaries.items():
        controllers = [c for c in hub.controllers.values() if c.room_name == name]
        windows = [w for w in hub.windows.values() if w.room_name == name]
        if detail:
            entry = {"name": name, **summary}
            entry["controllers"] = [c.info() for c in controllers]
            entry["windows"] = [w.info() for w in windows]
            links = hub.cluster_links(name)
            if links:  # --redis: every player's link, wherever it is connected
                entry["links"] = links
        else:
            entry = {"name": name, **{k: summary[k] for k in ROOM_COUNTS if k in summary}}
            entry["round"] = {k: v for k, v in summary["round"].items() if k in ROUND_COUNTS}
        entry["controller_count"] = len(controllers)
        entry["window_count"] = len(windows)
        rooms.append(entry)
    return {
        "ok": True,
        "version": __version__,
        "uptime_s": round(time.monotonic() - hub.started, 1),
        "controllers": len(hub.controllers),
        "windows": len(hub.windows),
        "default_room": hub.cfg.room,
        "detail": detail,
        "rooms": rooms,
    }
