// What the page does with the hub's "status" messages (docs/protocol.md): a hub running with
// --redis that loses its link to the other hubs says so. Pure: no DOM, no clock of its own; the
// page passes its `show` function (hud.showLink) and its times.
//
// - link down, game "paused": the room's game runs on another hub and no news reaches this one.
//   The bar says so, the arena is dimmed, and drawing freezes at the moment it was told: nobody
//   is shown walking on a guess.
// - link down, game "local": this hub runs the game and it goes on for the players here; the bar
//   says it may be out of date. Drawing goes on.
// - link up: the bar says "catching up" until the next state, the live game's, then goes.
// A welcome or a closed connection clears everything (a hub still cut off repeats its status
// right after the welcome).

export class LinkWatch {
  /** `show(o)`: o = null hides the bar, else {text, paused}. */
  constructor(show) {
    this.show = show;
    this.clear();
  }

  clear() {
    this.down = false;
    this.paused = false;
    this.catchingUp = false;
    this.frozenAt = null; // the draw time the picture stopped at
    this.frozenLocal = null; // the local time it stopped (the round clock stands too)
    this.show(null);
  }

  status(msg) {
    if (msg.link === "down") {
      this.down = true;
      this.paused = msg.game === "paused";
      this.catchingUp = false;
      this.show({ text: msg.text, paused: this.paused });
    } else if (this.down) {
      this.catchingUp = true;
      this.show({ text: `${msg.text} Catching up…`, paused: this.paused });
    }
  }

  /** A state arrived: after the link came back, it is the live game again. */
  state() {
    if (this.catchingUp) this.clear();
  }

  /** The time to draw the world at: `t`, or the frozen moment while paused. */
  drawTime(t, localNow) {
    if (!this.paused) return t;
    this.frozenAt ??= t;
    this.frozenLocal ??= localNow;
    return this.frozenAt;
  }

  /** The local time the round clock counts to: now, or the frozen moment while paused. */
  clockTime(localNow) {
    return this.frozenLocal ?? localNow;
  }
}
