// Canvas drawing of the arena. The world is ARENA units (1600 x 900 by default) whatever the
// window size: `fit()` scales it to the canvas with letterboxing, and everything is drawn in
// world units through that one transform. Effects (blink trails, hits, muzzle flashes) run on
// the window's own clock so they appear the moment their message arrives.

import { drawObstacles } from "./arena-draw.js";

// Sizes until the hub's welcome brings its rules (setArena); drawing follows the hub's numbers.
const SIZES = { radius: 20, shot_radius: 8, blink_cd_ms: 2000 };
const GRID = 100;
const EFFECT_MS = { blink: 450, hit: 500, death: 900, muzzle: 160 };

/** Scale and offset that fit a w x h world into a cw x ch canvas, centred (letterboxed). */
export function fit(cw, ch, w, h) {
  const scale = Math.min(cw / w, ch / h);
  return { scale, ox: (cw - w * scale) / 2, oy: (ch - h * scale) / 2 };
}

/** Backing-store size of a canvas element: its CSS size times the device pixel ratio. */
export function canvasSize(el) {
  const dpr = globalThis.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(el.clientWidth * dpr));
  const h = Math.max(1, Math.round(el.clientHeight * dpr));
  return { w, h, dpr };
}

/** World coordinates of a point given in CSS pixels, under `view` (from fit) at `dpr`. */
export function toWorld(view, dpr, px, py) {
  return [(px * dpr - view.ox) / view.scale, (py * dpr - view.oy) / view.scale];
}

/**
 * Draws on a canvas element or on an OffscreenCanvas in a worker (render-worker.js). A worker
 * has no layout, so it passes `size`: a function returning {w, h, dpr}, sent by the page.
 */
export class Renderer {
  constructor(canvas, { arena = { w: 1600, h: 900 }, size = () => canvasSize(canvas) } = {}) {
    this.canvas = canvas;
    this.size = size;
    // Opaque: the arena covers every pixel, and the compositor skips blending the canvas.
    this.ctx = canvas.getContext("2d", { alpha: false });
    this.arena = arena;
    this.view = fit(1, 1, arena.w, arena.h);
    this.effects = [];
    this.me = null; // id of this window's keyboard player, drawn with a marker
    this.sizes = SIZES;
  }

  /** The arena (size, obstacles) and the hub's rule constants (welcome.rules: body and shot
   * radius, ...). */
  setArena(arena, rules = null) {
    this.arena = { w: arena.w, h: arena.h, obstacles: arena.obstacles ?? [] };
    this._bgKey = this._drawnKey = null; // the map may have changed: draw the background again
    if (rules) this.sizes = { ...SIZES, ...rules };
  }

  /** Size the backing store to the element's CSS size times the device pixel ratio. */
  resize() {
    const { w, h, dpr } = this.size();
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.view = fit(w, h, this.arena.w, this.arena.h);
    this.dpr = dpr;
  }

  /** World coordinates of a point given in CSS pixels relative to the canvas. */
  toWorld(px, py) {
    return toWorld(this.view, this.dpr, px, py);
  }

  // ---- effects, started when their message arrives (`now` = performance.now()) ----

  addBlink(from, to, color, now) {
    this._add({ kind: "blink", from, to, color, start: now });
  }

  addHit(x, y, damage, dead, now) {
    this._add({ kind: dead ? "death" : "hit", x, y, damage, start: now });
  }

  addMuzzle(x, y, color, now) {
    this._add({ kind: "muzzle", x, y, color, start: now });
  }

  _add(effect) {
    // A background tab draws no frames, so nothing expires there: keep the list bounded.
    if (this.effects.length >= 200) this.effects.shift();
    this.effects.push(effect);
  }

  // ---- drawing ----

  /**
   * Draw one frame: `world` from Interpolator.sample(), or null before the first state.
   * Returns false when the canvas already shows exactly this frame and was left alone.
   */
  draw(world, now) {
    this.resize();
    // An unchanged canvas costs the browser nothing to show again; redrawing it keeps the main
    // thread (where messages wait) and the compositor busy for nothing.
    const key = this.sceneKey(world);
    if (key !== null && key === this._drawnKey) return false;
    const { ctx } = this;
    const { scale, ox, oy } = this.view;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.background(), 0, 0);
    ctx.setTransform(scale, 0, 0, scale, ox, oy);
    if (world) {
      for (const s of world.projectiles) this.drawProjectile(s, world.colors);
      for (const p of world.players) if (!p.alive) this.drawPlayer(p);
      for (const p of world.players) if (p.alive) this.drawPlayer(p);
    }
    this.drawEffects(now);
    this._drawnKey = this.sceneKey(world); // after drawEffects dropped the effects that ended
    return true;
  }

  /** A string naming everything a frame shows, or null while something moves by itself
   * (effects, shots in flight): equal keys draw equal frames. */
  sceneKey(world) {
    if (this.effects.length > 0 || (world && world.projectiles.length > 0)) return null;
    const { width, height } = this.canvas;
    let key = `${width}x${height} ${this.arena.w}x${this.arena.h} ${this.me}`;
    for (const p of world?.players ?? []) {
      const cd = p.alive && p.blink_cd > 0 ? Math.ceil(p.blink_cd / 10) : 0;
      key += `|${p.id} ${p.name} ${p.color} ${p.x.toFixed(2)} ${p.y.toFixed(2)} ${p.aim}`;
      key += ` ${p.alive} ${p.connected} ${p.hp} ${cd}`;
    }
    return key;
  }

  /** The static arena, drawn once per canvas size: blurred glows are costly every frame. */
  background() {
    const { width, height } = this.canvas;
    const key = `${width}x${height}/${this.arena.w}x${this.arena.h}`;
    if (this._bgKey !== key) {
      const bg = blankCanvas(width, height);
      const ctx = bg.getContext("2d");
      ctx.fillStyle = "#05070d";
      ctx.fillRect(0, 0, width, height);
      const { scale, ox, oy } = this.view;
      ctx.setTransform(scale, 0, 0, scale, ox, oy);
      this.drawArena(ctx);
      this._bg = bg;
      this._bgKey = key;
    }
    return this._bg;
  }

  drawArena(ctx) {
    const { w, h } = this.arena;
    const bg = ctx.createRadialGradient(w / 2, h / 2, 50, w / 2, h / 2, w * 0.65);
    bg.addColorStop(0, "#172036");
    bg.addColorStop(1, "#0c1120");
    ctx.fillStyle = bg;
    ctx.fillRect(0, 0, w, h);
    ctx.lineWidth = 1;
    ctx.strokeStyle = "rgba(120, 150, 220, 0.08)";
    ctx.beginPath();
    for (let x = GRID; x < w; x += GRID) {
      ctx.moveTo(x, 0);
      ctx.lineTo(x, h);
    }
    for (let y = GRID; y < h; y += GRID) {
      ctx.moveTo(0, y);
      ctx.lineTo(w, y);
    }
    ctx.stroke();
    ctx.strokeStyle = "rgba(120, 150, 220, 0.18)";
    ctx.beginPath();
    ctx.arc(w / 2, h / 2, 120, 0, Math.PI * 2);
    ctx.stroke();
    ctx.lineWidth = 4;
    ctx.strokeStyle = "#3b82f6";
    ctx.shadowColor = "#3b82f6";
    ctx.shadowBlur = 18;
    ctx.strokeRect(2, 2, w - 4, h - 4);
    ctx.shadowBlur = 0;
    drawObstacles(ctx, this.arena.obstacles);
  }

  drawPlayer(p) {
    const { ctx } = this;
    const RADIUS = this.sizes.radius;
    const color = p.color || "#cccccc";
    ctx.save();
    ctx.translate(p.x, p.y);
    if (!p.alive) ctx.globalAlpha = 0.28;
    else if (!p.connected) ctx.globalAlpha = 0.5;
    // Aim: a small wedge just outside the body.
    const [ax, ay] = p.aim || [1, 0];
    const angle = Math.atan2(ay, ax);
    ctx.save();
    ctx.rotate(angle);
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.moveTo(RADIUS + 14, 0);
    ctx.lineTo(RADIUS + 4, -7);
    ctx.lineTo(RADIUS + 4, 7);
    ctx.closePath();
    ctx.fill();
    ctx.restore();
    // Body with a soft glow.
    ctx.shadowColor = color;
    ctx.shadowBlur = p.alive ? 22 : 0;
    const body = ctx.createRadialGradient(-6, -6, 3, 0, 0, RADIUS);
    body.addColorStop(0, lighten(color, 0.45));
    body.addColorStop(1, color);
    ctx.fillStyle = body;
    ctx.beginPath();
    ctx.arc(0, 0, RADIUS, 0, Math.PI * 2);
    ctx.fill();
    ctx.shadowBlur = 0;
    ctx.lineWidth = p.id === this.me ? 4 : 2;
    ctx.strokeStyle = p.id === this.me ? "#ffffff" : "rgba(255,255,255,0.55)";
    ctx.stroke();
    // Blink cooldown as an arc around the body.
    if (p.alive && p.blink_cd > 0) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.35)";
      ctx.beginPath();
      const left = Math.min(1, p.blink_cd / this.sizes.blink_cd_ms);
      ctx.arc(0, 0, RADIUS + 6, -Math.PI / 2, -Math.PI / 2 + left * Math.PI * 2);
      ctx.stroke();
    }
    // Name and HP bar above; the name stays readable (>= 11 screen px) in small windows.
    const namePx = Math.max(17, (11 * (this.dpr || 1)) / this.view.scale);
    ctx.font = `600 ${namePx.toFixed(1)}px system-ui, sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.lineWidth = 4;
    ctx.strokeStyle = "rgba(5,7,13,0.85)";
    ctx.strokeText(p.name, 0, -RADIUS - 16);
    ctx.fillStyle = "#f1f5f9";
    ctx.fillText(p.name, 0, -RADIUS - 16);
    const bw = 48;
    const hp = Math.max(0, Math.min(1, (p.hp ?? 100) / 100));
    ctx.fillStyle = "rgba(5,7,13,0.8)";
    ctx.fillRect(-bw / 2 - 1, -RADIUS - 13, bw + 2, 7);
    ctx.fillStyle = hp > 0.5 ? "#22c55e" : hp > 0.25 ? "#facc15" : "#ef4444";
    ctx.fillRect(-bw / 2, -RADIUS - 12, bw * hp, 5);
    if (!p.alive) {
      ctx.globalAlpha = 0.9;
      ctx.fillStyle = "#f8fafc";
      ctx.font = "700 15px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      ctx.fillText("respawning", 0, RADIUS + 16);
    }
    ctx.restore();
  }

  drawProjectile(s, colors) {
    const { ctx } = this;
    const SHOT_RADIUS = this.sizes.shot_radius;
    const color = colors?.get(s.owner) || "#fb923c";
    const speed = Math.hypot(s.vx, s.vy) || 1;
    const tx = s.x - (s.vx / speed) * 34;
    const ty = s.y - (s.vy / speed) * 34;
    const tail = ctx.createLinearGradient(s.x, s.y, tx, ty);
    tail.addColorStop(0, withAlpha(color, 0.75));
    tail.addColorStop(1, withAlpha(color, 0));
    ctx.strokeStyle = tail;
    ctx.lineWidth = SHOT_RADIUS * 1.6;
    ctx.lineCap = "round";
    ctx.beginPath();
    ctx.moveTo(s.x, s.y);
    ctx.lineTo(tx, ty);
    ctx.stroke();
    ctx.shadowColor = color;
    ctx.shadowBlur = 20;
    ctx.fillStyle = "#fff7ed";
    ctx.beginPath();
    ctx.arc(s.x, s.y, SHOT_RADIUS, 0, Math.PI * 2);
    ctx.fill();
    ctx.lineWidth = 3;
    ctx.strokeStyle = color;
    ctx.stroke();
    ctx.shadowBlur = 0;
  }

  drawEffects(now) {
    const { ctx } = this;
    const RADIUS = this.sizes.radius;
    this.effects = this.effects.filter((e) => now - e.start < EFFECT_MS[e.kind]);
    for (const e of this.effects) {
      const k = (now - e.start) / EFFECT_MS[e.kind]; // 0 -> 1
      ctx.save();
      ctx.globalAlpha = 1 - k;
      if (e.kind === "blink") {
        ctx.strokeStyle = e.color;
        ctx.lineWidth = 10 * (1 - k) + 2;
        ctx.setLineDash([14, 10]);
        ctx.beginPath();
        ctx.moveTo(e.from[0], e.from[1]);
        ctx.lineTo(e.to[0], e.to[1]);
        ctx.stroke();
        ctx.setLineDash([]);
        for (const [x, y, r] of [
          [e.from[0], e.from[1], RADIUS * (1 - k)],
          [e.to[0], e.to[1], RADIUS + 30 * k],
        ]) {
          ctx.lineWidth = 3;
          ctx.beginPath();
          ctx.arc(x, y, Math.max(1, r), 0, Math.PI * 2);
          ctx.stroke();
        }
      } else if (e.kind === "muzzle") {
        ctx.fillStyle = e.color;
        ctx.beginPath();
        ctx.arc(e.x, e.y, 6 + 16 * k, 0, Math.PI * 2);
        ctx.fill();
      } else {
        const dead = e.kind === "death";
        ctx.strokeStyle = dead ? "#f8fafc" : "#ef4444";
        ctx.lineWidth = dead ? 5 : 4;
        ctx.beginPath();
        ctx.arc(e.x, e.y, RADIUS + (dead ? 70 : 26) * k, 0, Math.PI * 2);
        ctx.stroke();
        ctx.fillStyle = dead ? "#f8fafc" : "#fca5a5";
        ctx.font = `800 ${dead ? 26 : 20}px system-ui, sans-serif`;
        ctx.textAlign = "center";
        ctx.fillText(dead ? "KO" : `-${e.damage}`, e.x + 26, e.y - RADIUS - 34 - 30 * k);
      }
      ctx.restore();
    }
  }
}

/** A canvas to draw on once and copy from: an OffscreenCanvas where there is no document. */
function blankCanvas(width, height) {
  if (typeof document === "undefined") return new OffscreenCanvas(width, height);
  const c = document.createElement("canvas");
  c.width = width;
  c.height = height;
  return c;
}

function parseHex(color) {
  const m = /^#([0-9a-f]{6})$/i.exec(color || "");
  const n = m ? parseInt(m[1], 16) : 0xcccccc;
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function lighten(color, k) {
  const [r, g, b] = parseHex(color).map((c) => Math.round(c + (255 - c) * k));
  return `rgb(${r},${g},${b})`;
}

function withAlpha(color, a) {
  const [r, g, b] = parseHex(color);
  return `rgba(${r},${g},${b},${a})`;
}
