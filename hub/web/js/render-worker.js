// The arena's drawing off the page's main thread, where WebSocket messages are handled: this
// module worker owns the OffscreenCanvas the page handed over (render-host.js) and runs the
// same Renderer on it. The page sends one message per animation frame; effect start times and
// `now` are on the page's clock, so effects fade exactly as they would on the page.

import { Renderer } from "./render.js";

const CALLS = new Set(["setArena", "addBlink", "addHit", "addMuzzle"]);
let renderer = null;
let size = { w: 1, h: 1, dpr: 1 };

self.onmessage = ({ data }) => {
  if (data.canvas) renderer = new Renderer(data.canvas, { size: () => size });
  for (const [name, args] of data.calls ?? []) {
    if (CALLS.has(name)) renderer[name](...args);
  }
  const f = data.frame;
  if (f) {
    size = f.size;
    renderer.me = f.me;
    renderer.draw(f.world, f.now);
  }
};
