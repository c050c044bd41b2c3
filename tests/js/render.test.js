// The renderer leaves an unchanged canvas alone (hub/web/js/render.js), with a recording fake
// of the canvas 2D context: nothing here looks at pixels, only at what would be drawn. Then the
// worker path's pieces (render-host.js): sizing without layout and the page's stand-in.
import assert from "node:assert/strict";
import { test } from "node:test";

import { WorkerRenderer, makeRenderer } from "../../hub/web/js/render-host.js";
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

test("a renderer without layout (the worker's) takes its size from the page", () => {
  const calls = [];
  globalThis.document = { createElement: () => fakeCanvas([]) };
  const canvas = fakeCanvas(calls);
  let size = { w: 800, h: 800, dpr: 2 };
  const renderer = new Renderer(canvas, { size: () => size });
  renderer.draw(world(200), 0);
  assert.deepEqual([canvas.width, canvas.height], [800, 800]);
  // 1600 x 900 letterboxed in 800 x 800: scale 0.5, 175 device px above; CSS px are 2 device px.
  assert.deepEqual(renderer.toWorld(200, 87.5), [800, 0]);
  size = { w: 320, h: 180, dpr: 1 };
  renderer.draw(world(200), 16);
  assert.deepEqual([canvas.width, canvas.height], [320, 180]);
  assert.deepEqual(renderer.toWorld(160, 90), [800, 450]);
});

function fakeWorker() {
  return { sent: [], postMessage(data, transfer) { this.sent.push({ data, transfer }); } };
}

test("the page's stand-in hands the canvas to the worker and sends one message per frame", () => {
  const canvas = {
    clientWidth: 640,
    clientHeight: 360,
    transferControlToOffscreen: () => "offscreen",
  };
  const worker = fakeWorker();
  const proxy = new WorkerRenderer(canvas, worker);
  assert.deepEqual(worker.sent, [{ data: { canvas: "offscreen" }, transfer: ["offscreen"] }]);
  proxy.setArena({ w: 800, h: 450, extra: 1 }, { radius: 30 });
  proxy.addMuzzle(10, 20, "#fff", 5);
  proxy.me = "p1";
  const w = { ...world(300), base: { big: "state" } };
  proxy.draw(w, 7);
  const { data } = worker.sent[1];
  assert.deepEqual(data.calls, [
    ["setArena", [{ w: 800, h: 450, obstacles: [] }, { radius: 30 }]],
    ["addMuzzle", [10, 20, "#fff", 5]],
  ]);
  assert.deepEqual(data.frame.size, { w: 640, h: 360, dpr: 1 });
  assert.equal(data.frame.now, 7);
  assert.equal(data.frame.me, "p1");
  assert.deepEqual(Object.keys(data.frame.world).sort(), ["colors", "players", "projectiles"]);
  // Mouse aiming on the page uses the view the worker draws with: 800 x 450 world in 640 x 360.
  assert.deepEqual(proxy.toWorld(320, 180), [400, 225]);
  proxy.draw(null, 23);
  assert.deepEqual(worker.sent[2].data.calls, [], "calls are sent once");
  assert.equal(worker.sent[2].data.frame.world, null);
});

test("without OffscreenCanvas, or when asked, the page draws on its main thread", () => {
  globalThis.document = { createElement: () => fakeCanvas([]) };
  const plain = makeRenderer(fakeCanvas([]));
  assert.ok(plain instanceof Renderer);
  assert.equal(plain.thread, "main");
  const able = { ...fakeCanvas([]), transferControlToOffscreen: () => assert.fail("transferred") };
  assert.equal(makeRenderer(able, "main").thread, "main");
});

test("bodies and shots are drawn at the sizes the hub's rules give", () => {
  const arcs = [];
  const canvas = fakeCanvas([]);
  const ctx = canvas.getContext();
  ctx.arc = (x, y, r) => arcs.push(r);
  globalThis.document = { createElement: () => fakeCanvas([]) };
  const renderer = new Renderer(canvas);
  renderer.setArena({ w: 1600, h: 900 }, { radius: 33, shot_radius: 11, blink_cd_ms: 2000 });
  renderer.draw(world(200, [{ id: "s1", owner: "p1", x: 10, y: 10, vx: 100, vy: 0 }]), 0);
  assert.ok(arcs.includes(33), `body radius from the rules: ${arcs}`);
  assert.ok(arcs.includes(11), `shot radius from the rules: ${arcs}`);
});
