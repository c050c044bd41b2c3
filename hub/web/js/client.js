// Blinkshot window client: a small reusable network layer for browser games on a Blinkshot hub.
// It owns the WebSocket (connect, reconnect with backoff), parses hub messages (one object or an
// array per WebSocket message), keeps the player list, measures round-trip time and the hub's
// clock offset, and sends keyboard/touch input. No DOM, no drawing. See docs/js-client.md.

import {
  Close,
  checkWindowMessage,
  encodeWindowMessage,
  parseHubMessages,
  setInputButton,
} from "./codec.js";

// Close codes that a retry would only repeat: stop and tell the user instead of looping.
const FATAL_CLOSES = new Set([
  Close.WRONG_FRAME_KIND,
  Close.TOO_BIG,
  Close.BAD_VERSION,
  Close.MALFORMED,
  Close.UNKNOWN_TYPE,
  Close.BAD_CODE,
]);
const ALIASES = { create_player: "player_joined", remove_player: "player_left" };
const OFFSET_SAMPLES = 8;
const BOUND_BUCKET_MS = 5000;

/** ws:// URL of a hub's window endpoint; `base` may be http(s):// or ws(s)://, with or without path. */
export function windowUrl(base, { room = "default", code = null } = {}) {
  const url = new URL(base);
  url.protocol = url.protocol === "https:" || url.protocol === "wss:" ? "wss:" : "ws:";
  if (!url.pathname.startsWith("/ws/")) url.pathname = "/ws/window";
  url.searchParams.set("room", room);
  if (code) url.searchParams.set("code", String(code));
  return url.toString();
}

/** Reconnect delay for the n-th attempt (0-based): exponential, capped, with +-jitter. */
export function backoffDelay(
  attempt,
  { first = 250, max = 8000, factor = 2, jitter = 0.2 } = {},
  random = Math.random,
) {
  const base = Math.min(max, first * factor ** attempt);
  return Math.round(base * (1 - jitter + 2 * jitter * random()));
}

export class BlinkshotClient {
  /**
   * @param {object} opts
   * @param {string} opts.url  hub base URL (http(s)://host:port or ws(s)://...); see windowUrl
   * @param {string} [opts.room]  room name, default "default"
   * @param {string} [opts.code]  six-digit pairing code
   * @param {Function} [opts.WebSocket]  WebSocket constructor (browser API); default the global
   * @param {object} [opts.backoff]  {first, max, factor, jitter} in ms, see backoffDelay
   * @param {number} [opts.pingEvery]  ms between pings once welcomed (0 = never)
   * @param {number} [opts.inputInterval]  minimum ms between input frames (coalesces mouse aim)
   * @param {Function} [opts.now]  clock in ms (Unix epoch), default Date.now
   */
  constructor(opts) {
    this.url = opts.url;
    this.room = opts.room ?? "default";
    this.code = opts.code ?? null;
    this.WebSocket = opts.WebSocket ?? globalThis.WebSocket;
    this.backoff = opts.backoff ?? {};
    this.pingEvery = opts.pingEvery ?? 2000;
    this.inputInterval = opts.inputInterval ?? 33;
    this.now = opts.now ?? (() => Date.now());

    this.ws = null;
    this.welcome = null;
    this.state = null;
    this.players = new Map();
    this.rtt = null;
    this.clockOffset = null; // hub clock minus ours, ms
    this.attempt = 0;
    this.joinedAs = null;
    this.player = null; // our player id, from the hub's "joined" answer
    this.link = null; // the hub's last "status" while the game is not live there, else null

    this._handlers = new Map();
    this._stopped = true;
    this._reconnectTimer = null;
    this._pingTimer = null;
    this._pingId = 0;
    this._offsetSamples = [];
    this._pingOffset = null;
    this._bounds = [-Infinity, -Infinity]; // largest (msg.t - arrival) this bucket and the last
    this._boundSince = -Infinity;
    this._input = { seq: 0, buttons: 0, presses: [0, 0, 0], x: 0, y: 0, aim: null };
    this._lastInputAt = -Infinity;
    this._inputTimer = null;
  }

  // ---- events ----

  /** Subscribe to an event ("welcome", "state", "move", ..., "*" for every hub message). */
  on(type, fn) {
    if (!this._handlers.has(type)) this._handlers.set(type, new Set());
    this._handlers.get(type).add(fn);
    return () => this.off(type, fn);
  }

  off(type, fn) {
    this._handlers.get(type)?.delete(fn);
  }

  _emit(type, ...args) {
    for (const fn of this._handlers.get(type) ?? []) {
      try {
        fn(...args);
      } catch (err) {
        // One broken handler must not stop the others or the socket.
        console.error(`blinkshot client: ${type} handler failed`, err);
      }
    }
  }

  // ---- connection ----

  get connected() {
    return this.ws !== null && this.ws.readyState === 1 && this.welcome !== null;
  }

  /** Open the connection; it reconnects by itself until close() or a fatal close code. */
  connect() {
    this._stopped = false;
    clearTimeout(this._reconnectTimer);
    this._reconnectTimer = null;
    this._open();
    return this;
  }

  /** Close for good (no reconnect). */
  close(code = 1000, reason = "window closed") {
    this._stopped = true;
    clearTimeout(this._reconnectTimer);
    this._stopTimers();
    if (this.ws) this.ws.close(code, reason);
  }

  _open() {
    const url = windowUrl(this.url, { room: this.room, code: this.code });
    let ws;
    try {
      ws = new this.WebSocket(url);
    } catch (err) {
      this._emit("error", err);
      this._scheduleReconnect(1006, String(err.message ?? err));
      return;
    }
    this.ws = ws;
    this.welcome = null;
    ws.onopen = () => this._emit("open", { url, attempt: this.attempt });
    ws.onmessage = (ev) => this._receive(ev.data);
    ws.onerror = () => {}; // the close event that follows carries what we report
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this._stopTimers();
      this._scheduleReconnect(ev.code, ev.reason);
    };
  }

  _scheduleReconnect(code, reason) {
    const fatal = FATAL_CLOSES.has(code);
    const reconnect = !this._stopped && !fatal;
    const delay = reconnect ? backoffDelay(this.attempt, this.backoff) : null;
    this.welcome = null;
    this._emit("close", { code, reason, reconnect, delay, fatal });
    if (!reconnect) {
      this._stopped = true;
      return;
    }
    this.attempt += 1;
    this._emit("reconnecting", { attempt: this.attempt, delay });
    this._reconnectTimer = setTimeout(() => {
      this._reconnectTimer = null;
      if (!this._stopped) this._open();
    }, delay);
  }

  _stopTimers() {
    clearInterval(this._pingTimer);
    clearTimeout(this._inputTimer);
    this._pingTimer = null;
    this._inputTimer = null;
  }

  // ---- receiving ----

  _receive(data) {
    const at = this.now();
    if (typeof data !== "string") {
      this._emit("error", new Error("binary message on the window endpoint; ignored"));
      return;
    }
    let items;
    try {
      items = parseHubMessages(data);
    } catch (err) {
      this._emit("error", err);
      return;
    }
    for (const msg of items) this._handle(msg, at);
  }

  _handle(msg, at) {
    if (Number.isFinite(msg.t) && msg.type !== "pong") this._noteStamp(msg.t, at);
    switch (msg.type) {
      case "welcome":
        this.welcome = msg;
        this.link = null; // a hub that is still cut off says so right after its welcome
        this.attempt = 0;
        this._offsetSamples = [];
        this._pingOffset = null;
        this._bounds = [-Infinity, -Infinity];
        if (Number.isFinite(msg.hub_t)) this._noteStamp(msg.hub_t, at);
        this._startPinging();
        if (this.joinedAs !== null) this._sendJoin(this.joinedAs);
        break;
      case "state":
        this.state = msg;
        this.players = new Map((msg.players ?? []).map((p) => [p.id, p]));
        break;
      case "create_player":
        if (msg.player) this.players.set(msg.player.id, msg.player);
        break;
      case "remove_player":
        this.players.delete(msg.id);
        break;
      case "pong":
        this._onPong(msg, at);
        break;
      case "status":
        this.link = msg.game === "live" ? null : msg;
        break;
      case "joined":
        // The hub's answer to our join: our player id and a fresh resume token. The next join
        // (after a reconnect) sends the token, so this connection's player is kept.
        this.player = msg.player;
        if (this.joinedAs !== null && typeof msg.token === "string") this.joinedAs.id = msg.token;
        break;
    }
    this._emit(msg.type, msg, at);
    if (ALIASES[msg.type]) this._emit(ALIASES[msg.type], msg, at);
    this._emit("*", msg, at);
  }

  _startPinging() {
    clearInterval(this._pingTimer);
    this.ping();
    if (this.pingEvery > 0) this._pingTimer = setInterval(() => this.ping(), this.pingEvery);
  }

  _onPong(msg, at) {
    if (!Number.isFinite(msg.t)) return;
    this.rtt = at - msg.t;
    if (!Number.isFinite(msg.hub_t)) return;
    // The hub stamped hub_t about half a round trip after we sent; keep the estimate from the
    // fastest recent round trip, the one least blurred by queueing.
    this._offsetSamples.push({ rtt: this.rtt, offset: msg.hub_t - (msg.t + this.rtt / 2) });
    if (this._offsetSamples.length > OFFSET_SAMPLES) this._offsetSamples.shift();
    const best = this._offsetSamples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
    this._pingOffset = best.offset;
    this._noteStamp(msg.hub_t, at);
    this._setOffset();
    this._emit("rtt", { rtt: this.rtt, clockOffset: this.clockOffset });
  }

  /** A message the hub stamped `t` arrived at `at`: the hub's clock is at least `t - at` ahead
   * of ours (messages do not arrive before they are sent). Kept per 5 s bucket so that a hub
   * clock stepped back is followed within 10 s. */
  _noteStamp(t, at) {
    if (at - this._boundSince > BOUND_BUCKET_MS) {
      this._bounds = [-Infinity, this._bounds[0]];
      this._boundSince = at;
    }
    if (t - at > this._bounds[0]) {
      this._bounds[0] = t - at;
      this._setOffset();
    }
  }

  /** The clock offset: the bound every stamped hub message gives (short of the truth by the
   * fastest one-way trip of the last seconds: well under a millisecond on one machine, a few on
   * WiFi), or before any, the ping estimate. A ping's estimate can be off by half its round
   * trip, and the first pings, sent while a page loads, are slow; the bound never runs ahead. */
  _setOffset() {
    const bound = Math.max(...this._bounds);
    const best = Number.isFinite(bound) ? bound : this._pingOffset;
    if (best !== null && best !== undefined) this.clockOffset = best;
  }

  /** The hub's clock now (ms, Unix epoch), from the measured offset. */
  hubNow() {
    return this.now() + (this.clockOffset ?? 0);
  }

  /** ms from the hub stamping `msg.t` to our receiving it at local time `at`. */
  latency(msg, at) {
    if (!Number.isFinite(msg?.t) || this.clockOffset === null) return null;
    return at + this.clockOffset - msg.t;
  }

  // ---- sending ----

  /** Send one window -> hub message; validated first (throws on a bad one). False if offline. */
  send(msg) {
    const text = encodeWindowMessage(msg);
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(text);
    return true;
  }

  ping() {
    this._pingId += 1;
    return this.send({ type: "ping", id: this._pingId, t: this.now() });
  }

  /** Send a chat line (1-200 characters). */
  /** Set the room's bots (0..15, as the hub's --bots); any window of the room may. */
  setBots(count) {
    return this.send({ type: "bots", count });
  }

  chat(text) {
    return this.send({ type: "message", text });
  }

  /**
   * Play from this window as a keyboard/touch player; repeated after every reconnect. `id`, if
   * given, is a resume token the hub sent in an earlier "joined" message (kept e.g. in
   * sessionStorage): it resumes that player after a reload. The hub answers every join with
   * "joined" {player, token}; the client resends the newest token after a reconnect.
   * `kind` "gamepad" shows the player as a gamepad player (default: keyboard).
   */
  join(name, id, kind) {
    const msg = id === undefined ? { type: "join", name } : { type: "join", name, id };
    if (kind !== undefined) msg.kind = kind;
    checkWindowMessage(msg); // throws on a bad name before remembering it
    this.joinedAs = msg;
    return this.connected ? this._sendJoin(msg) : false;
  }

  _sendJoin(msg) {
    const sent = this.send(msg);
    // The hub takes a connection's first input frame as the baseline for the press counters;
    // send it now so the player's first real press is not swallowed.
    this._input.seq = 0;
    this._sendInputNow();
    return sent;
  }

  /** Stick deflection, each -1000..1000 (rounded and clamped). */
  setStick(x, y) {
    const i = this._input;
    const nx = clampStick(x);
    const ny = clampStick(y);
    if (nx === i.x && ny === i.y) return;
    i.x = nx;
    i.y = ny;
    this._queueInput();
  }

  /** Aim direction, each -1000..1000, or null to aim where the stick points. */
  setAim(x, y) {
    const aim = x === null ? null : [clampStick(x), clampStick(y)];
    const old = this._input.aim;
    if (aim === old || (aim && old && aim[0] === old[0] && aim[1] === old[1])) return;
    this._input.aim = aim;
    this._queueInput();
  }

  /** Button "blink" | "shoot" | "stick" went down or up; a down counts one press. */
  setButton(name, down) {
    if (setInputButton(this._input, name, down)) this._queueInput();
  }

  /** A press and release in one go (the counter carries it even if both land in one frame). */
  tap(name) {
    this.setButton(name, true);
    this.setButton(name, false);
  }

  _queueInput() {
    if (this._inputTimer !== null) return;
    const wait = this._lastInputAt + this.inputInterval - this.now();
    if (wait <= 0) {
      this._sendInputNow();
    } else {
      this._inputTimer = setTimeout(() => {
        this._inputTimer = null;
        this._sendInputNow();
      }, wait);
    }
  }

  _sendInputNow() {
    if (!this.connected || this.joinedAs === null) return false;
    const i = this._input;
    i.seq = (i.seq + 1) & 0xffff;
    const msg = { type: "input", seq: i.seq, buttons: i.buttons, presses: [...i.presses], x: i.x, y: i.y };
    if (i.aim) msg.aim = [...i.aim];
    this._lastInputAt = this.now();
    return this.send(msg);
  }
}

function clampStick(v) {
  const n = Math.round(Number(v) || 0);
  return Math.max(-1000, Math.min(1000, n));
}
