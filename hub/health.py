"""The /healthz document (also what the dashboard shows).

``detail=False`` (a LAN client without the pairing code) gets counts only: no device ids,
window ids, player names or addresses.
"""

import time

from . import __version__


def health(hub, detail: bool = True) -> dict:
    rooms = []
    for name, room in hub.rooms.items():
        controllers = [c for c in hub.controllers.values() if c.room_name == name]
        windows = [w for w in hub.windows.values() if w.room_name == name]
        entry = {
            "name": name,
            **room.summary(),
            "controller_count": len(controllers),
            "window_count": len(windows),
        }
        if detail:
            entry["controllers"] = [c.info() for c in controllers]
            entry["windows"] = [w.info() for w in windows]
        else:
            entry["round"] = {k: v for k, v in entry["round"].items() if k != "last_winner"}
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
