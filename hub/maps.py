"""The maps ``--map`` chooses from, as data: every one is 1600 x 900 world units and mirror
symmetric left to right (and top to bottom), so no side of the arena is better than another.

Obstacles are ``Wall(x, y, w, h)`` (top-left corner and size) and ``Pillar(x, y, r)``. Every gap
between two obstacles, or between an obstacle and the edge, is either closed or wide enough
for a player to pass; tests/hub/test_hub_arena.py checks that the free space is one connected
region and that there is room to spawn.
"""

from .arena import Arena, Pillar, Wall

W, H = 1600, 900
DEFAULT = "pillars"


def _mirror(obstacles):
    """The obstacles plus their mirror images across the vertical and horizontal middle lines
    (duplicates left out, so an obstacle on a middle line appears once)."""
    out, seen = [], set()
    for o in obstacles:
        if isinstance(o, Wall):
            variants = [
                Wall(x, y, o.w, o.h) for x in (o.x, W - o.x - o.w) for y in (o.y, H - o.y - o.h)
            ]
        else:
            variants = [Pillar(x, y, o.r) for x in (o.x, W - o.x) for y in (o.y, H - o.y)]
        for v in variants:
            key = tuple(v.to_wire().values())
            if key not in seen:
                seen.add(key)
                out.append(v)
    return out


def _open():
    return Arena("open", W, H, [])


def _pillars():
    # A big pillar in the middle, four around it, two guarding the side lanes.
    around = _mirror([Pillar(470, 250, 42), Pillar(210, 450, 34)])
    return Arena("pillars", W, H, [Pillar(800, 450, 70), *around])


def _bunkers():
    # Walls to duck behind on each side, a bar above and below the centre, side blocks.
    return Arena(
        "bunkers",
        W,
        H,
        _mirror(
            [
                Wall(380, 170, 40, 200),  # four vertical walls at the quarter lines
                Wall(690, 290, 220, 40),  # bars above and below the middle
                Wall(120, 430, 90, 40),  # short blocks at the side edges
            ]
        ),
    )


def _crossroads():
    # A plus in the middle, pillars at the four quarter points, L-shaped corners.
    return Arena(
        "crossroads",
        W,
        H,
        [
            Wall(770, 340, 60, 220),
            Wall(680, 420, 240, 60),
            *_mirror(
                [
                    Pillar(420, 240, 40),
                    Wall(170, 120, 170, 36),  # the corner L: a long arm along the top ...
                    Wall(170, 156, 36, 110),  # ... and a short one down the side
                ]
            ),
        ],
    )


MAPS = {"open": _open, "pillars": _pillars, "bunkers": _bunkers, "crossroads": _crossroads}
NAMES = tuple(MAPS)


def load(name: str) -> Arena:
    """A fresh arena for the map ``name``; ValueError naming the choices if there is none."""
    make = MAPS.get(name)
    if make is None:
        raise ValueError(f"unknown map {name!r}; choose one of: {', '.join(NAMES)}")
    return make()
