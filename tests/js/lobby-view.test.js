// The match flow's card (hub/web/js/lobby-view.js): what it says in each phase of the hub's
// round info.
import assert from "node:assert/strict";
import { test } from "node:test";

import { lobbyView, phaseLine } from "../../hub/web/js/lobby-view.js";

test("during play, or from a hub without a lobby, there is no card", () => {
  assert.equal(lobbyView({ n: 2, phase: "playing", time_left: 1000 }), null);
  assert.equal(lobbyView({ n: 2, time_left: 1000 }), null);
  assert.equal(lobbyView(null), null);
  assert.equal(phaseLine({ n: 2, phase: "playing" }), null);
});

test("waiting says how many players a round needs and how to join", () => {
  const v = lobbyView({ n: 1, phase: "waiting", min_players: 2 });
  assert.equal(v.title, "Waiting for players");
  assert.match(v.text, /2 players/);
  assert.match(v.text, /gamepad/);
  assert.equal(phaseLine({ n: 1, phase: "waiting" }), "Waiting for players");
});

test("the countdown counts whole seconds down from the state's time", () => {
  const round = { n: 3, phase: "countdown", phase_left: 2500 };
  assert.equal(lobbyView(round, 0).big, "3");
  assert.equal(lobbyView(round, 600).big, "2");
  assert.equal(lobbyView(round, 5000).big, "1", "never 0 while still counting");
  assert.equal(phaseLine(round, 600), "Round 3 · starts in 2");
});

test("the podium shows the round's winner and scoreboard, best first", () => {
  const podium = {
    n: 1,
    winner: "a",
    winner_name: "Ada",
    scores: [
      { id: "a", name: "Ada", score: 10 },
      { id: "b", name: "Bo", score: 4 },
    ],
  };
  const v = lobbyView({ n: 2, phase: "podium", phase_left: 6000, podium }, 1000);
  assert.equal(v.title, "Ada wins round 1!");
  assert.deepEqual(
    v.rows.map((r) => [r.rank, r.name, r.score, r.winner]),
    [
      [1, "Ada", 10, true],
      [2, "Bo", 4, false],
    ],
  );
  assert.equal(v.text, "Next round in 5 s");
  const none = lobbyView({ n: 2, phase: "podium", podium: { ...podium, winner: null, winner_name: null } });
  assert.equal(none.title, "Round 1: no winner");
  assert.ok(none.rows.every((r) => !r.winner));
});

test("between rounds the card lists the last rounds and offers the bots control", () => {
  const recent = [
    { n: 2, winner_name: "Bo", ended_by: "score", top: [["Bo", 3], ["Ada", 1]] },
    { n: 1, winner_name: null, ended_by: "time", top: [["Ada", 0]] },
  ];
  const waiting = lobbyView({ n: 3, phase: "waiting", recent });
  assert.deepEqual(waiting.history, ["Round 2: Bo won · Bo 3, Ada 1", "Round 1: no winner · Ada 0"]);
  assert.equal(waiting.bots, true);
  const podium = lobbyView({ n: 3, phase: "podium", phase_left: 4000, recent, podium: { n: 2, winner: "b", winner_name: "Bo", scores: [] } });
  assert.deepEqual(podium.history, ["Round 1: no winner · Ada 0"], "the newest is the scoreboard itself");
  assert.equal(podium.bots, true);
  assert.equal(lobbyView({ n: 3, phase: "countdown", phase_left: 2000, recent }).bots, false);
});
