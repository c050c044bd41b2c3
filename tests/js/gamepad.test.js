// Gamepads (hub/web/js/gamepad.js): the standard layout mapped to the game's input, dead zone,
// Start to join and leave, several pads as several players. Pads here are plain objects shaped
// like the browser's Gamepad.
import assert from "node:assert/strict";
import { test } from "node:test";

import { BUTTON, DEAD_ZONE, PadTracker, readPad, stickFromAxes } from "../../hub/web/js/gamepad.js";

function pad(index = 0, { axes = [0, 0, 0, 0], down = [], values = {} } = {}) {
  const buttons = Array.from({ length: 17 }, (_, i) => ({
    pressed: down.includes(i),
    value: values[i] ?? (down.includes(i) ? 1 : 0),
  }));
  return { index, id: `pad ${index}`, mapping: "standard", connected: true, axes, buttons };
}

test("inside the dead zone a stick is at rest; just past it, movement starts from zero", () => {
  assert.deepEqual(stickFromAxes(0.1, -0.1), [0, 0]);
  assert.deepEqual(stickFromAxes(DEAD_ZONE, 0), [0, 0]);
  const [x] = stickFromAxes(DEAD_ZONE + 0.01, 0);
  assert.ok(x > 0 && x < 20, `just past the dead zone is slow, got ${x}`);
});

test("full deflection is 1000 in any direction, never more", () => {
  assert.deepEqual(stickFromAxes(1, 0), [1000, 0]);
  assert.deepEqual(stickFromAxes(0, -1), [0, -1000]);
  const [x, y] = stickFromAxes(1, 1); // square gates report corners past the unit circle
  assert.ok(Math.abs(Math.hypot(x, y) - 1000) <= 1);
  assert.deepEqual(stickFromAxes(NaN, undefined), [0, 0]);
});

test("left stick moves, right stick aims, RT or A shoots, LT or B blinks", () => {
  const r = readPad(pad(0, { axes: [1, 0, 0, -1] }));
  assert.deepEqual(r.stick, [1000, 0]);
  assert.deepEqual(r.aim, [0, -1000]);
  assert.equal(readPad(pad(0, { down: [BUTTON.A] })).shoot, true);
  assert.equal(readPad(pad(0, { values: { [BUTTON.RT]: 0.8 } })).shoot, true, "analog trigger");
  assert.equal(readPad(pad(0, { values: { [BUTTON.RT]: 0.3 } })).shoot, false, "a light touch");
  assert.equal(readPad(pad(0, { down: [BUTTON.B] })).blink, true);
  assert.equal(readPad(pad(0, { down: [BUTTON.LT] })).blink, true);
  assert.equal(readPad(pad(0, { down: [BUTTON.LS] })).stickPress, true);
  const idle = readPad(pad(0));
  assert.deepEqual([idle.shoot, idle.blink, idle.stickPress, idle.start, idle.aim], [false, false, false, false, null]);
});

test("the d-pad aims in eight directions when the right stick is at rest", () => {
  assert.deepEqual(readPad(pad(0, { down: [BUTTON.LEFT] })).aim, [-1000, 0]);
  assert.deepEqual(readPad(pad(0, { down: [BUTTON.DOWN, BUTTON.RIGHT] })).aim, [707, 707]);
  assert.deepEqual(readPad(pad(0, { axes: [0, 0, 1, 0], down: [BUTTON.LEFT] })).aim, [1000, 0], "the stick wins");
});

test("Start joins on its press and leaves on the next; holding it does nothing more", () => {
  const t = new PadTracker();
  const start = pad(0, { down: [BUTTON.START] });
  assert.deepEqual(t.update([pad(0)]), []);
  assert.deepEqual(
    t.update([start]).map((a) => a.type),
    ["join", "input"],
  );
  assert.deepEqual(t.update([start]), [], "held: nothing new");
  assert.deepEqual(t.update([pad(0)]), [], "released: still playing, input unchanged");
  assert.deepEqual(
    t.update([start]).map((a) => a.type),
    ["leave"],
  );
  assert.deepEqual(t.joined(), []);
});

test("a joined pad sends its input only when it changes", () => {
  const t = new PadTracker();
  t.update([pad(0, { down: [BUTTON.START] })]);
  const moved = t.update([pad(0, { axes: [0, 1, 0, 0] })]);
  assert.equal(moved.length, 1);
  assert.deepEqual(moved[0].stick, [0, 1000]);
  assert.deepEqual(t.update([pad(0, { axes: [0, 1, 0, 0] })]), []);
  const fire = t.update([pad(0, { axes: [0, 1, 0, 0], down: [BUTTON.A] })]);
  assert.equal(fire[0].shoot, true);
});

test("pads that have not joined send nothing", () => {
  const t = new PadTracker();
  assert.deepEqual(t.update([pad(0, { axes: [1, 0, 0, 0], down: [BUTTON.A] })]), []);
});

test("several pads are several players, and an unplugged pad leaves", () => {
  const t = new PadTracker();
  const acts = t.update([pad(0, { down: [BUTTON.START] }), null, pad(2, { down: [BUTTON.START] })]);
  assert.deepEqual(
    acts.filter((a) => a.type === "join").map((a) => a.index),
    [0, 2],
  );
  assert.deepEqual(t.joined(), [0, 2]);
  const moves = t.update([pad(0, { axes: [-1, 0, 0, 0] }), null, pad(2, { axes: [1, 0, 0, 0] })]);
  assert.deepEqual(
    moves.map((a) => [a.index, a.stick[0]]),
    [
      [0, -1000],
      [2, 1000],
    ],
  );
  assert.deepEqual(t.update([pad(0, { axes: [-1, 0, 0, 0] }), null, null]), [{ type: "leave", index: 2 }]);
  assert.deepEqual(t.update([{ ...pad(0), connected: false }]), [{ type: "leave", index: 0 }]);
  assert.deepEqual(t.joined(), []);
});
