// A controller in the browser: speaks the binary controller protocol (the firmware's) to
// /ws/controller. Used by the phone page; no DOM, so Node tests drive it against a real server.

import { backoffDelay } from "./client.js";
import { Close, decodeHubFrame, encodeHello, encodeInput, setInputButton } from "./codec.js";

const FATAL = new Set([
  Close.BAD_VERSION,
  Close.MALFORMED,
  Close.UNKNOWN_TYPE,
  Close.BAD_CODE,
  Close.REPLACED,
]);
const KEEPALIVE_MS = 1000; // resend the input now and then so an idle link shows as alive

/** ws:// URL of the controller endpoint of the hub at `base` (http(s) or ws(s) URL). */
export function controllerUrl(base, { room = "default", code = null } = {}) {
  const url = new URL(base);
  url.protocol = url.protocol === "https:" || url.protocol === "wss:" ? "wss:" : "ws:";
  url.pathname = "/ws/controller";
  url.search = "";
  url.searchParams.set("room", room);
  if (code) url.searchParams.set("code", String(code));
  return url.toString();
}

/** A random device id, 12 lowercase hex digits like machine.unique_id() of an ESP32. */
export function randomDeviceId(random = Math.random) {
  let s = "";
  for (let i = 0; i < 12; i++) s += Math.floor(random() * 16).toString(16);
  return s;
}

export class ControllerLink {
  /**
   * @param opts {url, room, code, id, name, kind = "phone", fw, WebSocket, backoff,
   *              inputInterval (ms), onWelcome({slot, color}), onFeedback({kind, ms}),
   *              onClose({code, reason, reconnect, delay})}
   */
  constructor(opts) {
    Object.assign(this, {
      room: "default",
      code: null,
      kind: "phone",
      fw: "web-1",
      backoff: {},
      inputInterval: 33,
      onWelcome: () => {},
      onFeedback: () => {},
      onClose: () => {},
    });
    Object.assign(this, opts);
    this.WebSocket = opts.WebSocket ?? globalThis.WebSocket;
    this.ws = null;
    this.welcome = null;
    this.attempt = 0;
    this.stopped = true;
    this.input = { seq: 0, buttons: 0, presses: [0, 0, 0], x: 0, y: 0 };
    this._timer = null;
    this._keepalive = null;
    this._lastSent = -Infinity;
  }

  start() {
    this.stopped = false;
    this._open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this._reconnect);
    this._stopTimers();
    this.ws?.close(1000, "controller closed");
  }

  /** Close and reconnect at once (e.g. to send a new hello after a name change). */
  restart() {
    this.stop();
    this.attempt = 0;
    this.start();
  }

  _open() {
    const ws = new this.WebSocket(controllerUrl(this.url, { room: this.room, code: this.code }));
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      const hello = { id: this.id, fw: this.fw, name: this.name, reset: "soft", config: {}, kind: this.kind };
      ws.send(encodeHello(hello));
    };
    ws.onmessage = (ev) => this._receive(ev.data);
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.welcome = null;
      this._stopTimers();
      const reconnect = !this.stopped && !FATAL.has(ev.code);
      const delay = reconnect ? backoffDelay(this.attempt++, this.backoff) : null;
      this.onClose({ code: ev.code, reason: ev.reason, reconnect, delay });
      if (reconnect) this._reconnect = setTimeout(() => !this.stopped && this._open(), delay);
    };
  }

  _receive(data) {
    let frame;
    try {
      frame = decodeHubFrame(new Uint8Array(data));
    } catch {
      return; // like the firmware: ignore what we cannot parse
    }
    if (frame.type === "welcome") {
      this.welcome = frame;
      this.attempt = 0;
      // A new connection: the first input sets the hub's baseline for the press counters.
      this.input.seq = 0;
      this._send();
      this._keepalive = setInterval(() => this._send(), KEEPALIVE_MS);
      this.onWelcome(frame);
    } else if (frame.type === "feedback") {
      this.onFeedback(frame);
    }
  }

  _stopTimers() {
    clearTimeout(this._timer);
    clearInterval(this._keepalive);
    this._timer = null;
  }

  setStick(x, y) {
    const clamp = (v) => Math.max(-1000, Math.min(1000, Math.round(v)));
    const i = this.input;
    if (clamp(x) === i.x && clamp(y) === i.y) return;
    i.x = clamp(x);
    i.y = clamp(y);
    this._queue();
  }

  setButton(name, down) {
    if (setInputButton(this.input, name, down)) this._queue();
  }

  _queue() {
    if (this._timer !== null) return;
    const wait = this._lastSent + this.inputInterval - Date.now();
    if (wait <= 0) this._send();
    else
      this._timer = setTimeout(() => {
        this._timer = null;
        this._send();
      }, wait);
  }

  _send() {
    if (!this.welcome || !this.ws || this.ws.readyState !== 1) return;
    const i = this.input;
    i.seq = (i.seq + 1) & 0xffff;
    this.ws.send(encodeInput(i));
    this._lastSent = Date.now();
  }
}
