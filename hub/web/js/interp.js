// Interpolation between hub states: pure (no DOM, no clock), so Node tests can drive it.
//
// The hub sends full states state_hz times a second, each stamped with hub time `t`. A window
// draws the world as it was DELAY ms ago on the hub clock, between the two states around that
// moment. When the render time passes the newest state it holds that state exactly (no
// extrapolation), so once nothing moves every window shows the hub's positions.

export const DELAY_MS = 100;
// A jump longer than this between two states is a blink or respawn: snap, never slide.
export const TELEPORT_UNITS = 90;
const KEEP_STATES = 30;
const KEEP_BLINK_MS = 2000;

export class Interpolator {
  constructor() {
    this.states = []; // ascending by t
    this.blinks = new Map(); // player id -> {to, t}: drawn at `to` until render time reaches t
    this.shots = new Map(); // projectile id -> {p, t} from shoot events
    this.born = new Map(); // projectile id -> hub time it was fired
  }

  /** Add a hub state; `t` is its hub time (ms). Out-of-order or duplicate states are dropped. */
  push(state, t) {
    const last = this.states.at(-1);
    if (last && t <= last.t) return false;
    this.states.push({ t, state, players: new Map(state.players.map((p) => [p.id, p])) });
    if (this.states.length > KEEP_STATES) this.states.shift();
    return true;
  }

  /** Forget everything (e.g. after reconnecting to a restarted hub whose clock and ids reset). */
  reset() {
    this.states = [];
    this.blinks.clear();
    this.shots.clear();
    this.born.clear();
  }

  get latest() {
    return this.states.at(-1)?.state ?? null;
  }

  /** A blink arrived (before the state that shows it): draw the player at `to` at once. */
  noteBlink(id, to, t) {
    this.blinks.set(id, { to, t });
  }

  /** A shot arrived: draw its projectile from hub time `t` until states carry it. */
  noteShot(projectile, t) {
    this.shots.set(projectile.id, { p: projectile, t });
    this.born.set(projectile.id, t);
  }

  /**
   * The world at hub time `rt`: {players: [..., with drawn x/y], projectiles: [...]}; null
   * before the first state.
   */
  sample(rt) {
    const n = this.states.length;
    if (n === 0) return null;
    let i = n - 1;
    while (i > 0 && this.states[i].t > rt) i -= 1;
    const a = this.states[i];
    const b = i + 1 < n ? this.states[i + 1] : null;
    const alpha = b && rt > a.t ? Math.min(1, (rt - a.t) / (b.t - a.t)) : 0;
    const players = [];
    for (const p of a.state.players) {
      players.push(this._player(p, b?.players.get(p.id), alpha, rt));
    }
    const projectiles = this._projectiles(a, b, alpha, rt);
    this._forget(rt);
    return { t: rt, base: a.state, players, projectiles };
  }

  _player(p, q, alpha, rt) {
    let x = p.x;
    let y = p.y;
    if (q && alpha > 0) {
      const far = Math.hypot(q.x - p.x, q.y - p.y) > TELEPORT_UNITS;
      x = far ? q.x : p.x + (q.x - p.x) * alpha;
      y = far ? q.y : p.y + (q.y - p.y) * alpha;
    }
    const blink = this.blinks.get(p.id);
    if (blink && blink.t > rt) [x, y] = blink.to;
    return { ...p, x, y };
  }

  _projectiles(a, b, alpha, rt) {
    const out = [];
    const seen = new Set();
    for (const s of a.state.projectiles) {
      seen.add(s.id);
      const q = b?.state.projectiles.find((o) => o.id === s.id);
      if (q) {
        out.push({ ...s, x: s.x + (q.x - s.x) * alpha, y: s.y + (q.y - s.y) * alpha });
      } else if (b) {
        // Gone by the next state (hit or out of range): fly on until that state's time.
        out.push(advance(s, rt - a.t));
      } else {
        out.push(s);
      }
    }
    if (b) {
      for (const q of b.state.projectiles) {
        if (seen.has(q.id)) continue;
        if (rt >= (this.born.get(q.id) ?? a.t)) out.push(advance(q, rt - b.t));
        seen.add(q.id);
      }
    }
    // Shots newer than the state we draw from: fly them from their own time. Once that state is
    // newer than a shot, the states tell (it is in them, or it is already gone: a wall, a hit).
    for (const [id, { p, t }] of this.shots) {
      if (!seen.has(id) && rt >= t && a.t < t) out.push(advance(p, rt - t));
    }
    return out;
  }

  _forget(rt) {
    for (const [id, b] of this.blinks) if (b.t <= rt - KEEP_BLINK_MS) this.blinks.delete(id);
    for (const [id, t] of this.born) if (t <= rt - KEEP_BLINK_MS) this.born.delete(id);
    for (const [id, s] of this.shots) if (s.t <= rt - KEEP_BLINK_MS) this.shots.delete(id);
  }
}

function advance(s, ms) {
  return { ...s, x: s.x + (s.vx * ms) / 1000, y: s.y + (s.vy * ms) / 1000 };
}
