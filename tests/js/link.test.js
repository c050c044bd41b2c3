// The page's handling of the hub's "status" messages (hub/web/js/link.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { LinkWatch } from "../../hub/web/js/link.js";

const down = (game) => ({ type: "status", system: true, link: "down", game, text: `down ${game}` });
const up = { type: "status", system: true, link: "up", game: "live", text: "back." };

function watch() {
  const shown = [];
  return { w: new LinkWatch((o) => shown.push(o)), shown };
}

test("a paused game freezes drawing at the moment it was told, and the round clock with it", () => {
  const { w, shown } = watch();
  assert.equal(w.drawTime(1000, 5), 1000);
  w.status(down("paused"));
  assert.deepEqual(shown.at(-1), { text: "down paused", paused: true });
  assert.equal(w.drawTime(1016, 21), 1016);
  assert.equal(w.drawTime(1500, 505), 1016); // half a second later: still the same picture
  assert.equal(w.clockTime(505), 21);
});

test("a game this hub runs goes on, with the bar", () => {
  const { w, shown } = watch();
  w.status(down("local"));
  assert.deepEqual(shown.at(-1), { text: "down local", paused: false });
  assert.equal(w.drawTime(2000, 9), 2000);
  assert.equal(w.clockTime(9), 9);
});

test("when the link is back the bar stays until the next state, then drawing is live", () => {
  const { w, shown } = watch();
  w.status(down("paused"));
  w.drawTime(1000, 0);
  w.status(up);
  assert.deepEqual(shown.at(-1), { text: "back. Catching up…", paused: true });
  assert.equal(w.drawTime(1200, 200), 1000); // the old picture until the live state comes
  w.state();
  assert.equal(shown.at(-1), null);
  assert.equal(w.drawTime(1300, 300), 1300);
});

test("a state while the link is down changes nothing; an up status without a down is ignored", () => {
  const { w, shown } = watch();
  w.status(up);
  assert.deepEqual(shown, [null]);
  w.status(down("paused"));
  w.state();
  assert.equal(w.paused, true);
  w.clear(); // a new welcome, or the connection closed
  assert.equal(shown.at(-1), null);
  assert.equal(w.drawTime(7, 7), 7);
});

test("a game whose hub stopped answering (link up, game paused) freezes until it is live again", () => {
  const { w, shown } = watch();
  w.status({ type: "status", system: true, link: "up", game: "paused", text: "not answering" });
  assert.deepEqual(shown.at(-1), { text: "not answering", paused: true });
  assert.equal(w.drawTime(3000, 0), 3000);
  assert.equal(w.drawTime(3400, 400), 3000);
  w.status(up);
  w.state();
  assert.equal(shown.at(-1), null);
  assert.equal(w.drawTime(3600, 600), 3600);
});
