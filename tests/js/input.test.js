// Keyboard and mouse mapping (hub/web/js/input.js) and the arena fit (render.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { aimAt, stickFromKeys } from "../../hub/web/js/input.js";
import { fit } from "../../hub/web/js/render.js";

test("direction keys give a unit stick; diagonals are not faster", () => {
  assert.deepEqual(stickFromKeys(new Set()), [0, 0]);
  assert.deepEqual(stickFromKeys(new Set(["KeyD"])), [1000, 0]);
  assert.deepEqual(stickFromKeys(new Set(["ArrowUp"])), [0, -1000]);
  assert.deepEqual(stickFromKeys(new Set(["KeyW", "KeyD"])), [707, -707]);
  assert.deepEqual(stickFromKeys(new Set(["KeyA", "KeyD"])), [0, 0], "opposite keys cancel");
  assert.deepEqual(stickFromKeys(new Set(["KeyA", "ArrowLeft"])), [-1000, 0], "two keys, one direction");
});

test("mouse aim points from the player to the pointer", () => {
  assert.deepEqual(aimAt([100, 100], [100, 0]), [0, -1000]);
  assert.deepEqual(aimAt([0, 0], [30, 40]), [600, 800]);
  assert.equal(aimAt([5, 5], [5.5, 5]), null, "on top of the player: no direction");
});

test("the arena is letterboxed into any window, centred", () => {
  assert.deepEqual(fit(1600, 900, 1600, 900), { scale: 1, ox: 0, oy: 0 });
  assert.deepEqual(fit(800, 900, 1600, 900), { scale: 0.5, ox: 0, oy: 225 });
  assert.deepEqual(fit(3200, 900, 1600, 900), { scale: 1, ox: 800, oy: 0 });
});
