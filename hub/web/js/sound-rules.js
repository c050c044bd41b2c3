// Which game event plays which sound, where and how loud: pure, no Web Audio (audio.js plays
// what this decides). Input is the hub's messages and states; output is cues:
//   { sound, pan (-1 left .. 1 right), gain (0..1, before the master volume), delay (ms) }
// Sounds: shoot, blink, hit, ko, respawn, round_start, round_end, join.

/** Per sound: loudness, and the least time between two of them (a burst plays once). */
export const SOUNDS = {
  shoot: { gain: 0.35, gapMs: 45 },
  blink: { gain: 0.5, gapMs: 60 },
  hit: { gain: 0.6, gapMs: 40 },
  ko: { gain: 0.9, gapMs: 120 },
  respawn: { gain: 0.45, gapMs: 120 },
  round_start: { gain: 0.8, gapMs: 1000 },
  round_end: { gain: 0.9, gapMs: 1000 },
  join: { gain: 0.5, gapMs: 300 },
};

export const MINE_BOOST = 1.6; // what happens to (or by) this window's own player is louder
export const PAN_WIDTH = 0.8; // never hard left or right: a sound at the edge still reaches both ears
export const STALE_MS = 400; // events older than this (a background tab's backlog) stay silent
export const MAX_VOICES = 8; // sounds started in any VOICE_WINDOW_MS; more are dropped
export const VOICE_WINDOW_MS = 100;
export const ROUND_START_DELAY_MS = 1200; // the new round's sound follows the old round's end

/** Stereo position of world x in an arena `w` wide: left edge -PAN_WIDTH, right +PAN_WIDTH. */
export function panFor(x, w) {
  if (!Number.isFinite(x) || !(w > 0)) return 0;
  const p = (x / w) * 2 - 1;
  return Math.max(-1, Math.min(1, p)) * PAN_WIDTH;
}

/** The cues one hub message asks for. `ctx`: {me, arenaW, positionOf(id) -> [x, y] | null}. */
export function cuesForMessage(msg, ctx) {
  const at = (x) => panFor(x, ctx.arenaW);
  const who = (id) => at(ctx.positionOf(id)?.[0]);
  const mine = (...ids) => ctx.me != null && ids.includes(ctx.me);
  switch (msg.type) {
    case "shoot":
      return [cue("shoot", at(msg.projectile?.x), mine(msg.id))];
    case "blink":
      return [cue("blink", at(msg.to?.[0]), mine(msg.id))];
    case "hit":
      return [cue(msg.dead ? "ko" : "hit", who(msg.id), mine(msg.id, msg.by))];
    case "create_player":
      return [cue("join", at(msg.player?.x), mine(msg.player?.id))];
    default:
      return [];
  }
}

/** The cues a new state asks for against the one before: respawns, and a round's end and the
 * next one's start (with the hub's lobby: when its countdown ends). The first state of a
 * connection (prev = null) is silent. */
export function cuesForState(prev, next, ctx) {
  if (!prev || !next) return [];
  const out = [];
  const before = new Map((prev.players ?? []).map((p) => [p.id, p]));
  const ended = prev.round && next.round && next.round.n > prev.round.n;
  const lobby = next.round?.phase !== undefined && next.round.phase !== "playing";
  if (ended) {
    out.push(cue("round_end", 0, false));
    // Without a lobby the next round starts at once; with one, after its countdown (below).
    if (!lobby) out.push({ ...cue("round_start", 0, false), delay: ROUND_START_DELAY_MS });
    return out; // everyone is placed again at a new round: no respawn sounds on top
  }
  if (prev.round?.phase === "countdown" && next.round?.phase === "playing") {
    out.push(cue("round_start", 0, false));
  }
  for (const p of next.players ?? []) {
    const b = before.get(p.id);
    if (b && !b.alive && p.alive) out.push(cue("respawn", panFor(p.x, ctx.arenaW), p.id === ctx.me));
  }
  return out;
}

function cue(sound, pan, mine) {
  const gain = Math.min(1, SOUNDS[sound].gain * (mine ? MINE_BOOST : 1));
  return { sound, pan: pan ?? 0, gain, delay: 0, mine: Boolean(mine) };
}

/**
 * Decides which cues actually play: not when muted, not stale, at most one of a sound per its
 * gap, at most MAX_VOICES at once; scales the gain by the volume (0..1).
 */
export class Mixer {
  constructor({ volume = 0.7, muted = false } = {}) {
    this.volume = volume;
    this.muted = muted;
    this.last = new Map(); // sound -> time it last played
    this.recent = []; // start times of the sounds in the voice window
  }

  /** The cue as it should play at `now` (ms), or null. `age`: ms since the event happened. */
  admit(c, now, age = 0) {
    if (this.muted || this.volume <= 0 || age > STALE_MS) return null;
    const start = now + (c.delay ?? 0);
    const prev = this.last.get(c.sound);
    if (prev !== undefined && start - prev < SOUNDS[c.sound].gapMs) return null;
    this.recent = this.recent.filter((t) => now - t < VOICE_WINDOW_MS);
    if (this.recent.length >= MAX_VOICES) return null;
    this.recent.push(now);
    this.last.set(c.sound, start);
    return { ...c, gain: c.gain * this.volume };
  }
}

const KEY = "blinkshot.sound";

/** Volume and mute as remembered in `storage` (localStorage), with safe defaults. */
export function loadSettings(storage) {
  let saved = null;
  try {
    saved = JSON.parse(storage?.getItem(KEY) ?? "null");
  } catch {
    saved = null; // a damaged entry: defaults
  }
  const v = Number(saved?.volume);
  return {
    volume: Number.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0.7,
    muted: saved?.muted === true,
  };
}

export function saveSettings(storage, { volume, muted }) {
  try {
    storage?.setItem(KEY, JSON.stringify({ volume, muted }));
  } catch {
    // Storage full or blocked (private mode): the setting lasts this visit only.
  }
}
