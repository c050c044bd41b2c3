// Gamepads as players: a pure mapping from the browser's Gamepad state (the W3C "standard"
// layout) to the game's input, and a tracker that turns a poll of every pad into actions
// (join, leave, input). pads.js does the polling and the networking.
//
// Left stick moves. The right stick aims, or the d-pad (8 directions) on pads without one;
// with neither held the aim follows the movement, as on a home-made controller. RT or A
// shoots, LT or B blinks, the left stick press is the stick button, Start joins or leaves.

export const DEAD_ZONE = 0.15; // of full deflection: worn sticks rest a little off centre
export const TRIGGER = 0.5; // an analog trigger counts as pressed past half way
export const BUTTON = {
  A: 0,
  B: 1,
  X: 2,
  Y: 3,
  LB: 4,
  RB: 5,
  LT: 6,
  RT: 7,
  BACK: 8,
  START: 9,
  LS: 10,
  RS: 11,
  UP: 12,
  DOWN: 13,
  LEFT: 14,
  RIGHT: 15,
};

/** A stick's axes (-1..1) as the game's stick (-1000..1000): a round dead zone, the rest
 * rescaled so the first movement past it starts from zero and full deflection is 1000. */
export function stickFromAxes(x, y, deadZone = DEAD_ZONE) {
  x = Number.isFinite(x) ? x : 0;
  y = Number.isFinite(y) ? y : 0;
  const mag = Math.hypot(x, y);
  if (mag <= deadZone) return [0, 0];
  const k = Math.min(1, (mag - deadZone) / (1 - deadZone)) / mag;
  return [clamp(Math.round(x * k * 1000)), clamp(Math.round(y * k * 1000))];
}

function clamp(v) {
  return Math.max(-1000, Math.min(1000, v)) || 0; // || 0: no -0 on the wire
}

function pressed(pad, i) {
  const b = pad.buttons?.[i];
  if (b === undefined || b === null) return false;
  if (typeof b === "number") return b >= TRIGGER; // very old browsers: plain numbers
  return Boolean(b.pressed) || (Number(b.value) || 0) >= TRIGGER;
}

/** One pad's state as game input: {stick, aim (or null), shoot, blink, stickPress, start}. */
export function readPad(pad, deadZone = DEAD_ZONE) {
  const ax = pad.axes ?? [];
  const stick = stickFromAxes(ax[0], ax[1], deadZone);
  let aim = null;
  const right = stickFromAxes(ax[2], ax[3], deadZone);
  if (right[0] !== 0 || right[1] !== 0) {
    aim = right;
  } else {
    const dx = pressed(pad, BUTTON.RIGHT) - pressed(pad, BUTTON.LEFT);
    const dy = pressed(pad, BUTTON.DOWN) - pressed(pad, BUTTON.UP);
    if (dx !== 0 || dy !== 0) {
      const n = Math.hypot(dx, dy);
      aim = [Math.round((dx / n) * 1000), Math.round((dy / n) * 1000)];
    }
  }
  return {
    stick,
    aim,
    shoot: pressed(pad, BUTTON.RT) || pressed(pad, BUTTON.A),
    blink: pressed(pad, BUTTON.LT) || pressed(pad, BUTTON.B),
    stickPress: pressed(pad, BUTTON.LS),
    start: pressed(pad, BUTTON.START),
  };
}

/**
 * Follows every pad between polls. `update(pads)` takes navigator.getGamepads()'s array and
 * returns actions in order: {type: "join", index}, {type: "leave", index}, and
 * {type: "input", index, stick, aim, shoot, blink, stickPress} when a joined pad's input
 * changed. Start toggles join/leave on its press, not while held; a pad that disconnects
 * leaves. Several pads are several players, told apart by their index.
 */
export class PadTracker {
  constructor({ deadZone = DEAD_ZONE } = {}) {
    this.deadZone = deadZone;
    this.pads = new Map(); // index -> {joined, start, last}
  }

  update(pads) {
    const out = [];
    const present = new Set();
    for (const pad of Array.from(pads ?? [])) {
      if (!pad || pad.connected === false) continue;
      present.add(pad.index);
      const st = this.pads.get(pad.index) ?? { joined: false, start: false, last: null };
      this.pads.set(pad.index, st);
      const now = readPad(pad, this.deadZone);
      if (now.start && !st.start) {
        st.joined = !st.joined;
        st.last = null;
        out.push({ type: st.joined ? "join" : "leave", index: pad.index });
      }
      st.start = now.start;
      if (!st.joined) continue;
      const { start, ...input } = now;
      const key = JSON.stringify(input);
      if (key !== st.last) {
        st.last = key;
        out.push({ type: "input", index: pad.index, ...input });
      }
    }
    for (const [index, st] of this.pads) {
      if (present.has(index)) continue;
      if (st.joined) out.push({ type: "leave", index });
      this.pads.delete(index);
    }
    return out;
  }

  /** Indexes of the pads playing now. */
  joined() {
    return [...this.pads].filter(([, st]) => st.joined).map(([i]) => i);
  }
}
