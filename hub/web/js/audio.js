// Sound for the game page: a thin Web Audio layer that synthesizes each effect (no files),
// driven by sound-rules.js, which decides what plays. Browsers start audio only after a user
// gesture: until then the top bar says "click to enable sound". Volume and mute live in
// localStorage. `setupSound(client, { me })` is all the page calls.

import { Mixer, cuesForMessage, cuesForState, loadSettings, saveSettings } from "./sound-rules.js";

const PLAYED_KEEP = 50;

/** Effects built from oscillators and a noise buffer; each ends by itself within a second. */
const SYNTH = {
  shoot: (s, out, t) => {
    s.tone(out, t, { type: "square", from: 880, to: 220, dur: 0.12, gain: 0.35 });
    s.noise(out, t, { dur: 0.05, gain: 0.25, freq: 3000 });
  },
  blink: (s, out, t) => {
    s.noise(out, t, { dur: 0.25, gain: 0.5, freq: 800, toFreq: 5000 });
    s.tone(out, t, { type: "sine", from: 300, to: 1400, dur: 0.22, gain: 0.3 });
  },
  hit: (s, out, t) => {
    s.tone(out, t, { type: "sine", from: 200, to: 60, dur: 0.16, gain: 0.8 });
    s.noise(out, t, { dur: 0.08, gain: 0.4, freq: 1200 });
  },
  ko: (s, out, t) => {
    s.tone(out, t, { type: "triangle", from: 600, to: 70, dur: 0.6, gain: 0.6 });
    s.noise(out, t, { dur: 0.5, gain: 0.6, freq: 400, toFreq: 80 });
  },
  respawn: (s, out, t) => {
    [523, 659, 784].forEach((f, i) => s.tone(out, t + i * 0.07, { type: "sine", from: f, dur: 0.12, gain: 0.4 }));
  },
  round_start: (s, out, t) => {
    s.tone(out, t, { type: "square", from: 392, dur: 0.14, gain: 0.25 });
    s.tone(out, t + 0.16, { type: "square", from: 523, dur: 0.3, gain: 0.25 });
  },
  round_end: (s, out, t) => {
    [784, 659, 523, 392].forEach((f, i) => s.tone(out, t + i * 0.12, { type: "triangle", from: f, dur: 0.2, gain: 0.4 }));
  },
  join: (s, out, t) => {
    s.tone(out, t, { type: "sine", from: 660, dur: 0.07, gain: 0.3 });
    s.tone(out, t + 0.08, { type: "sine", from: 990, dur: 0.09, gain: 0.3 });
  },
};

export class Sound {
  constructor({ storage = globalThis.localStorage, Context = globalThis.AudioContext } = {}) {
    this.storage = storage;
    this.Context = Context;
    this.ctx = null;
    this.mixer = new Mixer(loadSettings(storage));
    this.played = []; // the last cues started, for the page's test hook
    this.onchange = () => {};
  }

  /** Create or resume the audio context; call from a user gesture. */
  async start() {
    if (!this.Context) return;
    if (!this.ctx) {
      this.ctx = new this.Context();
      this.master = this.ctx.createGain();
      this.master.connect(this.ctx.destination);
      this._noise = this._makeNoise();
    }
    if (this.ctx.state !== "running") await this.ctx.resume();
    this.onchange();
  }

  get running() {
    return this.ctx?.state === "running";
  }

  get volume() {
    return this.mixer.volume;
  }

  get muted() {
    return this.mixer.muted;
  }

  set(settings) {
    Object.assign(this.mixer, settings);
    saveSettings(this.storage, { volume: this.mixer.volume, muted: this.mixer.muted });
    this.onchange();
  }

  /** Play the cues (from sound-rules.js) of one event; `age` = ms since it happened. */
  play(cues, age = 0) {
    const now = performance.now();
    for (const c of cues) {
      const ok = this.mixer.admit(c, now, age);
      if (!ok) continue;
      this.played.push({ ...ok, at: now });
      if (this.played.length > PLAYED_KEEP) this.played.shift();
      if (this.running) this._synth(ok);
    }
  }

  _synth(c) {
    const ctx = this.ctx;
    const gain = ctx.createGain();
    gain.gain.value = c.gain;
    let out = gain;
    if (ctx.createStereoPanner) {
      const pan = ctx.createStereoPanner();
      pan.pan.value = c.pan;
      pan.connect(gain);
      out = pan;
    }
    gain.connect(this.master);
    SYNTH[c.sound]?.(this, out, ctx.currentTime + (c.delay ?? 0) / 1000);
    setTimeout(() => gain.disconnect(), (c.delay ?? 0) + 1500);
  }

  tone(out, t, { type, from, to = from, dur, gain }) {
    const osc = this.ctx.createOscillator();
    const env = this.ctx.createGain();
    osc.type = type;
    osc.frequency.setValueAtTime(from, t);
    if (to !== from) osc.frequency.exponentialRampToValueAtTime(to, t + dur);
    env.gain.setValueAtTime(gain, t);
    env.gain.exponentialRampToValueAtTime(0.001, t + dur);
    osc.connect(env).connect(out);
    osc.start(t);
    osc.stop(t + dur + 0.02);
  }

  noise(out, t, { dur, gain, freq, toFreq = freq }) {
    const src = this.ctx.createBufferSource();
    src.buffer = this._noise;
    const filter = this.ctx.createBiquadFilter();
    filter.type = "bandpass";
    filter.frequency.setValueAtTime(freq, t);
    if (toFreq !== freq) filter.frequency.exponentialRampToValueAtTime(toFreq, t + dur);
    const env = this.ctx.createGain();
    env.gain.setValueAtTime(gain, t);
    env.gain.exponentialRampToValueAtTime(0.001, t + dur);
    src.connect(filter).connect(env).connect(out);
    src.start(t);
    src.stop(t + dur + 0.02);
  }

  _makeNoise() {
    const n = this.ctx.sampleRate;
    const buf = this.ctx.createBuffer(1, n, n);
    const data = buf.getChannelData(0);
    for (let i = 0; i < n; i++) data[i] = Math.random() * 2 - 1;
    return buf;
  }
}

/**
 * Sound for a page with a BlinkshotClient: hub messages and states become cues, the top bar
 * gets the volume, mute and "click to enable sound" controls (index.html #sound), M mutes.
 * `me()` returns this window's player id (or null). Returns the Sound.
 */
export function setupSound(client, { me = () => null } = {}) {
  const sound = new Sound();
  const positions = new Map(); // player id -> [x, y], from the latest state
  let prev = null;
  const ctx = () => ({
    me: me(),
    arenaW: client.welcome?.rules?.arena_w ?? client.welcome?.arena?.w ?? 1600,
    positionOf: (id) => positions.get(id) ?? null,
  });
  const age = (msg) => (Number.isFinite(msg.t) ? Math.max(0, client.hubNow() - msg.t) : 0);
  client.on("welcome", () => {
    prev = null; // a new connection's first state is not news
  });
  client.on("state", (msg) => {
    sound.play(cuesForState(prev, msg, ctx()), age(msg));
    prev = msg;
    positions.clear();
    for (const p of msg.players ?? []) positions.set(p.id, [p.x, p.y]);
  });
  client.on("*", (msg) => {
    if (msg.type !== "state") sound.play(cuesForMessage(msg, ctx()), age(msg));
  });
  controls(sound);
  if (globalThis.window?.blinkshot) window.blinkshot.sound = sound;
  return sound;
}

function controls(sound) {
  const $ = (id) => document.getElementById(id);
  const mute = $("sound-mute");
  const volume = $("sound-volume");
  const hint = $("sound-enable");
  if (!mute || !volume || !hint) return;
  let held = false; // a pointer is down (see below)
  const show = () => {
    // The icon (an SVG in index.html) shows a cross whenever nothing is heard.
    mute.dataset.silent = String(sound.muted || sound.volume === 0);
    mute.setAttribute("aria-pressed", String(sound.muted));
    volume.value = String(Math.round(sound.volume * 100));
    if (!held) hint.hidden = sound.running || !sound.Context;
  };
  // Hiding the hint moves the centred top bar: wait until the pointer is released, so the
  // press that started audio still clicks what it pressed (the first click on mute mutes).
  window.addEventListener("pointerdown", () => (held = true), true);
  for (const type of ["pointerup", "pointercancel"]) {
    window.addEventListener(type, () => ((held = false), show()), true);
  }
  sound.onchange = show;
  show();
  const start = () => sound.start().catch(() => {});
  // Any first gesture on the page starts audio; the hint is one more place to click.
  for (const type of ["pointerdown", "keydown"]) window.addEventListener(type, start, { once: true });
  hint.onclick = start;
  mute.onclick = () => sound.set({ muted: !sound.muted });
  volume.oninput = () => sound.set({ volume: Number(volume.value) / 100, muted: false });
  window.addEventListener("keydown", (e) => {
    if (e.code !== "KeyM" || e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target?.tagName === "INPUT" && e.target.type !== "range") return;
    sound.set({ muted: !sound.muted });
  });
}
