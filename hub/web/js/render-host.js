// Where the arena is drawn: in a module worker on an OffscreenCanvas when the browser has both
// (each frame's canvas work then stays off the thread that handles WebSocket messages), else on
// the page's main thread. Either way the drawing is render.js's Renderer; `?renderer=main`
// forces the main thread (to compare the two).

import { Renderer, canvasSize, fit, toWorld } from "./render.js";

/** The page's stand-in for a Renderer running in render-worker.js. Sizes and the view
 * transform are computed here, where layout is, for mouse aiming and for the worker. */
export class WorkerRenderer {
  constructor(canvas, worker, { arena = { w: 1600, h: 900 } } = {}) {
    this.thread = "worker";
    this.canvas = canvas;
    this.worker = worker;
    this.arena = arena;
    this.view = fit(1, 1, arena.w, arena.h);
    this.dpr = 1;
    this.me = null;
    this.calls = []; // Renderer calls to make in the worker before the next frame
    const offscreen = canvas.transferControlToOffscreen();
    worker.postMessage({ canvas: offscreen }, [offscreen]);
    worker.onerror = (e) => {
      throw new Error(`render worker: ${e.message || "failed to load"}`);
    };
  }

  setArena(arena, rules = null) {
    this.arena = { w: arena.w, h: arena.h, obstacles: arena.obstacles ?? [] };
    this.calls.push(["setArena", [this.arena, rules]]);
  }

  addBlink(...args) {
    this.calls.push(["addBlink", args]);
  }

  addHit(...args) {
    this.calls.push(["addHit", args]);
  }

  addMuzzle(...args) {
    this.calls.push(["addMuzzle", args]);
  }

  /** Send one frame: the sampled world (only what the Renderer reads), size and queued calls. */
  draw(world, now) {
    const size = canvasSize(this.canvas);
    this.view = fit(size.w, size.h, this.arena.w, this.arena.h);
    this.dpr = size.dpr;
    const w = world && {
      players: world.players,
      projectiles: world.projectiles,
      colors: world.colors,
    };
    this.worker.postMessage({ calls: this.calls, frame: { world: w, now, size, me: this.me } });
    this.calls = [];
  }

  toWorld(px, py) {
    return toWorld(this.view, this.dpr, px, py);
  }
}

/** True when `new Worker(url, {type: "module"})` is understood (it reads `type` only then). */
function moduleWorkers() {
  let read = false;
  try {
    const options = {
      get type() {
        read = true;
        return "module";
      },
    };
    new Worker("data:text/javascript,", options).terminate();
  } catch {
    return false;
  }
  return read;
}

/** A renderer for `canvas`: in a worker where possible, unless `where` is "main". */
export function makeRenderer(canvas, where = null) {
  const offscreen = typeof canvas.transferControlToOffscreen === "function";
  if (where !== "main" && offscreen && typeof Worker === "function" && moduleWorkers()) {
    const worker = new Worker(new URL("./render-worker.js", import.meta.url), { type: "module" });
    return new WorkerRenderer(canvas, worker);
  }
  const r = new Renderer(canvas);
  r.thread = "main";
  return r;
}
