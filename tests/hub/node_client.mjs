// Second, independent client implementation (npm `ws`) against a running hub.
// Usage: node node_client.mjs <hub port> <pairing code>; prints one JSON line of findings and
// exits 0 when every check passed.
import WebSocket from "ws";

const [port, code] = process.argv.slice(2);
const base = `ws://127.0.0.1:${port}/ws`;
const found = {};

function open(kind, query = `room=default&code=${code}`, onCreate = () => {}) {
  const ws = new WebSocket(`${base}/${kind}?${query}`);
  ws.binaryType = "nodebuffer";
  // Listen before "open": the hub's first message can arrive in the same read as the
  // handshake, and ws emits it before an await after "open" would resume.
  onCreate(ws);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

function closed(ws) {
  return new Promise((resolve) => ws.once("close", (c, r) => resolve([c, r.toString()])));
}

function input(seq, presses, x, y) {
  const b = Buffer.alloc(11);
  b.writeUInt8(1, 0);
  b.writeUInt16BE(seq, 1);
  b.writeUInt8(0, 3);
  presses.forEach((p, i) => b.writeUInt8(p, 4 + i));
  b.writeInt16BE(x, 7);
  b.writeInt16BE(y, 9);
  return b;
}

function collect(ws) {
  const seen = [];
  const waiters = [];
  ws.on("message", (data, isBinary) => {
    if (isBinary) throw new Error("binary frame on the window endpoint");
    const parsed = JSON.parse(data.toString());
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
      seen.push(m);
      for (const w of [...waiters]) if (w.test(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
    }
  });
  return (test) => {
    const hit = seen.find(test);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve) => waiters.push({ test, resolve }));
  };
}

const deadline = setTimeout(() => {
  console.log(JSON.stringify({ ok: false, error: "timeout", found }));
  process.exit(1);
}, 10000);

let waitFor;
const win = await open("window", undefined, (ws) => {
  waitFor = collect(ws);
});
const welcomeMsg = await waitFor((m) => m.type === "welcome");
found.welcome = welcomeMsg.proto;
found.state = (await waitFor((m) => m.type === "state")).type;

const ctl = await open("controller");
const hello = Buffer.concat([
  Buffer.from([3, 1]),
  Buffer.from(JSON.stringify({ id: "00000000cafe", fw: "node", name: "Node", reset: "soft" })),
]);
const welcome = new Promise((resolve) => ctl.once("message", (d) => resolve(Buffer.from(d))));
ctl.send(hello);
found.welcome_type = (await welcome)[0];
ctl.send(input(1, [0, 0, 0], 0, 0));
ctl.send(input(2, [1, 0, 0], 1000, 0));
const move = await waitFor((m) => m.type === "move" && m.id === "c-00000000cafe");
const blink = await waitFor((m) => m.type === "blink" && m.id === "c-00000000cafe");
found.move = [move.x, move.y, move.cseq, typeof move.seq, typeof move.t];
// Blinks go right (the stick's direction), unless the player already stands at the right wall.
const atWall = blink.from[0] >= welcomeMsg.arena.w - 40;
found.blink = [blink.cseq, blink.to[0] > blink.from[0] || (atWall && blink.to[0] >= blink.from[0])];

const bad = await open("window");
const badClosed = closed(bad);
bad.send(Buffer.from([1, 2, 3]));
found.binary_on_window = await badClosed;

const wrong = await open("controller", `room=default&code=000000`);
found.wrong_code = await closed(wrong);

win.close();
ctl.close();
clearTimeout(deadline);
const ok =
  found.welcome === 1 && found.welcome_type === 0x81 && found.move[0] === 1000 &&
  found.blink[1] === true && found.binary_on_window[0] === 1003 && found.wrong_code[0] === 4004;
console.log(JSON.stringify({ ok, found }));
process.exit(ok ? 0 : 1);
