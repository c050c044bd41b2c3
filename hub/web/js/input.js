// Keyboard and mouse for a player in the game window: WASD/arrows move, the mouse aims,
// Space blinks, F / J / left click shoots, E is the stick press. Sends through a
// BlinkshotClient (setStick / setAim / setButton); knows nothing about sockets.

const MOVE_KEYS = {
  KeyW: [0, -1],
  ArrowUp: [0, -1],
  KeyS: [0, 1],
  ArrowDown: [0, 1],
  KeyA: [-1, 0],
  ArrowLeft: [-1, 0],
  KeyD: [1, 0],
  ArrowRight: [1, 0],
};
const BUTTON_KEYS = { Space: "blink", KeyF: "shoot", KeyJ: "shoot", KeyE: "stick" };

/** Stick from the set of held direction keys: unit length, scaled to 1000 (diagonals 707). */
export function stickFromKeys(held) {
  let x = 0;
  let y = 0;
  for (const code of held) {
    const d = MOVE_KEYS[code];
    if (d) {
      x += d[0];
      y += d[1];
    }
  }
  const len = Math.hypot(x, y);
  if (len === 0) return [0, 0];
  return [Math.round((x / len) * 1000), Math.round((y / len) * 1000)];
}

/** Aim from the player's position to a world point, scaled to 1000; null when on top of it. */
export function aimAt(from, to) {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const len = Math.hypot(dx, dy);
  if (len < 1) return null;
  return [Math.round((dx / len) * 1000), Math.round((dy / len) * 1000)];
}

export class KeyboardMouse {
  /**
   * @param client  a BlinkshotClient
   * @param canvas  the arena canvas (mouse aim and click-to-shoot)
   * @param toWorld (cssX, cssY) -> [x, y] world units
   * @param myPosition () -> [x, y] of this window's player as drawn, or null
   */
  constructor(client, canvas, toWorld, myPosition) {
    this.client = client;
    this.canvas = canvas;
    this.toWorld = toWorld;
    this.myPosition = myPosition;
    this.held = new Set();
    this.mouse = null; // last mouse point in world units
    this.enabled = false;
    this._listeners = [
      [window, "keydown", (e) => this._key(e, true)],
      [window, "keyup", (e) => this._key(e, false)],
      [window, "blur", () => this.releaseAll()],
      [canvas, "mousemove", (e) => this._mouseMove(e)],
      [canvas, "mousedown", (e) => this._mouseButton(e, true)],
      [window, "mouseup", (e) => this._mouseButton(e, false)],
      [canvas, "contextmenu", (e) => this.enabled && e.preventDefault()],
    ];
    for (const [el, type, fn] of this._listeners) el.addEventListener(type, fn);
  }

  enable() {
    this.enabled = true;
  }

  releaseAll() {
    this.held.clear();
    if (!this.enabled) return;
    this.client.setStick(0, 0);
    for (const name of ["blink", "shoot", "stick"]) this.client.setButton(name, false);
  }

  /** Call once per frame: the player moves, so the aim toward a still mouse changes. */
  update() {
    if (!this.enabled || !this.mouse) return;
    const me = this.myPosition();
    if (!me) return;
    const aim = aimAt(me, this.mouse);
    if (aim) this.client.setAim(aim[0], aim[1]);
  }

  _key(e, down) {
    if (!this.enabled || e.ctrlKey || e.metaKey || e.altKey) return;
    const tag = e.target?.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA") return;
    if (MOVE_KEYS[e.code]) {
      if (down) this.held.add(e.code);
      else this.held.delete(e.code);
      const [x, y] = stickFromKeys(this.held);
      this.client.setStick(x, y);
      e.preventDefault();
    } else if (BUTTON_KEYS[e.code]) {
      if (!e.repeat) this.client.setButton(BUTTON_KEYS[e.code], down);
      e.preventDefault();
    }
  }

  _mouseMove(e) {
    const r = this.canvas.getBoundingClientRect();
    this.mouse = this.toWorld(e.clientX - r.left, e.clientY - r.top);
    this.update();
  }

  _mouseButton(e, down) {
    if (!this.enabled || e.button !== 0) return;
    if (down) this._mouseMove(e);
    this.client.setButton("shoot", down);
  }
}
