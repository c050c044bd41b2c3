// What the page does with the hub's "status" messages (docs/protocol.md): a hub running with
// --redis that loses its link to the other hubs says so. Pure: no DOM, no clock of its own; the
// page passes its `show` function (hud.showLink) and its times.
//
// - game "paused": the room's game runs on another hub and no news reaches this one (this hub
//   lost its link to the others, or the hub running the game stopped answering and another
//   takes over). The bar says so, the arena is dimmed, and drawing freezes at the moment it was
//   told: nobody is shown walking on a guess.
// - game "local": this hub runs the game and it goes on for the players here, but it lost its
//   link to the others; the bar says it may be out of date. Drawing goes on.
// - game "live" after one of those: the bar says "catching up" until the next state, the live
//   game's, then goes.
// A welcome or a closed connection clears everything (a hub where the game is still not live
// repeats its status right after the welcome).

export class LinkWatch {
  /** `show(o)`: o = null hides the bar, else {text, paused}. */
  constructor(show) {
    this.show = show;
    this.clear();
  }

  clear() {
    this.shown = false;
    this.paused = false;
    this.catchingUp = false;
    this.frozenAt = null; // the draw time the picture stopped at
    this.frozenLocal = null; // the local time it stopped (the round clock stands too)
    this.show(null);
  }

  status(msg) {
    if (msg.game !== "live") {
      this.shown = true;
      this.paused = msg.game === "paused";
      this.catchingUp = false;
      this.show({ text: msg.text, paused: this.paused });
    } else if (this.shown) {
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
