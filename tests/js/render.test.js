// The renderer leaves an unchanged canvas alone (hub/web/js/render.js), with a recording fake
// of the canvas 2D context: nothing here looks at pixels, only at what would be drawn.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Renderer } from "../../hub/web/js/render.js";

function fakeCanvas(calls) {
  const ctx = new Proxy(
    {},
    {
      get(target, name) {
        if (name in target) return target[name];
        return (...args) => {
          calls.push(name);
          return { addColorStop() {} }; // gradients
        };
      },
      set(target, name, value) {
        target[name] = value;
        return true;
      },
    },
  );
  return { width: 1600, height: 900, clientWidth: 1600, clientHeight: 900, getContext: () => ctx };
}

function setup() {
  const calls = [];
  globalThis.document = { createElement: () => fakeCanvas([]) }; // the cached background
  return { calls, renderer: new Renderer(fakeCanvas(calls)) };
}

const player = (x) => ({ id: "p1", name: "Ada", color: "#22c55e", x, y: 300, aim: [1, 0], alive: true, connected: true, hp: 100, blink_cd: 0 });
const world = (x, projectiles = []) => ({ players: [player(x)], projectiles, colors: new Map() });

test("a frame equal to the one on the canvas is not drawn again", () => {
  const { calls, renderer } = setup();
  assert.equal(renderer.draw(world(200), 0), true);
  const drawn = calls.length;
  assert.ok(drawn > 0);
  assert.equal(renderer.draw(world(200), 16), false);
  assert.equal(calls.length, drawn, "no drawing call for an unchanged frame");
});

test("a moved player, a shot in flight or a running effect is drawn every frame", () => {
  const { renderer } = setup();
  renderer.draw(world(200), 0);
  assert.equal(renderer.draw(world(200.5), 16), true, "the player moved");
  const shot = { id: "s1", owner: "p1", x: 10, y: 10, vx: 100, vy: 0 };
  assert.equal(renderer.draw(world(200.5, [shot]), 32), true);
  assert.equal(renderer.draw(world(200.5, [shot]), 48), true, "a shot moves by itself");
  renderer.addMuzzle(10, 10, "#fff", 48);
  assert.equal(renderer.draw(world(200.5), 64), true, "the muzzle flash is still fading");
  assert.equal(renderer.draw(world(200.5), 1000), true, "the frame after the flash ended");
  assert.equal(renderer.draw(world(200.5), 1016), false);
});
