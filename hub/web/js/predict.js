// Present-time prediction with smooth correction: pure (no DOM, no clock of its own; every
// method takes hub times in ms), so Node tests drive it with made-up times.
//
// The hub is authoritative; its `state` messages say where everything was. Every window also
// gets every player's input the moment the hub applies it (`move`, `blink`, `shoot`), so this
// module draws the world *now*: each player's last authoritative position, moved by the sticks
// it received since, under the hub's rules (from `welcome.rules`, never copied here). When a
// state disagrees with what was predicted, the difference becomes an offset that fades over a
// few frames; a jump longer than a teleport threshold (blink, respawn, new round) snaps.

// A correction's offset fades as e^(-dt / BLEND_MS), dt counted on the hub clock from the
// state's stamp (so every window draws the same blend at the same hub time): half of it is gone
// after ~17 ms, 95 % after 75 ms (four or five frames).
export const BLEND_MS = 25;
// Below this (world units) an offset is dropped: at rest the window shows the hub's exact numbers.
export const REST_UNITS = 0.05;
const EPOCH_KEEP_MS = 2000;
const FORGET_SHOT_MS = 3000;

import { Arena } from "./arena.js";

export class Predictor {
  /** `rules`: the hub's `welcome.rules` (arena_w, arena_h, tick_hz, radius, speed, ...). */
  constructor(rules) {
    this.rules = rules;
    this.snapUnits = 3 * rules.radius; // a larger disagreement is a teleport, not an error
    // The map's walls and pillars block moves and shots, as on the hub (arena.js mirrors it).
    this.arena = rules.map?.obstacles?.length ? Arena.fromWire(rules.map) : null;
    this.reset();
  }

  /** Forget everything (a new connection: the hub's clock, ids and ticks may have restarted). */
  reset() {
    this.latest = null; // the newest state, as received
    this.players = new Map(); // id -> {base, at: {x, y, t}, sticks: [{t, x, y}], err: {x, y}}
    this.shots = new Map(); // projectile id -> {p, t, seq, fromState}
    this.epochs = []; // [{t, e}]: hub time minus tick time, per state (see simTime)
    this.epoch = null; // hub time of tick 0, estimated
    this.lastT = -Infinity; // render time of the last sample()
    this.newest = -Infinity; // the newest hub time seen on any message
  }

  /**
   * Hub time (ms) that a state's positions are for: its `tick_t` (the hub time of its game
   * clock). The hub stamps `t` when it sends; the positions are from its last fixed step, up to
   * a tick earlier. From an older hub without `tick_t`: tick k happens at epoch + k / tick_hz,
   * every stamp is at or after that, so the smallest (t - tick time) of the last seconds is the
   * best estimate of the epoch (a hub that stalled and skipped ticks fools it for 2 s).
   */
  simTime(state, t) {
    if (Number.isFinite(state.tick_t)) return Math.min(t, state.tick_t);
    if (!Number.isFinite(state.tick)) return t;
    const e = t - (state.tick * 1000) / this.rules.tick_hz;
    this.epochs.push({ t, e });
    while (this.epochs.length > 1 && this.epochs[0].t < t - EPOCH_KEEP_MS) this.epochs.shift();
    this.epoch = Math.min(...this.epochs.map((x) => x.e));
    return this.epoch + (state.tick * 1000) / this.rules.tick_hz;
  }

  /**
   * Hub time from which an event the hub stamped `t` counts in its game. The hub applies an
   * input at its next fixed step, and that step moves everything by a whole tick, from the
   * game clock's time before it: the event's `tick_t`. Predicting from there (rather than from
   * `t`) keeps the prediction on the hub's own path, so states rarely need to correct it.
   * Without `tick_t` (an older hub), the start of the tick `t` falls in, by the epoch estimate.
   */
  stepTime(t, tickT = null) {
    if (Number.isFinite(tickT)) return Math.min(t, tickT);
    if (this.epoch === null) return t;
    const ms = 1000 / this.rules.tick_hz;
    return this.epoch + Math.floor((t - this.epoch) / ms) * ms;
  }

  /** An authoritative state stamped `t` (hub ms). Older or duplicate states are dropped. */
  push(state, t) {
    if (this.latest && t <= this.latest.t) return false;
    const ts = this.simTime(state, t);
    const seen = new Set();
    for (const p of state.players) {
      seen.add(p.id);
      let q = this.players.get(p.id);
      if (!q) {
        q = { sticks: [], err: NO_OFFSET };
        this.players.set(p.id, q);
      }
      // Every move received so far came before this state; a stick that differs from the last
      // of them was set without a move (joined late, controller gone): take the state's.
      const last = q.sticks.at(-1);
      if (Array.isArray(p.stick) && (!last || last.x !== p.stick[0] || last.y !== p.stick[1])) {
        q.sticks.push({ t: last ? Math.max(t, last.t) : ts, x: p.stick[0], y: p.stick[1] });
      }
      this._reanchor(q, { ...p }, { x: p.x, y: p.y, t: ts }, t);
    }
    for (const id of [...this.players.keys()]) if (!seen.has(id)) this.players.delete(id);
    this._syncShots(state, t, ts);
    this.latest = { ...state, t };
    this._saw(t);
    return true;
  }

  /** A `move` (stick -1000..1000) the hub received at hub time `t`. */
  noteMove(id, x, y, t, tickT = null) {
    const q = this.players.get(id);
    this._saw(t);
    if (!q) return;
    q.sticks.push({ t: this.stepTime(t, tickT), x, y });
    q.sticks.sort((a, b) => a.t - b.t);
  }

  /** A `blink` received at `t`: the player is at `to` from then on, drawn there at once.
   * (Messages arrive in the hub's order: a blink is newer than every state before it.) */
  noteBlink(id, to, t, tickT = null) {
    const q = this.players.get(id);
    this._saw(t);
    if (!q) return;
    const base = { ...q.base, blink_cd: this.rules.blink_cd_ms };
    const from = this.stepTime(t, tickT);
    this._reanchor(q, base, { x: to[0], y: to[1], t: from }, from, true);
  }

  /** A `shoot`: its projectile {id, owner, x, y, vx, vy} was fired at `t`; `seq` orders it. */
  noteShot(projectile, t, seq = null, tickT = null) {
    this._saw(t);
    const from = this.stepTime(t, tickT);
    if (!this.shots.has(projectile.id)) this.shots.set(projectile.id, { p: projectile, t: from, seq });
    const q = this.players.get(projectile.owner);
    if (q) {
      q.base = { ...q.base, shoot_cd: this.rules.shoot_cd_ms };
      q.cdFrom = from;
    }
  }

  /** A `hit` on player `id` by `by` at `t`: that shooter's nearest shot is spent; HP is known. */
  noteHit(id, by, hp, dead, stamp, tickT = null) {
    this._saw(stamp);
    const t = this.stepTime(stamp, tickT);
    const q = this.players.get(id);
    if (!q) return;
    const at = this._position(q, t);
    let nearest = null;
    let best = Infinity;
    for (const [sid, s] of this.shots) {
      if (s.p.owner !== by || s.t > t || s.endAt) continue;
      const [x, y] = flown(s, t);
      const d = Math.hypot(x - at.x, y - at.y);
      if (d < best) [nearest, best] = [sid, d];
    }
    if (nearest !== null) this._end(nearest, flown(this.shots.get(nearest), t));
    if (dead && q.base.alive) q.at = { ...at, t }; // knocked out where it stood, not at the anchor
    q.base = { ...q.base, hp, alive: q.base.alive && !dead };
  }

  /** The world at hub time `t`: {t, base, players: [{...player, x, y}], projectiles}; null
   * before the first state. Never earlier than a message already received (the hub was there). */
  sample(t) {
    if (!this.latest) return null;
    let rt = Math.max(t, this.newest);
    if (rt < this.lastT && rt > this.lastT - 100) rt = this.lastT; // small clock steps back
    const players = [];
    for (const [id, q] of this.players) {
      const at = this._drawn(q, rt);
      if (q.err.x !== 0 || q.err.y !== 0) {
        const left = offset(q.err, rt);
        if (Math.hypot(left.x, left.y) < REST_UNITS) q.err = NO_OFFSET;
      }
      const since = rt - (q.cdFrom ?? q.at.t);
      players.push({
        ...q.base,
        id,
        x: at.x,
        y: at.y,
        blink_cd: Math.max(0, (q.base.blink_cd ?? 0) - (rt - q.at.t)),
        shoot_cd: Math.max(0, (q.base.shoot_cd ?? 0) - since),
      });
      this._prune(q);
    }
    this.lastT = rt;
    return { t: rt, base: this.latest, players, projectiles: this._projectiles(rt) };
  }

  // ---- internals ----

  _saw(t) {
    if (Number.isFinite(t) && t > this.newest) this.newest = t;
  }

  /** New authority for a player at hub time `t`: what was drawn for `t` and what the new
   * authority says for `t` differ by an offset that fades from `t` on; a teleport (a jump past
   * the threshold, a death or respawn, or `snap`) has none. Only hub times go in, so windows
   * that received the same messages draw the same thing. */
  _reanchor(q, base, at, t, snap = false) {
    const wasAlive = q.base?.alive;
    const before = q.at ? this._drawn(q, t) : null;
    q.base = base;
    q.at = at;
    q.cdFrom = null;
    q.err = NO_OFFSET;
    if (!before || snap || wasAlive !== base.alive) return;
    const now = this._position(q, t);
    const x = before.x - now.x;
    const y = before.y - now.y;
    const d = Math.hypot(x, y);
    if (d >= REST_UNITS && d <= this.snapUnits) q.err = { x, y, t };
  }

  _drawn(q, t) {
    const at = this._position(q, t);
    const e = offset(q.err, t);
    return { x: at.x + e.x, y: at.y + e.y };
  }

  /** Where the rules put player `q` at hub time `t`: from its anchor, stick by stick. */
  _position(q, t) {
    let { x, y, t: from } = q.at;
    if (!q.base.alive || t <= from) return { x, y };
    let stick = { x: 0, y: 0 };
    for (const s of q.sticks) {
      if (s.t >= t) break;
      if (s.t > from) {
        [x, y] = this._glide(x, y, stick, (s.t - from) / 1000);
        from = s.t;
      }
      stick = s;
    }
    [x, y] = this._glide(x, y, stick, (t - from) / 1000);
    return { x, y };
  }

  /** The hub's movement rule over `s` seconds at one stick value. In the open the walls clamp
   * each axis, so one sum does; with obstacles, tick by tick as the hub steps (pushed out of
   * what it would overlap: stopped by a wall, sliding along it), then the part of a tick. */
  _glide(x, y, stick, s) {
    const r = this.rules;
    const mag = Math.hypot(stick.x, stick.y);
    if (mag <= r.dead_zone) return [x, y];
    const k = (r.speed * Math.min(mag, 1000)) / 1000 / mag;
    if (!this.arena) {
      return [
        clamp(x + stick.x * k * s, r.radius, r.arena_w - r.radius),
        clamp(y + stick.y * k * s, r.radius, r.arena_h - r.radius),
      ];
    }
    const dt = 1 / r.tick_hz;
    let left = s;
    while (left > 1e-9) {
      const d = Math.min(dt, left);
      [x, y] = this.arena.move(x, y, stick.x * k * d, stick.y * k * d, r.radius);
      left -= d;
    }
    return [x, y];
  }

  /** Sticks older than the anchor matter only through the last of them. */
  _prune(q) {
    let i = 0;
    while (i + 1 < q.sticks.length && q.sticks[i + 1].t <= q.at.t) i += 1;
    if (i > 0) q.sticks.splice(0, i);
  }

  /** A state lists the live shots: ones it lacks that were fired before it are gone (a hit, a
   * wall, the range); ones we did not see fired fly on from the state's time. */
  _syncShots(state, t, ts) {
    const live = new Set();
    for (const s of state.projectiles) {
      live.add(s.id);
      if (!this.shots.has(s.id)) this.shots.set(s.id, { p: s, t: ts, seq: state.seq, fromState: true });
    }
    for (const [id, s] of this.shots) {
      if (live.has(id)) continue;
      const before = s.seq !== null && state.seq !== undefined ? s.seq < state.seq : s.t < t;
      if (s.t < t - FORGET_SHOT_MS) this.shots.delete(id);
      else if (before) this._end(id, [s.p.x, s.p.y]);
    }
  }

  /** A shot has ended (a hit at `[x, y]`, or a state without it). One no frame has shown yet
   * (its whole flight fell between two frames, say while the page was busy) is drawn once
   * there first, so every shot a player fires reaches the screen. */
  _end(id, [x, y]) {
    const s = this.shots.get(id);
    if (s.shown) this.shots.delete(id);
    else s.endAt ??= { x, y };
  }

  /** A wall or pillar stopped the shot on its way here (the hub's first path starts at the
   * shooter's centre, `radius + shot_radius` behind the spawn point). */
  _walled(s, x, y) {
    const r = this.rules;
    const v = Math.hypot(s.p.vx, s.p.vy) || 1;
    const back = s.fromState ? 0 : r.radius + r.shot_radius;
    const x0 = s.p.x - (s.p.vx / v) * back;
    const y0 = s.p.y - (s.p.vy / v) * back;
    return this.arena.sweep(x0, y0, x, y, r.shot_radius) < 1;
  }

  _projectiles(rt) {
    const r = this.rules;
    const out = [];
    for (const [id, s] of this.shots) {
      if (s.endAt) {
        this.shots.delete(id);
        out.push({ ...s.p, x: clamp(s.endAt.x, 0, r.arena_w), y: clamp(s.endAt.y, 0, r.arena_h) });
        continue;
      }
      if (rt < s.t) continue;
      const [x, y] = flown(s, rt);
      const spent = !s.fromState && (r.shot_speed * (rt - s.t)) / 1000 > r.shot_range;
      const out_of_arena = x < 0 || x > r.arena_w || y < 0 || y > r.arena_h;
      if (spent || out_of_arena || (this.arena && this._walled(s, x, y))) {
        // A shot fired point-blank into a wall or the edge stops before any frame could show
        // it in flight: it is still drawn once, where it was fired, so every shot is seen.
        if (!s.shown) out.push({ ...s.p, x: clamp(s.p.x, 0, r.arena_w), y: clamp(s.p.y, 0, r.arena_h) });
        s.shown = true;
        continue;
      }
      s.shown = true;
      out.push({ ...s.p, x, y });
    }
    return out;
  }
}

const NO_OFFSET = { x: 0, y: 0, t: 0 };

/** A correction's offset left at hub time `t`. */
function offset(err, t) {
  const k = Math.exp(-Math.max(0, t - err.t) / BLEND_MS);
  return { x: err.x * k, y: err.y * k };
}

function flown(s, t) {
  const k = Math.max(0, t - s.t) / 1000;
  return [s.p.x + s.p.vx * k, s.p.y + s.p.vy * k];
}

function clamp(v, lo, hi) {
  return v < lo ? lo : v > hi ? hi : v;
}
