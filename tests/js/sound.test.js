// Sound rules (hub/web/js/sound-rules.js): which event plays what, where and how loud, rate
// limits and stored settings. Then the Web Audio layer (audio.js) on a recording stand-in for
// AudioContext: the cue reaches a panner and a gain with the decided values.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Sound } from "../../hub/web/js/audio.js";
import {
  MAX_VOICES,
  MINE_BOOST,
  Mixer,
  PAN_WIDTH,
  ROUND_START_DELAY_MS,
  SOUNDS,
  STALE_MS,
  cuesForMessage,
  cuesForState,
  loadSettings,
  panFor,
  saveSettings,
} from "../../hub/web/js/sound-rules.js";

const ctx = (me = null, positions = {}) => ({
  me,
  arenaW: 1600,
  positionOf: (id) => positions[id] ?? null,
});

test("each event plays its own sound", () => {
  const c = ctx(null, { v: [400, 300] });
  const sounds = (msg) => cuesForMessage(msg, c).map((q) => q.sound);
  assert.deepEqual(sounds({ type: "shoot", id: "a", projectile: { x: 10, y: 1 } }), ["shoot"]);
  assert.deepEqual(sounds({ type: "blink", id: "a", from: [1, 1], to: [200, 1] }), ["blink"]);
  assert.deepEqual(sounds({ type: "hit", id: "v", by: "a", hp: 75, dead: false }), ["hit"]);
  assert.deepEqual(sounds({ type: "hit", id: "v", by: "a", hp: 0, dead: true }), ["ko"]);
  assert.deepEqual(sounds({ type: "create_player", player: { id: "n", x: 5 } }), ["join"]);
  for (const type of ["move", "message", "remove_player", "pong", "state"]) {
    assert.deepEqual(sounds({ type }), [], `${type} is silent`);
  }
});

test("sounds are panned by where they happen", () => {
  assert.equal(panFor(0, 1600), -PAN_WIDTH);
  assert.equal(panFor(800, 1600), 0);
  assert.equal(panFor(1600, 1600), PAN_WIDTH);
  assert.equal(panFor(5000, 1600), PAN_WIDTH, "clamped");
  assert.equal(panFor(NaN, 1600), 0);
  const c = ctx(null, { v: [1200, 300] });
  const [left] = cuesForMessage({ type: "shoot", id: "a", projectile: { x: 100 } }, c);
  const [right] = cuesForMessage({ type: "blink", id: "a", to: [1500, 0] }, c);
  const [hit] = cuesForMessage({ type: "hit", id: "v", by: "a", dead: false }, c);
  assert.ok(left.pan < -0.5 && right.pan > 0.5);
  assert.equal(hit.pan, panFor(1200, 1600), "a hit sounds where the victim is");
  const [unknown] = cuesForMessage({ type: "hit", id: "gone", by: "a" }, c);
  assert.equal(unknown.pan, 0, "no known position: centre");
});

test("what happens to or by this window's own player is louder", () => {
  const shot = { type: "shoot", id: "me", projectile: { x: 1 } };
  const [mine] = cuesForMessage(shot, ctx("me"));
  const [theirs] = cuesForMessage(shot, ctx("other"));
  assert.equal(theirs.gain, SOUNDS.shoot.gain);
  assert.equal(mine.gain, SOUNDS.shoot.gain * MINE_BOOST);
  const [hitMe] = cuesForMessage({ type: "hit", id: "me", by: "x" }, ctx("me"));
  const [iHit] = cuesForMessage({ type: "hit", id: "x", by: "me" }, ctx("me"));
  assert.ok(hitMe.mine && iHit.mine && hitMe.gain > SOUNDS.hit.gain);
  const [ko] = cuesForMessage({ type: "hit", id: "me", by: "x", dead: true }, ctx("me"));
  assert.ok(ko.gain <= 1, "never above full");
});

const st = (n, players) => ({ round: { n }, players });
const pl = (id, alive, x = 800) => ({ id, alive, x, y: 1 });

test("a respawn is heard when a player comes back to life", () => {
  const cues = cuesForState(st(1, [pl("a", false), pl("b", true)]), st(1, [pl("a", true, 100), pl("b", true)]), ctx());
  assert.deepEqual(
    cues.map((c) => [c.sound, c.pan]),
    [["respawn", panFor(100, 1600)]],
  );
  assert.deepEqual(cuesForState(null, st(1, [pl("a", true)]), ctx()), [], "the first state is silent");
  assert.deepEqual(cuesForState(st(1, [pl("a", true)]), st(1, [pl("a", true)]), ctx()), []);
});

test("a new round plays the end of the old one, then the start of the new one", () => {
  const cues = cuesForState(st(1, [pl("a", false)]), st(2, [pl("a", true)]), ctx());
  assert.deepEqual(
    cues.map((c) => [c.sound, c.delay]),
    [
      ["round_end", 0],
      ["round_start", ROUND_START_DELAY_MS],
    ],
  );
});

test("a burst of one sound plays once per its gap, and other sounds still play", () => {
  const m = new Mixer({ volume: 1 });
  const shoot = { sound: "shoot", pan: 0, gain: 0.3, delay: 0 };
  assert.ok(m.admit(shoot, 1000));
  assert.equal(m.admit(shoot, 1000 + SOUNDS.shoot.gapMs - 1), null);
  assert.ok(m.admit({ ...shoot, sound: "hit" }, 1001));
  assert.ok(m.admit(shoot, 1000 + SOUNDS.shoot.gapMs));
});

test("no more than MAX_VOICES sounds start at once", () => {
  const m = new Mixer({ volume: 1 });
  const names = Object.keys(SOUNDS);
  let played = 0;
  for (let i = 0; i < 40; i++) {
    if (m.admit({ sound: names[i % names.length], pan: 0, gain: 0.5, delay: 0 }, 5000 + i * 0.1)) played++;
  }
  assert.equal(played, Math.min(MAX_VOICES, names.length));
  assert.ok(m.admit({ sound: "shoot", pan: 0, gain: 0.5, delay: 0 }, 6000), "the window moves on");
});

test("muted, zero volume or stale events are silent; the volume scales the gain", () => {
  const c = { sound: "blink", pan: 0, gain: 0.5, delay: 0 };
  assert.equal(new Mixer({ muted: true }).admit(c, 0), null);
  assert.equal(new Mixer({ volume: 0 }).admit(c, 0), null);
  assert.equal(new Mixer({ volume: 1 }).admit(c, 0, STALE_MS + 1), null);
  assert.equal(new Mixer({ volume: 0.5 }).admit(c, 0).gain, 0.25);
});

function memoryStorage(initial = {}) {
  const data = { ...initial };
  return { getItem: (k) => data[k] ?? null, setItem: (k, v) => (data[k] = String(v)), data };
}

test("volume and mute are remembered, and damaged settings fall back to defaults", () => {
  const s = memoryStorage();
  assert.deepEqual(loadSettings(s), { volume: 0.7, muted: false });
  saveSettings(s, { volume: 0.25, muted: true });
  assert.deepEqual(loadSettings(s), { volume: 0.25, muted: true });
  assert.deepEqual(loadSettings(memoryStorage({ "blinkshot.sound": "{oops" })), { volume: 0.7, muted: false });
  assert.deepEqual(loadSettings(memoryStorage({ "blinkshot.sound": '{"volume": 9, "muted": "yes"}' })), {
    volume: 1,
    muted: false,
  });
  assert.doesNotThrow(() =>
    saveSettings(
      {
        setItem() {
          throw new Error("quota");
        },
      },
      { volume: 1, muted: false },
    ),
  );
});

// ---- the Web Audio layer, on a recording stand-in ----

class FakeParam {
  constructor(v = 0) {
    this.value = v;
    this.events = [];
  }
  setValueAtTime(v, t) {
    this.events.push(["set", v, t]);
  }
  exponentialRampToValueAtTime(v, t) {
    this.events.push(["ramp", v, t]);
  }
}

class FakeNode {
  constructor(ctx, kind) {
    Object.assign(this, { ctx, kind, out: [] });
    ctx.nodes.push(this);
    this.gain = new FakeParam(1);
    this.pan = new FakeParam(0);
    this.frequency = new FakeParam(440);
  }
  connect(n) {
    this.out.push(n);
    return n;
  }
  disconnect() {}
  start(t) {
    this.started = t;
  }
  stop() {}
}

class FakeContext {
  constructor() {
    this.nodes = [];
    this.state = "suspended";
    this.currentTime = 10;
    this.sampleRate = 100;
    this.destination = new FakeNode(this, "destination");
  }
  async resume() {
    this.state = "running";
  }
  createGain() {
    return new FakeNode(this, "gain");
  }
  createStereoPanner() {
    return new FakeNode(this, "panner");
  }
  createOscillator() {
    return new FakeNode(this, "osc");
  }
  createBiquadFilter() {
    return new FakeNode(this, "filter");
  }
  createBufferSource() {
    return new FakeNode(this, "source");
  }
  createBuffer(_ch, n) {
    return { getChannelData: () => new Float32Array(n) };
  }
}

test("before the first gesture nothing is synthesized; after it, a cue reaches a panner", async () => {
  const sound = new Sound({ storage: memoryStorage(), Context: FakeContext });
  sound.play([{ sound: "shoot", pan: -0.5, gain: 0.4, delay: 0 }]);
  assert.equal(sound.ctx, null, "no AudioContext before a gesture");
  assert.equal(sound.played.length, 1, "still decided (and rate-limited) as if heard");
  await sound.start();
  assert.ok(sound.running);
  sound.play([{ sound: "ko", pan: 0.6, gain: 0.8, delay: 0 }]);
  const panner = sound.ctx.nodes.find((n) => n.kind === "panner");
  assert.equal(panner.pan.value, 0.6);
  const gain = panner.out[0];
  assert.equal(gain.gain.value, 0.8 * 0.7, "the cue's gain times the volume");
  assert.ok(gain.out.includes(sound.master), "through the master gain");
  assert.ok(sound.ctx.nodes.some((n) => n.kind === "osc" && n.started >= 10));
});

test("every sound the rules name has a synthesized voice", async () => {
  const sound = new Sound({ storage: memoryStorage(), Context: FakeContext });
  await sound.start();
  for (const name of Object.keys(SOUNDS)) {
    const before = sound.ctx.nodes.length;
    sound.mixer.last.clear();
    sound.mixer.recent = [];
    sound.play([{ sound: name, pan: 0, gain: 0.5, delay: 0 }]);
    const made = sound.ctx.nodes.slice(before);
    assert.ok(made.some((n) => n.kind === "osc" || n.kind === "source"), `${name} makes a sound`);
  }
});

test("settings changed through the Sound are stored", () => {
  const storage = memoryStorage();
  const sound = new Sound({ storage, Context: FakeContext });
  sound.set({ volume: 0.3, muted: true });
  assert.deepEqual(loadSettings(storage), { volume: 0.3, muted: true });
  assert.deepEqual(new Sound({ storage, Context: FakeContext }).mixer.muted, true);
});

test("with the hub's lobby the round starts when the countdown ends, not with the podium", () => {
  const r = (n, phase) => ({ round: { n, phase }, players: [] });
  assert.deepEqual(
    cuesForState(r(1, "playing"), r(2, "podium"), ctx()).map((c) => c.sound),
    ["round_end"],
  );
  assert.deepEqual(cuesForState(r(2, "podium"), r(2, "countdown"), ctx()), []);
  assert.deepEqual(
    cuesForState(r(2, "countdown"), r(2, "playing"), ctx()).map((c) => c.sound),
    ["round_start"],
  );
});
