// Blinkshot wire protocol v1 codec (docs/protocol.md). Pure: bytes and objects in, bytes and
// objects out; no sockets, no DOM. The shared vectors in tests/vectors/protocol_v1.json are the
// reference, checked by tests/js/codec.test.js.

export const PROTO = 1;

// Controller -> hub message types.
export const HELLO = 0x03;
export const INPUT = 0x01;
export const TELEMETRY = 0x02;
// Hub -> controller message types.
export const WELCOME = 0x81;
export const FEEDBACK = 0x82;

// Close codes, named once (docs/protocol.md, "Close codes").
export const Close = Object.freeze({
  GOING_AWAY: 1001,
  WRONG_FRAME_KIND: 1003,
  TOO_BIG: 1009,
  BAD_VERSION: 4000,
  MALFORMED: 4001,
  UNKNOWN_TYPE: 4002,
  NO_HELLO: 4003,
  BAD_CODE: 4004,
  RATE_LIMIT: 4005,
  TOO_SLOW: 4006,
  FULL: 4007,
  REPLACED: 4008,
});

// Button bits in `buttons` and index in `presses`.
export const BUTTONS = Object.freeze({ blink: 0, shoot: 1, stick: 2 });
export const FEEDBACK_KINDS = Object.freeze({ 1: "hit", 2: "death", 3: "respawn" });

/**
 * Button `name` went down or up in `input` ({buttons, presses}); a down bumps its press counter.
 * Returns false when nothing changed (the button was already in that state).
 */
export function setInputButton(input, name, down) {
  const index = BUTTONS[name];
  if (index === undefined) throw new Error(`unknown button ${name}; use blink, shoot or stick`);
  const bit = 1 << index;
  if (((input.buttons & bit) !== 0) === down) return false;
  input.buttons = down ? input.buttons | bit : input.buttons & ~bit;
  if (down) input.presses[index] = (input.presses[index] + 1) & 0xff;
  return true;
}

const INPUT_LEN = 11;
const TELEMETRY_LEN = 6;
const WELCOME_LEN = 6;
const FEEDBACK_LEN = 4;
const HELLO_JSON_MAX = 1024;
const STICK_MAX = 1000;
const NAME_MAX = 16;
const CHAT_MAX = 200;
const BOTS_MAX = 15; // hub/codec.py MAX_BOTS: one of a room's 16 seats stays free for a human
const ID_RE = /^[0-9a-f]{4,32}$/;
const TOKEN_RE = /^[A-Za-z0-9_-]{4,32}$/;

/** A frame that breaks the protocol; `code` is the close code the hub answers it with. */
export class ProtocolError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
  }
}

const malformed = (msg) => new ProtocolError(Close.MALFORMED, msg);
const isInt = (v, lo, hi) => Number.isInteger(v) && v >= lo && v <= hi;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError("expected binary data (Uint8Array or ArrayBuffer)");
}

function checkStick(name, v) {
  if (!isInt(v, -STICK_MAX, STICK_MAX)) {
    throw malformed(`${name} must be an integer in -1000..1000, got ${v}`);
  }
}

function checkPresses(presses) {
  if (!Array.isArray(presses) || presses.length !== 3 || !presses.every((p) => isInt(p, 0, 255))) {
    throw malformed("presses must be [blink, shoot, stick], each an integer 0..255");
  }
}

// ---- controller -> hub -------------------------------------------------------------------

/**
 * Hello: type, protocol version, compact UTF-8 JSON {id, fw, name, reset, config[, kind]}.
 * `kind` ("controller" | "phone") is added only when given, so firmware hellos stay as they are.
 */
export function encodeHello({ id, fw = "", name = "", reset = "unknown", config = {}, kind }, proto = PROTO) {
  if (typeof id !== "string" || !ID_RE.test(id)) {
    throw malformed("hello id must be 4-32 lowercase hex digits");
  }
  const body = { id, fw, name, reset, config };
  if (kind !== undefined) body.kind = kind;
  const json = encoder.encode(JSON.stringify(body));
  if (json.length > HELLO_JSON_MAX) throw malformed("hello JSON is longer than 1024 bytes");
  const out = new Uint8Array(2 + json.length);
  out[0] = HELLO;
  out[1] = proto;
  out.set(json, 2);
  return out;
}

/** Input: 11 bytes; seq u16, held buttons, three u8 press counters, stick x/y i16. */
export function encodeInput({ seq, buttons = 0, presses = [0, 0, 0], x = 0, y = 0 }) {
  if (!isInt(seq, 0, 0xffff)) throw malformed("seq must be an integer 0..65535");
  if (!isInt(buttons, 0, 7)) throw malformed("buttons must use only bits 0-2 (blink, shoot, stick)");
  checkPresses(presses);
  checkStick("x", x);
  checkStick("y", y);
  const out = new Uint8Array(INPUT_LEN);
  const view = new DataView(out.buffer);
  out[0] = INPUT;
  view.setUint16(1, seq);
  out[3] = buttons;
  out.set(presses, 4);
  view.setInt16(7, x);
  view.setInt16(9, y);
  return out;
}

/** Telemetry: RSSI dBm (i8, 0 unknown), battery mV (u16), free heap KiB (u16). */
export function encodeTelemetry({ rssi = 0, battery_mv = 0, heap_kb = 0 }) {
  if (!isInt(rssi, -128, 127)) throw malformed("rssi must be an integer -128..127");
  if (!isInt(battery_mv, 0, 0xffff)) throw malformed("battery_mv must be an integer 0..65535");
  if (!isInt(heap_kb, 0, 0xffff)) throw malformed("heap_kb must be an integer 0..65535");
  const out = new Uint8Array(TELEMETRY_LEN);
  const view = new DataView(out.buffer);
  out[0] = TELEMETRY;
  view.setInt8(1, rssi);
  view.setUint16(2, battery_mv);
  view.setUint16(4, heap_kb);
  return out;
}

function decodeHello(b) {
  if (b.length < 3) throw malformed("hello needs a JSON object after the version byte");
  if (b[1] !== PROTO) {
    throw new ProtocolError(Close.BAD_VERSION, `protocol version ${b[1]} is not supported; use 1`);
  }
  if (b.length - 2 > HELLO_JSON_MAX) throw malformed("hello JSON is longer than 1024 bytes");
  let body;
  try {
    body = JSON.parse(decoder.decode(b.subarray(2)));
  } catch {
    throw malformed("hello is not valid UTF-8 JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw malformed("hello JSON must be an object");
  }
  if (typeof body.id !== "string" || !ID_RE.test(body.id)) {
    throw malformed("hello id must be 4-32 lowercase hex digits");
  }
  return { type: "hello", proto: b[1], ...body };
}

function decodeInput(b) {
  if (b.length !== INPUT_LEN) throw malformed(`input must be 11 bytes, got ${b.length}`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const frame = {
    type: "input",
    seq: view.getUint16(1),
    buttons: b[3],
    presses: [b[4], b[5], b[6]],
    x: view.getInt16(7),
    y: view.getInt16(9),
  };
  if (frame.buttons & ~7) throw malformed("input buttons use bits other than 0-2");
  checkStick("x", frame.x);
  checkStick("y", frame.y);
  return frame;
}

function decodeTelemetry(b) {
  if (b.length !== TELEMETRY_LEN) throw malformed(`telemetry must be 6 bytes, got ${b.length}`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    type: "telemetry",
    rssi: view.getInt8(1),
    battery_mv: view.getUint16(2),
    heap_kb: view.getUint16(4),
  };
}

/** Decode one controller -> hub message; throws ProtocolError carrying the close code. */
export function decodeControllerFrame(data) {
  const b = toBytes(data);
  if (b.length === 0) throw malformed("empty message");
  switch (b[0]) {
    case HELLO:
      return decodeHello(b);
    case INPUT:
      return decodeInput(b);
    case TELEMETRY:
      return decodeTelemetry(b);
    default:
      throw new ProtocolError(Close.UNKNOWN_TYPE, `unknown message type 0x${b[0].toString(16)}`);
  }
}

// ---- hub -> controller -------------------------------------------------------------------

export function encodeWelcome({ proto = PROTO, slot, color }) {
  if (!isInt(slot, 0, 255)) throw malformed("slot must be an integer 0..255");
  if (!Array.isArray(color) || color.length !== 3 || !color.every((c) => isInt(c, 0, 255))) {
    throw malformed("color must be [r, g, b], each 0..255");
  }
  return Uint8Array.of(WELCOME, proto, slot, ...color);
}

export function encodeFeedback({ kind, ms }) {
  if (!isInt(kind, 0, 255)) throw malformed("feedback kind must be an integer 0..255");
  if (!isInt(ms, 0, 0xffff)) throw malformed("feedback ms must be an integer 0..65535");
  return Uint8Array.of(FEEDBACK, kind, ms >> 8, ms & 0xff);
}

/** Decode one hub -> controller message; throws ProtocolError for anything else. */
export function decodeHubFrame(data) {
  const b = toBytes(data);
  if (b.length === 0) throw malformed("empty message");
  if (b[0] === WELCOME) {
    if (b.length !== WELCOME_LEN) throw malformed(`welcome must be 6 bytes, got ${b.length}`);
    return { type: "welcome", proto: b[1], slot: b[2], color: [b[3], b[4], b[5]] };
  }
  if (b[0] === FEEDBACK) {
    if (b.length !== FEEDBACK_LEN) throw malformed(`feedback must be 4 bytes, got ${b.length}`);
    return { type: "feedback", kind: b[1], ms: (b[2] << 8) | b[3] };
  }
  throw new ProtocolError(Close.UNKNOWN_TYPE, `unknown hub message type 0x${b[0].toString(16)}`);
}

/** "#rrggbb" from [r, g, b]. */
export function colorHex([r, g, b]) {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

// ---- window <-> hub (JSON text) -------------------------------------------------------------

/** Hub -> window: one WebSocket text message holds one object or an array of them. */
export function parseHubMessages(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed("hub message is not valid JSON");
  }
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) {
    if (item === null || typeof item !== "object" || typeof item.type !== "string") {
      throw malformed("hub message items must be objects with a string type");
    }
  }
  return items;
}

function checkAim(aim) {
  if (aim === undefined) return;
  if (!Array.isArray(aim) || aim.length !== 2) throw malformed("aim must be [x, y]");
  checkStick("aim x", aim[0]);
  checkStick("aim y", aim[1]);
}

const WINDOW_CHECKS = {
  join(m) {
    const name = typeof m.name === "string" ? m.name.trim() : "";
    if (name.length < 1 || name.length > NAME_MAX) throw malformed("name must be 1-16 characters");
    if (m.id !== undefined && (typeof m.id !== "string" || !TOKEN_RE.test(m.id))) {
      throw malformed("join id must be 4-32 characters of A-Z a-z 0-9 _ -");
    }
    if (m.kind !== undefined && m.kind !== "keyboard" && m.kind !== "gamepad") {
      throw malformed("join kind must be 'keyboard' or 'gamepad'");
    }
  },
  input(m) {
    if (!isInt(m.seq, 0, 0xffff)) throw malformed("seq must be an integer 0..65535");
    if (!isInt(m.buttons, 0, 7)) throw malformed("buttons must use only bits 0-2");
    checkPresses(m.presses);
    checkStick("x", m.x);
    checkStick("y", m.y);
    checkAim(m.aim);
  },
  message(m) {
    if (typeof m.text !== "string" || m.text.length < 1 || m.text.length > CHAT_MAX) {
      throw malformed("chat text must be 1-200 characters");
    }
  },
  bots(m) {
    if (!isInt(m.count, 0, BOTS_MAX)) throw malformed(`bots count must be an integer 0..${BOTS_MAX}`);
  },
  ping(m) {
    if (!Number.isFinite(m.id) || !Number.isFinite(m.t)) throw malformed("ping needs numeric id and t");
  },
};

/** Check a window -> hub message the way the hub will; throws ProtocolError if it would close. */
export function checkWindowMessage(msg) {
  if (msg === null || typeof msg !== "object" || Array.isArray(msg)) {
    throw malformed("a window message must be a JSON object");
  }
  const check = WINDOW_CHECKS[msg.type];
  if (!check) throw new ProtocolError(Close.UNKNOWN_TYPE, `unknown message type ${msg.type}`);
  check(msg);
  return msg;
}

/** Validate and serialise a window -> hub message. */
export function encodeWindowMessage(msg) {
  return JSON.stringify(checkWindowMessage(msg));
}

/** Parse text a window would send, as the hub does (for tests and tools). */
export function parseWindowMessage(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed("window message is not valid JSON");
  }
  return checkWindowMessage(value);
}
