// Arena geometry in the page: the hub's hub/arena.py, line for line, so a window predicting
// the game moves players, stops shots and ends blinks exactly where the hub will. The map comes
// from welcome.rules.map; both sides are checked against tests/vectors/arena_v1.json.
//
//   const arena = Arena.fromWire(welcome.rules.map);
//   [x, y] = arena.move(x, y, dx, dy, rules.radius);            // blocked, sliding
//   const f = arena.sweep(x0, y0, x1, y1, rules.shot_radius);    // 0..1 of the path, 1 = clear
//   [x, y] = arena.blink(x, y, ux, uy, rules.blink_dist, rules.radius);

const EPS = 1e-9;
const TOUCH = 1e-6;
export const BACKOFF = 0.5;

const clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);
const minOf = (a, b) => (a === null ? b : b === null ? a : Math.min(a, b));

/** False when not in touch, else 0 if the move goes inwards, null if it never enters. */
function touching(ox, oy, dx, dy, reach) {
  const d2 = ox * ox + oy * oy;
  if (d2 > (reach + TOUCH) ** 2) return false;
  if (d2 <= EPS || ox * dx + oy * dy < 0) return 0;
  return null;
}

function boxEnter(x0, y0, dx, dy, x1, y1, x2, y2) {
  let lo = 0;
  let hi = Infinity;
  for (const [p, d, a, b] of [
    [x0, dx, x1, x2],
    [y0, dy, y1, y2],
  ]) {
    if (Math.abs(d) < EPS) {
      if (p < a || p > b) return null;
      continue;
    }
    let ta = (a - p) / d;
    let tb = (b - p) / d;
    if (ta > tb) [ta, tb] = [tb, ta];
    lo = Math.max(lo, ta);
    hi = Math.min(hi, tb);
    if (lo > hi) return null;
  }
  return lo;
}

function circleEnter(x0, y0, dx, dy, cx, cy, reach) {
  const fx = x0 - cx;
  const fy = y0 - cy;
  const a = dx * dx + dy * dy;
  if (a < EPS) return null;
  const b = 2 * (fx * dx + fy * dy);
  const c = fx * fx + fy * fy - reach * reach;
  const disc = b * b - 4 * a * c;
  if (disc < 0) return null;
  const t = (-b - Math.sqrt(disc)) / (2 * a);
  return t >= 0 ? t : null;
}

export class Wall {
  constructor(x, y, w, h) {
    Object.assign(this, { kind: "wall", x, y, w, h });
  }

  closest(px, py) {
    return [clamp(px, this.x, this.x + this.w), clamp(py, this.y, this.y + this.h)];
  }

  push(px, py, r) {
    const [qx, qy] = this.closest(px, py);
    const dx = px - qx;
    const dy = py - qy;
    const d = Math.hypot(dx, dy);
    if (d >= r) return [px, py];
    if (d > EPS) return [qx + (dx / d) * r, qy + (dy / d) * r];
    const left = px - this.x;
    const right = this.x + this.w - px;
    const top = py - this.y;
    const bottom = this.y + this.h - py;
    const m = Math.min(left, right, top, bottom);
    if (m === left) return [this.x - r, py];
    if (m === right) return [this.x + this.w + r, py];
    if (m === top) return [px, this.y - r];
    return [px, this.y + this.h + r];
  }

  enter(x0, y0, dx, dy, r) {
    const [qx, qy] = this.closest(x0, y0);
    const t0 = touching(x0 - qx, y0 - qy, dx, dy, r);
    if (t0 !== false) return t0;
    const { x, y, w, h } = this;
    let best = minOf(
      boxEnter(x0, y0, dx, dy, x - r, y, x + w + r, y + h),
      boxEnter(x0, y0, dx, dy, x, y - r, x + w, y + h + r),
    );
    for (const [cx, cy] of [
      [x, y],
      [x + w, y],
      [x, y + h],
      [x + w, y + h],
    ]) {
      best = minOf(best, circleEnter(x0, y0, dx, dy, cx, cy, r));
    }
    return best;
  }
}

export class Pillar {
  constructor(x, y, r) {
    Object.assign(this, { kind: "pillar", x, y, r });
  }

  push(px, py, r) {
    const reach = this.r + r;
    const dx = px - this.x;
    const dy = py - this.y;
    const d = Math.hypot(dx, dy);
    if (d >= reach) return [px, py];
    if (d <= EPS) return [this.x + reach, py];
    return [this.x + (dx / d) * reach, this.y + (dy / d) * reach];
  }

  enter(x0, y0, dx, dy, r) {
    const reach = this.r + r;
    const t0 = touching(x0 - this.x, y0 - this.y, dx, dy, reach);
    if (t0 !== false) return t0;
    return circleEnter(x0, y0, dx, dy, this.x, this.y, reach);
  }
}

export class Arena {
  constructor(name, w, h, obstacles = []) {
    Object.assign(this, { name, w, h, obstacles });
  }

  /** From welcome.rules.map; unknown kinds and non-numbers are dropped, not trusted. */
  static fromWire(map) {
    const num = (...v) => v.every(Number.isFinite);
    const obstacles = [];
    for (const o of map?.obstacles ?? []) {
      if (o?.kind === "wall" && num(o.x, o.y, o.w, o.h) && o.w > 0 && o.h > 0) {
        obstacles.push(new Wall(o.x, o.y, o.w, o.h));
      } else if (o?.kind === "pillar" && num(o.x, o.y, o.r) && o.r > 0) {
        obstacles.push(new Pillar(o.x, o.y, o.r));
      }
    }
    return new Arena(map?.name ?? "open", map?.w ?? 1600, map?.h ?? 900, obstacles);
  }

  clamp(x, y, r) {
    return [clamp(x, r, this.w - r), clamp(y, r, this.h - r)];
  }

  free(x, y, r, margin = 0) {
    const rr = r + margin;
    if (!(rr <= x && x <= this.w - rr && rr <= y && y <= this.h - rr)) return false;
    return this.obstacles.every((o) => {
      const [px, py] = o.push(x, y, rr);
      return px === x && py === y;
    });
  }

  pushOut(x, y, r) {
    [x, y] = this.clamp(x, y, r);
    for (let pass = 0; pass < 4; pass++) {
      let moved = false;
      for (const o of this.obstacles) {
        const [nx, ny] = o.push(x, y, r);
        if (nx !== x || ny !== y) {
          [x, y] = this.clamp(nx, ny, r);
          moved = true;
        }
      }
      if (!moved) break;
    }
    return [x, y];
  }

  move(x, y, dx, dy, r) {
    return this.pushOut(x + dx, y + dy, r);
  }

  sweep(x0, y0, x1, y1, r) {
    const dx = x1 - x0;
    const dy = y1 - y0;
    let best = 1;
    for (const o of this.obstacles) {
      const t = o.enter(x0, y0, dx, dy, r);
      if (t !== null && t < best) best = t;
    }
    return best;
  }

  blink(x, y, ux, uy, dist, r) {
    let t = dist;
    if (ux > EPS) t = Math.min(t, (this.w - r - x) / ux);
    else if (ux < -EPS) t = Math.min(t, (r - x) / ux);
    if (uy > EPS) t = Math.min(t, (this.h - r - y) / uy);
    else if (uy < -EPS) t = Math.min(t, (r - y) / uy);
    t = Math.max(0, t);
    if (t > 0) {
      const f = this.sweep(x, y, x + ux * t, y + uy * t, r);
      if (f < 1) t = Math.max(0, f * t - BACKOFF);
    }
    return this.pushOut(x + ux * t, y + uy * t, r);
  }
}
