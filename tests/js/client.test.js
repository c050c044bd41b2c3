// BlinkshotClient against a real WebSocket server (the `ws` package) standing in for the hub.
// The client uses Node's built-in browser-style WebSocket, as it would in a page.
import assert from "node:assert/strict";
import { once } from "node:events";
import { afterEach, describe, test } from "node:test";

import { WebSocketServer } from "ws";

import { BlinkshotClient, backoffDelay, windowUrl } from "../../hub/web/js/client.js";
import { parseWindowMessage } from "../../hub/web/js/codec.js";

const FAST = { first: 20, max: 80, factor: 2, jitter: 0 };
const cleanups = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()();
});

/** A scripted hub: records every connection and every message it receives (validated). */
async function startHub({ port = 0, welcome = true } = {}) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port });
  await once(wss, "listening");
  const hub = { wss, port: wss.address().port, conns: [], received: [], waiters: [], pings: 0 };
  hub.url = `http://127.0.0.1:${hub.port}`;
  wss.on("connection", (sock, req) => {
    const conn = { sock, url: new URL(req.url, hub.url), received: [] };
    hub.conns.push(conn);
    sock.on("message", (data, isBinary) => {
      assert.equal(isBinary, false, "the client must send text frames");
      const msg = parseWindowMessage(data.toString());
      if (msg.type === "ping") {
        // Answer as a hub whose clock runs exactly 5 s ahead of ours.
        hub.pings += 1;
        sock.send(JSON.stringify({ type: "pong", id: msg.id, t: msg.t, hub_t: Date.now() + 5000 }));
      } else {
        conn.received.push(msg);
        hub.received.push(msg);
      }
      hub.waiters = hub.waiters.filter((w) => !w());
    });
    if (welcome) {
      sock.send(
        JSON.stringify({
          type: "welcome",
          seq: 1,
          t: Date.now(),
          proto: 1,
          room: conn.url.searchParams.get("room"),
          window: hub.conns.length,
          arena: { w: 1600, h: 900 },
          tick_hz: 60,
          state_hz: 20,
          hub_t: Date.now() + 5000,
        }),
      );
    }
    hub.waiters = hub.waiters.filter((w) => !w());
  });
  hub.until = (pred, what) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 5000);
      const check = () => {
        if (!pred()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      };
      if (!check()) hub.waiters.push(check);
    });
  hub.close = () =>
    new Promise((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    });
  cleanups.push(() => hub.close());
  return hub;
}

function makeClient(hub, extra = {}) {
  const client = new BlinkshotClient({
    url: hub.url,
    room: "r1",
    code: "123456",
    backoff: FAST,
    pingEvery: 0,
    inputInterval: 0,
    ...extra,
  });
  cleanups.push(async () => client.close());
  return client;
}

function nextEvent(client, type) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}`)), 5000);
    const off = client.on(type, (...args) => {
      clearTimeout(timer);
      off();
      resolve(args);
    });
  });
}

describe("BlinkshotClient", () => {
  test("windowUrl builds the window endpoint with room and code", () => {
    assert.equal(
      windowUrl("http://h:8000", { room: "a b", code: "123456" }),
      "ws://h:8000/ws/window?room=a+b&code=123456",
    );
    assert.equal(windowUrl("https://h/", {}), "wss://h/ws/window?room=default");
  });

  test("backoff grows, is capped, and jitters within its band", () => {
    const opts = { first: 100, max: 1000, factor: 2, jitter: 0.2 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 9].map((n) => backoffDelay(n, opts, () => 0.5)),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.equal(
      backoffDelay(0, opts, () => 0),
      80,
    );
    assert.equal(
      backoffDelay(0, opts, () => 1),
      120,
    );
  });

  test("connects with room and code, gets welcome and the player list", async () => {
    const hub = await startHub();
    const client = makeClient(hub);
    const welcomed = nextEvent(client, "welcome");
    client.connect();
    const [welcome] = await welcomed;
    assert.equal(welcome.arena.w, 1600);
    assert.equal(hub.conns[0].url.pathname, "/ws/window");
    assert.equal(hub.conns[0].url.searchParams.get("room"), "r1");
    assert.equal(hub.conns[0].url.searchParams.get("code"), "123456");
    assert.ok(client.connected);
    // The welcome's hub_t gives a first clock offset estimate (the hub here runs 5 s ahead).
    assert.ok(Math.abs(client.clockOffset - 5000) < 1000, `offset ${client.clockOffset}`);

    const seen = [];
    client.on("*", (m) => seen.push(m.type));
    const joined = [];
    client.on("player_joined", (m) => joined.push(m.player.id));
    const left = [];
    client.on("player_left", (m) => left.push(m.id));
    const gotLeave = nextEvent(client, "player_left");
    // One object and one array of objects: both forms, array items in order.
    const p = (id) => ({ id, name: `P${id}`, x: 10, y: 20, hp: 100, score: 0 });
    hub.conns[0].sock.send(
      JSON.stringify({ type: "state", seq: 2, t: 1, tick: 5, players: [p(1)], projectiles: [], round: {} }),
    );
    hub.conns[0].sock.send(
      JSON.stringify([
        { type: "create_player", seq: 3, t: 2, player: p(2) },
        { type: "move", seq: 4, t: 3, id: 2, cseq: 9, x: 1000, y: 0 },
        { type: "remove_player", seq: 5, t: 4, id: 1 },
      ]),
    );
    await gotLeave;
    assert.deepEqual(seen, ["state", "create_player", "move", "remove_player"]);
    assert.deepEqual(joined, [2]);
    assert.deepEqual(left, [1]);
    assert.deepEqual([...client.players.keys()], [2]);
  });

  test("a keyboard player joins, sends a baseline, then presses and stick moves", async () => {
    const hub = await startHub();
    const client = makeClient(hub);
    client.join("Kim");
    client.connect();
    await hub.until(() => hub.received.filter((m) => m.type === "input").length >= 1, "baseline input");
    client.setStick(1000, -2000.4); // clamped to the stick range
    client.tap("blink");
    client.setButton("shoot", true);
    client.setAim(0, -1000);
    await hub.until(() => hub.received.filter((m) => m.type === "input").length >= 6, "inputs");
    const [join, ...inputs] = hub.received;
    assert.deepEqual(join, { type: "join", name: "Kim" });
    // baseline, stick, blink down, blink up, shoot down, aim: one frame each at interval 0.
    assert.deepEqual(
      inputs.map((m) => m.seq),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(inputs[0].presses, [0, 0, 0]);
    assert.deepEqual([inputs[1].x, inputs[1].y], [1000, -1000]);
    // The tap shows as a counter bump even though the button is already up again.
    assert.deepEqual(inputs.at(-1).presses, [1, 1, 0]);
    assert.equal(inputs.at(-1).buttons, 2);
    assert.deepEqual(inputs.at(-1).aim, [0, -1000]);
    assert.throws(() => client.join(""), /name must be 1-16/);
    assert.throws(() => client.join("Kim", "bad id!"), /join id must be/);
    assert.throws(() => client.setButton("jump", true), /unknown button jump/);
  });

  test("inputs are coalesced to the input interval without losing presses", async () => {
    const hub = await startHub();
    const client = makeClient(hub, { inputInterval: 200 });
    client.join("Kim");
    client.connect();
    await hub.until(() => hub.received.some((m) => m.type === "input"), "baseline input");
    for (let i = 0; i < 5; i++) client.tap("shoot");
    for (let x = 0; x <= 1000; x += 100) client.setAim(x, 0);
    await hub.until(() => hub.received.filter((m) => m.type === "input").length >= 2, "coalesced input");
    const inputs = hub.received.filter((m) => m.type === "input");
    assert.equal(inputs.length, 2, "all changes within one interval go out as one frame");
    assert.deepEqual(inputs[1].presses, [0, 5, 0]);
    assert.deepEqual(inputs[1].aim, [1000, 0]);
  });

  test("chat is sent and bad chat is refused before it reaches the hub", async () => {
    const hub = await startHub();
    const client = makeClient(hub);
    const welcomed = nextEvent(client, "welcome");
    client.connect();
    await welcomed;
    assert.equal(client.chat("gg"), true);
    await hub.until(() => hub.received.length >= 1, "chat");
    assert.deepEqual(hub.received[0], { type: "message", text: "gg" });
    assert.throws(() => client.chat("x".repeat(201)), /1-200 characters/);
    const chat = nextEvent(client, "message");
    hub.conns[0].sock.send(JSON.stringify({ type: "message", seq: 7, t: 1, from: "Ada", text: "hi" }));
    const [msg] = await chat;
    assert.equal(msg.text, "hi");
  });

  test("ping/pong gives round-trip time and the hub clock offset", async () => {
    const hub = await startHub();
    const client = makeClient(hub);
    const rtt = nextEvent(client, "rtt");
    client.connect();
    const [{ rtt: ms, clockOffset }] = await rtt;
    assert.ok(ms >= 0 && ms < 5000, `rtt ${ms}`);
    // This hub's clock is exactly 5000 ms ahead at the moment it answers.
    assert.ok(Math.abs(clockOffset - 5000) <= ms / 2 + 1, `offset ${clockOffset}`);
    assert.ok(Math.abs(client.hubNow() - Date.now() - clockOffset) < 50);
    const msg = { t: Date.now() + 5000 - 30 };
    assert.ok(Math.abs(client.latency(msg, Date.now()) - 30) < 50);
  });

  test("reconnects after the hub closes with 1001, reports the close, joins again", async () => {
    const hub = await startHub();
    const client = makeClient(hub);
    const closes = [];
    client.on("close", (c) => closes.push(c));
    client.join("Kim");
    client.connect();
    await hub.until(() => hub.conns.length === 1 && hub.conns[0].received.length >= 1, "first join");
    assert.deepEqual(hub.conns[0].received[0], { type: "join", name: "Kim" });
    // The hub answers with the player and a resume token; the next join sends the token.
    const answer = { type: "joined", seq: 3, t: 1, player: "k-0123456789abcdef", token: "tab-1234" };
    const joined = nextEvent(client, "joined");
    hub.conns[0].sock.send(JSON.stringify(answer));
    await joined;
    assert.equal(client.player, "k-0123456789abcdef");
    hub.conns[0].sock.close(1001, "hub shutting down; reconnect");
    await hub.until(
      () => hub.conns.length === 2 && hub.conns[1].received.some((m) => m.type === "join"),
      "second join",
    );
    assert.equal(closes[0].code, 1001);
    assert.equal(closes[0].reason, "hub shutting down; reconnect");
    assert.equal(closes[0].reconnect, true);
    // The new connection starts a fresh input baseline at seq 1.
    await hub.until(() => hub.conns[1].received.some((m) => m.type === "input"), "baseline");
    assert.equal(hub.conns[1].received.find((m) => m.type === "input").seq, 1);
    assert.deepEqual(hub.conns[1].received[0], { type: "join", name: "Kim", id: "tab-1234" });
  });

  test("keeps retrying with growing delays while the hub is down, then reconnects", async () => {
    const hub = await startHub();
    const port = hub.port;
    const client = makeClient(hub);
    const delays = [];
    client.on("reconnecting", (r) => delays.push(r.delay));
    const welcomed = nextEvent(client, "welcome");
    client.connect();
    await welcomed;
    await hub.close();
    while (delays.length < 4) await nextEvent(client, "reconnecting");
    assert.deepEqual(delays.slice(0, 4), [20, 40, 80, 80]);
    assert.equal(client.connected, false);
    const back = nextEvent(client, "welcome");
    await startHub({ port });
    await back;
    assert.equal(client.connected, true);
    assert.equal(client.attempt, 0, "a welcome resets the backoff");
  });

  test("a wrong pairing code stops reconnecting and says why", async () => {
    const hub = await startHub({ welcome: false });
    hub.wss.on("connection", (sock) =>
      sock.close(4004, "wrong pairing code; use the code shown on the game page"),
    );
    const client = makeClient(hub);
    const closed = nextEvent(client, "close");
    client.connect();
    const [info] = await closed;
    assert.equal(info.code, 4004);
    assert.match(info.reason, /wrong pairing code/);
    assert.equal(info.reconnect, false);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(hub.conns.length, 1, "no retry after a fatal close");
  });

  test("close() stops for good", async () => {
    const hub = await startHub();
    const client = makeClient(hub);
    const welcomed = nextEvent(client, "welcome");
    client.connect();
    await welcomed;
    const closed = nextEvent(client, "close");
    client.close();
    const [info] = await closed;
    assert.equal(info.reconnect, false);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(hub.conns.length, 1);
  });

  test("a bad hub message is reported and does not break the connection", async () => {
    const hub = await startHub();
    const client = makeClient(hub);
    const welcomed = nextEvent(client, "welcome");
    client.connect();
    await welcomed;
    const err = nextEvent(client, "error");
    hub.conns[0].sock.send("not json");
    await err;
    const chat = nextEvent(client, "message");
    hub.conns[0].sock.send(
      JSON.stringify({ type: "message", seq: 9, t: 1, from: "Ada", text: "still here" }),
    );
    assert.equal((await chat)[0].text, "still here");
  });
});

test("the clock offset follows the bound stamped hub messages give, not a slow ping's guess", () => {
  let now = 1000;
  const client = new BlinkshotClient({ url: "http://127.0.0.1:1", now: () => now });
  // A ping answered slowly (100 ms round trip, the answer 90 ms on the way back): its guess is
  // the midpoint, 40 ms ahead of the truth (+5000); its own stamp only bounds it from below.
  client._onPong({ type: "pong", id: 1, t: 900, hub_t: 5910 }, 1000);
  assert.equal(client.clockOffset, 4910);
  // A move the hub stamped at its 6000 arrives at our 1000.2: the hub is at least 4999.8 ahead.
  client._handle({ type: "move", id: "a", x: 1, y: 0, t: 6000, seq: 5 }, 1000.2);
  assert.ok(Math.abs(client.clockOffset - 4999.8) < 1e-9, `${client.clockOffset}`);
  now = 1010;
  assert.ok(Math.abs(client.hubNow() - 6009.8) < 1e-9);
  // A slower message later does not lower it.
  client._handle({ type: "move", id: "a", x: 0, y: 0, t: 6010, seq: 6 }, 1015);
  assert.ok(Math.abs(client.clockOffset - 4999.8) < 1e-9);
});
