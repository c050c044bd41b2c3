"""The /healthz document (also what the dashboard shows)."""

import time

from . import __version__


def health(hub) -> dict:
    rooms = []
    for name, room in hub.rooms.items():
        rooms.append(
            {
                "name": name,
                **room.summary(),
                "controllers": [c.info() for c in hub.controllers.values() if c.room_name == name],
                "windows": [w.info() for w in hub.windows.values() if w.room_name == name],
            }
        )
    return {
        "ok": True,
        "version": __version__,
        "uptime_s": round(time.monotonic() - hub.started, 1),
        "controllers": len(hub.controllers),
        "windows": len(hub.windows),
        "default_room": hub.cfg.room,
        "rooms": rooms,
    }
