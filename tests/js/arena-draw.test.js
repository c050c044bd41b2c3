// The map's obstacles on the page (hub/web/js/arena-draw.js and its call in render.js), with a
// recording fake 2D context: what would be drawn, and where, in world units.
import assert from "node:assert/strict";
import { test } from "node:test";

import { drawObstacles, validObstacles } from "../../hub/web/js/arena-draw.js";
import { Renderer } from "../../hub/web/js/render.js";

function recorder() {
  const calls = [];
  const ctx = new Proxy(
    {},
    {
      get(target, name) {
        if (name in target) return target[name];
        return (...args) => {
          calls.push([name, ...args]);
          return { addColorStop() {} };
        };
      },
      set(target, name, value) {
        target[name] = value;
        return true;
      },
    },
  );
  return { calls, ctx };
}

const wall = { kind: "wall", x: 380, y: 170, w: 40, h: 200 };
const pillar = { kind: "pillar", x: 800, y: 450, r: 70 };

test("every wall is filled as its box and every pillar as its circle, at their world position", () => {
  const { calls, ctx } = recorder();
  drawObstacles(ctx, [wall, pillar]);
  const rects = calls.filter((c) => c[0] === "rect").map((c) => c.slice(1));
  const arcs = calls.filter((c) => c[0] === "arc").map((c) => c.slice(1, 4));
  assert.deepEqual(rects.at(-1), [380, 170, 40, 200]);
  assert.deepEqual(arcs.at(-1), [800, 450, 70]);
  assert.ok(calls.filter((c) => c[0] === "stroke").length >= 2, "each obstacle has an edge");
});

test("the open map draws nothing", () => {
  const { calls, ctx } = recorder();
  drawObstacles(ctx, []);
  drawObstacles(ctx, undefined);
  assert.deepEqual(calls, []);
});

test("malformed obstacles are skipped, not drawn with NaN", () => {
  const bad = [
    { kind: "wall", x: 1, y: 2, w: -5, h: 10 },
    { kind: "wall", x: "1", y: 2, w: 5, h: 10 },
    { kind: "pillar", x: 1, y: 2, r: Infinity },
    { kind: "lava", x: 1, y: 2, r: 3 },
    null,
  ];
  assert.deepEqual(validObstacles([...bad, pillar]), [pillar]);
  assert.deepEqual(validObstacles({ not: "a list" }), []);
});

test("the renderer draws the map's obstacles on its background, and again after a new map", () => {
  const made = [];
  globalThis.document = {
    createElement: () => {
      const r = recorder();
      made.push(r.calls);
      return { width: 0, height: 0, getContext: () => r.ctx };
    },
  };
  const { ctx } = recorder();
  const canvas = { width: 160, height: 90, clientWidth: 160, clientHeight: 90, getContext: () => ctx };
  const renderer = new Renderer(canvas);
  renderer.setArena({ w: 1600, h: 900, obstacles: [wall] });
  renderer.draw(null, 0);
  assert.equal(made.length, 1);
  assert.ok(made[0].some((c) => c[0] === "rect" && c[1] === 380 && c[4] === 200));
  renderer.draw(null, 16);
  assert.equal(made.length, 1, "the background is cached");
  renderer.setArena({ w: 1600, h: 900, obstacles: [pillar] });
  renderer.draw(null, 32);
  assert.equal(made.length, 2, "a new map redraws the background");
  assert.ok(made[1].some((c) => c[0] === "arc" && c[1] === 800 && c[3] === 70));
  assert.ok(!made[1].some((c) => c[0] === "rect" && c[1] === 380));
});
