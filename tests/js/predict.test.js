// Present-time prediction and correction (hub/web/js/predict.js). Times are made up (the module
// has no clock): a frame every 16 ms, hub states every 50 ms, ticks at the rules' tick_hz.
import assert from "node:assert/strict";
import { test } from "node:test";

import { BLEND_MS, Predictor, REST_UNITS } from "../../hub/web/js/predict.js";

// The shape of welcome.rules; the values only need to be plausible, not the hub's.
const RULES = {
  arena_w: 1600,
  arena_h: 900,
  tick_hz: 50, // 20 ms per tick: round numbers below
  radius: 20,
  speed: 300,
  dead_zone: 60,
  blink_dist: 200,
  blink_cd_ms: 2000,
  shot_speed: 500,
  shot_range: 600,
  shot_radius: 8,
  shot_damage: 25,
  shoot_cd_ms: 400,
  max_hp: 100,
  respawn_ms: 2000,
};
const T0 = 1_700_000_000_000; // hub time of tick 0
const player = (x, y, extra = {}) => ({ id: "a", name: "Ada", x, y, hp: 100, alive: true, stick: [0, 0], ...extra });
// A state of tick `tick`, stamped exactly at its tick time unless `late` ms after.
const state = (tick, players, { projectiles = [], late = 0, seq = tick } = {}) => [
  { type: "state", tick, seq, players, projectiles, round: {} },
  T0 + tick * 20 + late,
];
const at = (world, id = "a") => world.players.find((p) => p.id === id);

test("before the first state there is nothing to draw", () => {
  assert.equal(new Predictor(RULES).sample(T0), null);
});

test("a move received at t shows in the position drawn at the next frame", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300)]));
  assert.equal(at(pr.sample(T0 + 210)).x, 400);
  pr.noteMove("a", 1000, 0, T0 + 212); // full right, 300 units/s
  const x = at(pr.sample(T0 + 226)).x; // the next frame, 14 ms later
  // The hub's next step moves it a whole tick, from the start of the tick the move fell in
  // (T0 + 200): so does the prediction.
  assert.ok(Math.abs(x - (400 + 300 * 0.026)) < 1e-9, `drawn at ${x}`);
});

test("a frame drawn before the move's hub time is moved to it (the hub was already there)", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300)]));
  pr.noteMove("a", 1000, 0, T0 + 230);
  // Our estimate of the hub clock lags by 2 ms: the frame still shows the move at its time.
  const w = pr.sample(T0 + 228);
  assert.equal(w.t, T0 + 230);
});

test("movement follows the rules it was given, including the dead zone and the walls", () => {
  const fast = new Predictor({ ...RULES, speed: 600 });
  const slow = new Predictor(RULES);
  for (const pr of [fast, slow]) {
    pr.push(...state(10, [player(400, 300)]));
    pr.noteMove("a", 0, 1000, T0 + 200);
  }
  assert.equal(at(fast.sample(T0 + 300)).y, 360);
  assert.equal(at(slow.sample(T0 + 300)).y, 330);
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300)]));
  pr.noteMove("a", 50, 0, T0 + 200); // inside the dead zone: the hub does not move it
  assert.equal(at(pr.sample(T0 + 400)).x, 400);
  pr.noteMove("a", -1000, 0, T0 + 400);
  assert.equal(at(pr.sample(T0 + 10_000)).x, RULES.radius, "clamped at the left wall");
});

test("sticks change mid-way: each segment moves at its own stick", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300)]));
  pr.noteMove("a", 1000, 0, T0 + 200);
  pr.noteMove("a", 0, 0, T0 + 300);
  pr.noteMove("a", -500, 0, T0 + 400);
  const p = at(pr.sample(T0 + 600));
  assert.ok(Math.abs(p.x - (400 + 30 - 30)) < 1e-9, `x ${p.x}`);
});

test("a player that holds its stick from before this window joined moves at once", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300, { stick: [1000, 0] })]));
  assert.ok(Math.abs(at(pr.sample(T0 + 300)).x - 430) < 1e-9);
});

test("a correction converges: a small disagreement fades over a few frames, no jump", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300)]));
  pr.noteMove("a", 1000, 0, T0 + 200);
  let t = T0 + 200;
  for (; t < T0 + 300; t += 16) pr.sample(t);
  const before = at(pr.sample(t)).x; // predicted ~430
  // The hub says it moved a little less (it applied the move a tick later than we assumed).
  pr.push(...state(15, [player(423, 300, { stick: [1000, 0] })]));
  const next = at(pr.sample(t + 16)).x;
  const truth = (s) => 423 + (300 * (s - (T0 + 300))) / 1000;
  assert.ok(Math.abs(next - (before + 300 * 0.016)) < 5, `no jump: ${before} -> ${next}`);
  assert.ok(Math.abs(next - truth(t + 16)) > 1, "not snapped either");
  let err = Infinity;
  for (let s = t + 32; s < t + 32 + 10 * BLEND_MS; s += 16) err = Math.abs(at(pr.sample(s)).x - truth(s));
  assert.ok(err < REST_UNITS, `converged to the hub's path: off by ${err}`);
});

test("nothing drifts at rest: the hub's exact numbers, frame after frame", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300, { stick: [1000, 0] })]));
  pr.noteMove("a", 0, 0, T0 + 250);
  for (let t = T0 + 250; t < T0 + 400; t += 16) pr.sample(t);
  // The hub stopped it elsewhere than predicted (411.3 rather than 415): at rest, every window
  // ends on the hub's numbers exactly, and stays there.
  for (let tick = 20; tick < 500; tick += 3) {
    pr.push(...state(tick, [player(411.3, 300.7)]));
    const p = at(pr.sample(T0 + tick * 20 + 7));
    if (tick > 40) assert.deepEqual([p.x, p.y], [411.3, 300.7]);
  }
});

test("teleports snap: a respawn far away and a blink are drawn at their place at once", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300)]));
  pr.sample(T0 + 210);
  pr.push(...state(11, [player(1200, 700)])); // respawned elsewhere
  assert.deepEqual([at(pr.sample(T0 + 226)).x, at(pr.sample(T0 + 226)).y], [1200, 700]);
  pr.noteBlink("a", [1000, 700], T0 + 230);
  const p = at(pr.sample(T0 + 242));
  assert.deepEqual([p.x, p.y], [1000, 700]);
  assert.equal(p.blink_cd, RULES.blink_cd_ms - 22, "and its cooldown runs from the blink's tick");
});

test("a shot is drawn the frame after its event, flying from its spawn time", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300)]));
  const shot = { id: 7, owner: "a", x: 428, y: 300, vx: 500, vy: 0 };
  pr.noteShot(shot, T0 + 205, 11); // flies from its tick's start, T0 + 200, as on the hub
  const w = pr.sample(T0 + 215);
  assert.equal(w.projectiles.length, 1);
  assert.equal(w.projectiles[0].x, 428 + 7.5);
  assert.equal(at(w).shoot_cd, RULES.shoot_cd_ms - 15);
  // Out of range (600 units at 500/s: 1.2 s) it is no longer drawn, even with no new state.
  assert.equal(pr.sample(T0 + 200 + 1199).projectiles.length, 1);
  assert.equal(pr.sample(T0 + 200 + 1201).projectiles.length, 0);
});

test("a shot missing from a later state is gone; a hit removes the shooter's nearest shot", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300), player(700, 300, { id: "b" })]));
  pr.noteShot({ id: 1, owner: "a", x: 428, y: 300, vx: 500, vy: 0 }, T0 + 201, 11);
  pr.noteShot({ id: 2, owner: "a", x: 428, y: 300, vx: 500, vy: 0 }, T0 + 420, 12);
  assert.deepEqual(pr.sample(T0 + 430).projectiles.map((s) => s.id), [1, 2]);
  pr.noteHit("b", "a", 75, false, T0 + 740); // shot 1 reached b (at ~697)
  let w = pr.sample(T0 + 745);
  assert.deepEqual(w.projectiles.map((s) => s.id), [2]);
  assert.equal(at(w, "b").hp, 75);
  pr.push(...state(38, [player(400, 300), player(700, 300, { id: "b" })], { seq: 13 }));
  w = pr.sample(T0 + 765);
  assert.deepEqual(w.projectiles, [], "the state no longer lists shot 2");
});

test("shots only a state knows about fly on from the state's time", () => {
  const pr = new Predictor(RULES);
  const s = { id: 3, owner: "a", x: 500, y: 300, vx: 0, vy: 500 };
  pr.push(...state(10, [player(400, 300)], { projectiles: [s] }));
  assert.equal(pr.sample(T0 + 220).projectiles[0].y, 310);
});

test("a state's positions are for its tick, not for when it was sent", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300, { stick: [1000, 0] })])); // on time: sets the epoch
  // Sent 15 ms after tick 20: the position is tick 20's, and the window draws it 15 ms on.
  pr.push(...state(20, [player(460, 300, { stick: [1000, 0] })], { late: 15 }));
  const p = at(pr.sample(T0 + 20 * 20 + 15 + 16));
  assert.ok(Math.abs(p.x - (460 + 300 * 0.031)) < 0.2, `x ${p.x}`);
});

test("a knocked-out player stays where it was hit and does not move", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300, { stick: [1000, 0] }), player(700, 300, { id: "b" })]));
  pr.noteHit("a", "b", 0, true, T0 + 300);
  const p = at(pr.sample(T0 + 500));
  assert.equal(p.alive, false);
  assert.ok(Math.abs(p.x - 430) < 1e-9);
});

test("older or repeated states are dropped; reset forgets everything", () => {
  const pr = new Predictor(RULES);
  assert.equal(pr.push(...state(10, [player(400, 300)])), true);
  assert.equal(pr.push(...state(10, [player(500, 300)])), false);
  assert.equal(at(pr.sample(T0 + 300)).x, 400);
  pr.reset();
  assert.equal(pr.sample(T0 + 300), null);
});

test("windows drawing at different frame phases draw the same point at the same hub time", () => {
  const windows = [new Predictor(RULES), new Predictor(RULES)];
  const phase = [0, 9]; // ms into a 16 ms frame
  const feed = (pr, i, until) => {
    for (let t = T0 + 200 + phase[i]; t < until; t += 16) pr.sample(t);
  };
  windows.forEach((pr, i) => {
    pr.push(...state(10, [player(400, 300)]));
    pr.noteMove("a", 1000, 0, T0 + 205);
    feed(pr, i, T0 + 300);
    pr.push(...state(15, [player(426, 300, { stick: [1000, 0] })], { late: 3 })); // a correction
    feed(pr, i, T0 + 330);
  });
  const a = at(windows[0].sample(T0 + 340)).x;
  const b = at(windows[1].sample(T0 + 340)).x;
  assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
});

test("an event's tick_t places it on the hub's path exactly, whenever it was stamped", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300)])); // tick k at T0 + 20 k
  // Stamped 19 ms into tick 12's interval, applied from the hub's game clock at T0 + 240.
  pr.noteMove("a", 1000, 0, T0 + 259, T0 + 240);
  assert.ok(Math.abs(at(pr.sample(T0 + 270)).x - (400 + 300 * 0.03)) < 1e-9);
  // A game clock ahead of the stamp (the hub catching up) cannot put an event after its stamp.
  assert.equal(pr.stepTime(T0 + 255, T0 + 260), T0 + 255);
  pr.noteShot({ id: 1, owner: "a", x: 0, y: 450, vx: 500, vy: 0 }, T0 + 281, 9, T0 + 280);
  assert.equal(pr.sample(T0 + 290).projectiles[0].x, 500 * 0.01);
});

test("a state's tick_t says what time its positions are for, even after the hub stalled", () => {
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300, { stick: [1000, 0] })]));
  // The hub stalled and skipped ticks: tick 20 is at T0 + 900, not T0 + 400.
  const [s, t] = state(20, [player(430, 300, { stick: [1000, 0] })], { late: 503 });
  pr.push({ ...s, tick_t: T0 + 900 }, t);
  const p = at(pr.sample(T0 + 950));
  assert.ok(Math.abs(p.x - (430 + 300 * 0.05)) < 1e-6, `x ${p.x}`);
});

test("walls and pillars from the map stop a predicted run and a predicted shot, as on the hub", () => {
  const map = { name: "t", w: 1600, h: 900, obstacles: [{ kind: "wall", x: 500, y: 200, w: 40, h: 400 }] };
  const pr = new Predictor({ ...RULES, map });
  pr.push(...state(10, [player(400, 300)]));
  pr.noteMove("a", 1000, 0, T0 + 200, T0 + 200);
  const p = at(pr.sample(T0 + 1200)); // 300 units of running, a wall 80 units ahead
  assert.ok(Math.abs(p.x - (500 - RULES.radius)) < 1e-6, `stopped against the wall at ${p.x}`);
  pr.noteShot({ id: 5, owner: "a", x: 508, y: 100, vx: 0, vy: 500 }, T0 + 1200, 12, T0 + 1200);
  assert.equal(pr.sample(T0 + 1210).projectiles.length, 1, "flying toward the wall");
  assert.equal(pr.sample(T0 + 1400).projectiles.length, 0, "stopped where it touched the wall");
});

test("a shot fired point-blank into a wall or the edge is drawn once, where it was fired", () => {
  const map = { name: "t", w: 1600, h: 900, obstacles: [{ kind: "wall", x: 500, y: 200, w: 40, h: 400 }] };
  const pr = new Predictor({ ...RULES, map });
  pr.push(...state(10, [player(1585, 300), player(478, 300, { id: "b" })]));
  // Out over the arena's right edge, and into the wall right in front of b.
  pr.noteShot({ id: 8, owner: "a", x: 1613, y: 300, vx: 500, vy: 0 }, T0 + 205, 11, T0 + 200);
  pr.noteShot({ id: 9, owner: "b", x: 506, y: 300, vx: 500, vy: 0 }, T0 + 205, 12, T0 + 200);
  const first = pr.sample(T0 + 230).projectiles; // the first frame after both events
  assert.deepEqual(first.map((s) => [s.id, s.x, s.y]), [[8, 1600, 300], [9, 506, 300]]);
  assert.deepEqual(pr.sample(T0 + 246).projectiles, [], "and only once");
});

test("a shot that ended before any frame showed it is drawn once, where it ended", () => {
  // A busy page: shot, hit and the next state all arrive between two frames.
  const pr = new Predictor(RULES);
  pr.push(...state(10, [player(400, 300), player(700, 300, { id: "b" })]));
  pr.noteShot({ id: 1, owner: "a", x: 428, y: 300, vx: 500, vy: 0 }, T0 + 201, 11);
  pr.noteShot({ id: 2, owner: "a", x: 428, y: 300, vx: 0, vy: 500 }, T0 + 202, 12);
  pr.noteHit("b", "a", 75, false, T0 + 740); // shot 1 hit b: drawn where it hit
  pr.push(...state(60, [player(400, 300), player(700, 300, { id: "b", hp: 75 })], { seq: 13 }));
  const once = pr.sample(T0 + 1000).projectiles.map((s) => [s.id, Math.round(s.x), s.y]);
  // Shot 2 left the state without a hit: drawn where it was fired.
  assert.deepEqual(once, [[1, 428 + 270, 300], [2, 428, 300]]);
  assert.deepEqual(pr.sample(T0 + 1016).projectiles, [], "and only once");
});
