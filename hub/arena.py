"""Arena geometry: the walls and pillars that block movement, shots and blinks. Pure.

An ``Arena`` is a ``w`` x ``h`` rectangle of world units holding obstacles: axis-aligned walls
(``Wall``: top-left corner, width, height) and round pillars (``Pillar``: centre, radius). Moving
things are circles. Three questions are answered here, the same way on the hub and in the page
(hub/web/js/arena.js mirrors this file, checked against tests/vectors/arena_v1.json):

- ``push_out``: where a circle that overlaps something goes (the nearest free spot); a player
  moving into a wall slides along it.
- ``sweep``: how far along a straight path a circle gets before it first touches something
  (shots stop there; a blink ends there).
- ``blink``: a teleport along a path that stops short of the first obstacle or the arena edge,
  so it never ends inside either.
"""

import math

_EPS = 1e-9
_TOUCH = 1e-6  # world units: a circle pushed out to exactly touching counts as touching
BACKOFF = 0.5  # a blink stops this far before contact, so it never ends touching a wall


class Wall:
    kind = "wall"

    def __init__(self, x, y, w, h):
        if w <= 0 or h <= 0:
            raise ValueError(f"a wall needs a positive size, got {w} x {h}")
        self.x, self.y, self.w, self.h = x, y, w, h

    def to_wire(self):
        return {"kind": "wall", "x": self.x, "y": self.y, "w": self.w, "h": self.h}

    def closest(self, px, py):
        """The point of the wall (its inside included) nearest to (px, py)."""
        return _clamp(px, self.x, self.x + self.w), _clamp(py, self.y, self.y + self.h)

    def push(self, px, py, r):
        """(px, py) moved the least distance that puts a circle of radius r outside the wall."""
        qx, qy = self.closest(px, py)
        dx, dy = px - qx, py - qy
        d = math.hypot(dx, dy)
        if d >= r:
            return px, py
        if d > _EPS:
            return qx + dx / d * r, qy + dy / d * r
        # The centre is inside: leave through the nearest side.
        left, right = px - self.x, self.x + self.w - px
        top, bottom = py - self.y, self.y + self.h - py
        m = min(left, right, top, bottom)
        if m == left:
            return self.x - r, py
        if m == right:
            return self.x + self.w + r, py
        if m == top:
            return px, self.y - r
        return px, self.y + self.h + r

    def enter(self, x0, y0, dx, dy, r):
        """First t >= 0 where a circle of radius r at (x0 + t dx, y0 + t dy) touches the wall.

        The shape it touches is the wall grown by r: two boxes (grown along x, along y) and a
        circle at each corner. Starting in touch counts as t = 0 when moving inwards; moving
        along or away never enters (the grown shape is convex), which lets a blink slide along.
        """
        qx, qy = self.closest(x0, y0)
        touching = _touching(x0 - qx, y0 - qy, dx, dy, r)
        if touching is not False:
            return touching
        x, y, w, h = self.x, self.y, self.w, self.h
        best = _min(
            _box_enter(x0, y0, dx, dy, x - r, y, x + w + r, y + h),
            _box_enter(x0, y0, dx, dy, x, y - r, x + w, y + h + r),
        )
        for cx, cy in ((x, y), (x + w, y), (x, y + h), (x + w, y + h)):
            best = _min(best, _circle_enter(x0, y0, dx, dy, cx, cy, r))
        return best


class Pillar:
    kind = "pillar"

    def __init__(self, x, y, r):
        if r <= 0:
            raise ValueError(f"a pillar needs a positive radius, got {r}")
        self.x, self.y, self.r = x, y, r

    def to_wire(self):
        return {"kind": "pillar", "x": self.x, "y": self.y, "r": self.r}

    def push(self, px, py, r):
        reach = self.r + r
        dx, dy = px - self.x, py - self.y
        d = math.hypot(dx, dy)
        if d >= reach:
            return px, py
        if d <= _EPS:
            return self.x + reach, py  # exactly on the centre: any way out will do, pick +x
        return self.x + dx / d * reach, self.y + dy / d * reach

    def enter(self, x0, y0, dx, dy, r):
        reach = self.r + r
        touching = _touching(x0 - self.x, y0 - self.y, dx, dy, reach)
        if touching is not False:
            return touching
        return _circle_enter(x0, y0, dx, dy, self.x, self.y, reach)


class Arena:
    """The playing field: bounds plus obstacles. ``name`` is what ``--map`` selects."""

    def __init__(self, name, w, h, obstacles=()):
        self.name, self.w, self.h = name, w, h
        self.obstacles = list(obstacles)

    def to_wire(self):
        return {"name": self.name, "w": self.w, "h": self.h,
                "obstacles": [o.to_wire() for o in self.obstacles]}  # fmt: skip

    def clamp(self, x, y, r):
        return _clamp(x, r, self.w - r), _clamp(y, r, self.h - r)

    def free(self, x, y, r, margin=0.0):
        """True when a circle of radius r (plus margin) is inside the bounds and touches nothing."""
        rr = r + margin
        if not (rr <= x <= self.w - rr and rr <= y <= self.h - rr):
            return False
        return all(o.push(x, y, rr) == (x, y) for o in self.obstacles)

    def push_out(self, x, y, r):
        """The free spot for a circle of radius r at (x, y): pushed out of obstacles, clamped.

        A few passes settle a circle caught in a corner between two walls; maps keep gaps wide
        enough (tests/hub/test_hub_arena.py) that no spot needs more.
        """
        x, y = self.clamp(x, y, r)
        for _ in range(4):
            moved = False
            for o in self.obstacles:
                nx, ny = o.push(x, y, r)
                if (nx, ny) != (x, y):
                    x, y = self.clamp(nx, ny, r)
                    moved = True
            if not moved:
                break
        return x, y

    def move(self, x, y, dx, dy, r):
        """A circle's position after moving by (dx, dy): blocked by walls, sliding along them."""
        return self.push_out(x + dx, y + dy, r)

    def sweep(self, x0, y0, x1, y1, r):
        """Fraction 0..1 of the path (x0, y0) -> (x1, y1) a circle of radius r travels before it
        first touches an obstacle; 1.0 when the path is clear. Bounds are not checked."""
        dx, dy = x1 - x0, y1 - y0
        best = 1.0
        for o in self.obstacles:
            t = o.enter(x0, y0, dx, dy, r)
            if t is not None and t < best:
                best = t
        return best

    def blink(self, x, y, ux, uy, dist, r):
        """Where a blink of up to ``dist`` along the unit direction (ux, uy) ends: short of the
        first obstacle and of the arena edge, never inside either."""
        t = dist
        if ux > _EPS:
            t = min(t, (self.w - r - x) / ux)
        elif ux < -_EPS:
            t = min(t, (r - x) / ux)
        if uy > _EPS:
            t = min(t, (self.h - r - y) / uy)
        elif uy < -_EPS:
            t = min(t, (r - y) / uy)
        t = max(0.0, t)
        if t > 0:
            f = self.sweep(x, y, x + ux * t, y + uy * t, r)
            if f < 1.0:
                t = max(0.0, f * t - BACKOFF)
        return self.push_out(x + ux * t, y + uy * t, r)


def _clamp(v, lo, hi):
    return lo if v < lo else hi if v > hi else v


def _min(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _touching(ox, oy, dx, dy, reach):
    """For a start (ox, oy) away from the nearest point of a convex obstacle: False when not in
    touch (reach away or more), else 0.0 if the move goes inwards, None if it never enters."""
    d2 = ox * ox + oy * oy
    if d2 > (reach + _TOUCH) ** 2:
        return False
    if d2 <= _EPS or ox * dx + oy * dy < 0:
        return 0.0
    return None


def _box_enter(x0, y0, dx, dy, x1, y1, x2, y2):
    """Entry t >= 0 of the ray (x0, y0) + t (dx, dy) into the box, or None (slab method)."""
    lo, hi = 0.0, math.inf
    for p, d, a, b in ((x0, dx, x1, x2), (y0, dy, y1, y2)):
        if abs(d) < _EPS:
            if p < a or p > b:
                return None
            continue
        ta, tb = (a - p) / d, (b - p) / d
        if ta > tb:
            ta, tb = tb, ta
        lo, hi = max(lo, ta), min(hi, tb)
        if lo > hi:
            return None
    return lo


def _circle_enter(x0, y0, dx, dy, cx, cy, reach):
    """Smallest t >= 0 where (x0, y0) + t (dx, dy) is ``reach`` from (cx, cy), or None."""
    fx, fy = x0 - cx, y0 - cy
    a = dx * dx + dy * dy
    if a < _EPS:
        return None
    b = 2 * (fx * dx + fy * dy)
    c = fx * fx + fy * fy - reach * reach
    disc = b * b - 4 * a * c
    if disc < 0:
        return None
    t = (-b - math.sqrt(disc)) / (2 * a)
    return t if t >= 0 else None
