// Interpolation between hub states (hub/web/js/interp.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { Interpolator } from "../../hub/web/js/interp.js";

const player = (id, x, y, extra = {}) => ({ id, name: id, x, y, hp: 100, score: 0, alive: true, ...extra });
const state = (players, projectiles = []) => ({ type: "state", players, projectiles, round: {} });

test("before the first state there is nothing to draw", () => {
  assert.equal(new Interpolator().sample(0), null);
});

test("draws between the two states around the render time", () => {
  const ip = new Interpolator();
  ip.push(state([player("a", 100, 100)]), 1000);
  ip.push(state([player("a", 110, 120)]), 1050);
  const mid = ip.sample(1025).players[0];
  assert.deepEqual([mid.x, mid.y], [105, 110]);
});

test("holds the newest state exactly once the render time passes it", () => {
  const ip = new Interpolator();
  ip.push(state([player("a", 100, 100)]), 1000);
  ip.push(state([player("a", 110.3, 120.7)]), 1050);
  for (const rt of [1050, 1200, 99999]) {
    const p = ip.sample(rt).players[0];
    assert.deepEqual([p.x, p.y], [110.3, 120.7]);
  }
});

test("a long jump (blink, respawn) snaps instead of sliding", () => {
  const ip = new Interpolator();
  ip.push(state([player("a", 100, 100)]), 1000);
  ip.push(state([player("a", 300, 100)]), 1050);
  assert.equal(ip.sample(1010).players[0].x, 300);
});

test("a blink event shows the player at its target until states catch up", () => {
  const ip = new Interpolator();
  ip.push(state([player("a", 100, 100)]), 1000);
  ip.noteBlink("a", [300, 100], 1040);
  assert.equal(ip.sample(1000).players[0].x, 300, "render time still before the blink");
  ip.push(state([player("a", 305, 100)]), 1050);
  assert.equal(ip.sample(1045).players[0].x, 305);
  assert.equal(ip.sample(1100).players[0].x, 305);
});

test("projectiles interpolate, fly on until the state that drops them, and start at their shot", () => {
  const ip = new Interpolator();
  const shot = { id: 7, owner: "a", x: 100, y: 100, vx: 1000, vy: 0 };
  ip.noteShot(shot, 1010);
  ip.push(state([player("a", 0, 0)]), 1000);
  assert.equal(ip.sample(1005).projectiles.length, 0, "not fired yet at this render time");
  assert.equal(ip.sample(1020).projectiles[0].x, 110, "fired: flies from the shoot event");
  ip.push(state([player("a", 0, 0)], [{ ...shot, x: 140 }]), 1050);
  assert.equal(ip.sample(1030).projectiles[0].x, 120, "extrapolated back from the state");
  ip.push(state([player("a", 0, 0)]), 1100);
  assert.equal(ip.sample(1075).projectiles[0].x, 165, "gone next state: flies on until then");
  assert.equal(ip.sample(1100).projectiles.length, 0);
});

test("old and duplicate states are dropped", () => {
  const ip = new Interpolator();
  assert.equal(ip.push(state([player("a", 1, 1)]), 1000), true);
  assert.equal(ip.push(state([player("a", 2, 2)]), 1000), false);
  assert.equal(ip.push(state([player("a", 3, 3)]), 900), false);
  assert.equal(ip.latest.players[0].x, 1);
});

test("a shot that dies before the next state (fired into a wall) is still drawn briefly", () => {
  const ip = new Interpolator();
  ip.push(state([player("a", 0, 0)]), 1000);
  ip.noteShot({ id: 9, owner: "a", x: 10, y: 0, vx: -750, vy: 0 }, 1010);
  ip.push(state([player("a", 0, 0)]), 1050); // already gone
  assert.equal(ip.sample(1030).projectiles.length, 1);
  assert.equal(ip.sample(1050).projectiles.length, 0, "the newer state shows it gone");
});
