// The page's arena geometry (hub/web/js/arena.js) gives the hub's answers: the shared vectors
// in tests/vectors/arena_v1.json, written from hub/arena.py, plus the rules said plainly.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { Arena } from "../../hub/web/js/arena.js";

const VECTORS = JSON.parse(readFileSync(new URL("../vectors/arena_v1.json", import.meta.url)));
const METHOD = { push_out: "pushOut", move: "move", sweep: "sweep", blink: "blink" };
const close = (a, b) => Math.abs(a - b) <= 1e-9;

test("every shared vector gets the hub's answer", () => {
  let n = 0;
  for (const m of VECTORS.maps) {
    const arena = Arena.fromWire(m.map);
    assert.equal(arena.obstacles.length, m.map.obstacles.length);
    for (const c of m.cases) {
      const got = arena[METHOD[c.op]](...c.args);
      const want = c.want;
      const ok = Array.isArray(want) ? got.every((v, i) => close(v, want[i])) : close(got, want);
      assert.ok(ok, `${m.map.name} ${c.op}(${c.args}) = ${got}, hub says ${want}`);
      n += 1;
    }
  }
  assert.ok(n >= 100);
});

const wallMap = { name: "t", w: 1600, h: 900, obstacles: [{ kind: "wall", x: 500, y: 0, w: 40, h: 900 }] };

test("a player walking into a wall stops against it and slides along it", () => {
  const a = Arena.fromWire(wallMap);
  assert.deepEqual(a.move(478, 450, 5, 0, 20), [480, 450]);
  assert.deepEqual(a.move(480, 450, 5, 5, 20), [480, 455]);
});

test("a blink stops short of a wall and a shot stops where it touches it", () => {
  const a = Arena.fromWire(wallMap);
  const [x] = a.blink(400, 450, 1, 0, 200, 20);
  assert.ok(x < 480 && x > 470 && a.free(x, 450, 20));
  assert.ok(close(100 + 800 * a.sweep(100, 450, 900, 450, 8), 492));
});

test("a map from the wire keeps only well-formed obstacles", () => {
  const a = Arena.fromWire({
    name: "x",
    w: 1600,
    h: 900,
    obstacles: [{ kind: "wall", x: 1, y: 1, w: -1, h: 5 }, { kind: "pillar", x: 9, y: 9, r: "3" }, { kind: "pillar", x: 9, y: 9, r: 3 }],
  });
  assert.equal(a.obstacles.length, 1);
  assert.equal(Arena.fromWire(undefined).obstacles.length, 0);
});
