// Gamepads on the game page: polls the Gamepad API once per animation frame, and gives each
// pad that presses Start a connection of its own that joins as a "gamepad" player (the same
// window messages as keyboard play: join, then input). Start again, or unplugging the pad,
// closes that connection; the player then leaves after the hub's grace period.

import { PadTracker } from "./gamepad.js";

/**
 * `makeClient()` returns a new, unconnected BlinkshotClient for the page's room and code.
 * Returns {tracker, clients} (clients: pad index -> BlinkshotClient), also on the test hook as
 * `window.blinkshot.pads`.
 */
export function setupGamepads(makeClient, { getPads = () => navigator.getGamepads?.() ?? [] } = {}) {
  const tracker = new PadTracker();
  const clients = new Map();
  const apply = (a) => {
    if (a.type === "join") {
      const client = makeClient();
      const key = `blinkshot.pad${a.index}`; // the hub's resume token for this pad's player
      client.on("joined", (msg) => sessionStorage.setItem(key, msg.token));
      client.join(`Pad ${a.index + 1}`, sessionStorage.getItem(key) ?? undefined, "gamepad");
      client.connect();
      clients.set(a.index, client);
      return;
    }
    const client = clients.get(a.index);
    if (!client) return;
    if (a.type === "leave") {
      client.close(1000, "gamepad left the game");
      clients.delete(a.index);
      return;
    }
    client.setStick(a.stick[0], a.stick[1]);
    client.setAim(a.aim ? a.aim[0] : null, a.aim ? a.aim[1] : null);
    client.setButton("shoot", a.shoot);
    client.setButton("blink", a.blink);
    client.setButton("stick", a.stickPress);
  };
  const poll = () => {
    let pads = [];
    try {
      pads = getPads();
    } catch {
      // Blocked by a permissions policy: no pads on this page.
    }
    for (const action of tracker.update(pads)) apply(action);
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
  const api = { tracker, clients };
  if (globalThis.window?.blinkshot) window.blinkshot.pads = api;
  return api;
}
