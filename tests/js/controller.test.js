// The phone page's ControllerLink against a real WebSocket server speaking the binary protocol.
import assert from "node:assert/strict";
import { once } from "node:events";
import { afterEach, test } from "node:test";

import { WebSocketServer } from "ws";

import { decodeControllerFrame, encodeFeedback, encodeHello, encodeWelcome } from "../../hub/web/js/codec.js";
import { ControllerLink, controllerUrl, randomDeviceId } from "../../hub/web/js/controller.js";

const cleanups = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()();
});

async function startHub({ onHello } = {}) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await once(wss, "listening");
  const hub = { url: `http://127.0.0.1:${wss.address().port}`, frames: [], conns: [], waiters: [] };
  wss.on("connection", (sock, req) => {
    hub.conns.push({ sock, url: new URL(req.url, hub.url) });
    sock.on("message", (data, isBinary) => {
      assert.equal(isBinary, true, "controllers send binary frames");
      const frame = decodeControllerFrame(new Uint8Array(data));
      hub.frames.push(frame);
      if (frame.type === "hello")
        (onHello ?? ((s) => s.send(encodeWelcome({ slot: 3, color: [42, 157, 143] }))))(sock, frame);
      hub.waiters = hub.waiters.filter((w) => !w());
    });
  });
  hub.until = (pred, what) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 5000);
      const check = () => pred() && (clearTimeout(timer), resolve(), true);
      if (!check()) hub.waiters.push(check);
    });
  cleanups.push(
    () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  );
  return hub;
}

async function eventually(pred, what) {
  for (let i = 0; i < 500; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function link(hub, extra = {}) {
  const l = new ControllerLink({
    url: hub.url,
    room: "r2",
    code: "123456",
    id: "0123456789ab",
    name: "Pat",
    inputInterval: 0,
    backoff: { first: 20, jitter: 0 },
    ...extra,
  });
  cleanups.push(async () => l.stop());
  return l;
}

test("device ids look like an ESP32's unique_id in hex", () => {
  assert.match(randomDeviceId(), /^[0-9a-f]{12}$/);
  assert.equal(
    controllerUrl("https://h:1/x?y=1", { room: "a", code: "1" }),
    "wss://h:1/ws/controller?room=a&code=1",
  );
});

test("hello as a phone, welcome, then a baseline and counted presses", async () => {
  const hub = await startHub();
  let welcome = null;
  const l = link(hub, { onWelcome: (w) => (welcome = w) });
  l.start();
  await hub.until(() => hub.frames.length >= 2, "hello and baseline");
  const [hello, baseline] = hub.frames;
  assert.equal(hub.conns[0].url.pathname, "/ws/controller");
  assert.equal(hub.conns[0].url.searchParams.get("room"), "r2");
  assert.deepEqual(
    { id: hello.id, name: hello.name, kind: hello.kind, proto: hello.proto },
    { id: "0123456789ab", name: "Pat", kind: "phone", proto: 1 },
  );
  assert.deepEqual(welcome, { type: "welcome", proto: 1, slot: 3, color: [42, 157, 143] });
  assert.deepEqual([baseline.seq, baseline.presses], [1, [0, 0, 0]]);
  l.setStick(1200, -300.4);
  l.setButton("blink", true);
  l.setButton("blink", false);
  l.setButton("shoot", true);
  await hub.until(() => hub.frames.length >= 6, "inputs");
  const last = hub.frames.at(-1);
  assert.deepEqual([last.x, last.y, last.buttons, last.presses], [1000, -300, 2, [1, 1, 0]]);
  assert.deepEqual(
    hub.frames.slice(1).map((f) => f.seq),
    [1, 2, 3, 4, 5],
  );
});

test("feedback frames reach the page; garbage from the hub is ignored", async () => {
  const hub = await startHub();
  const feedback = [];
  const l = link(hub, { onFeedback: (f) => feedback.push(f) });
  l.start();
  await hub.until(() => hub.frames.length >= 2, "baseline");
  hub.conns[0].sock.send(Buffer.from([0xff, 0, 0]));
  hub.conns[0].sock.send(encodeFeedback({ kind: 1, ms: 150 }));
  await hub.until(() => feedback.length === 1, "feedback");
  assert.deepEqual(feedback[0], { type: "feedback", kind: 1, ms: 150 });
});

test("reconnects after a drop but not after a wrong pairing code", async () => {
  let refuse = false;
  const hub = await startHub({
    onHello: (s) =>
      refuse ? s.close(4004, "wrong pairing code") : s.send(encodeWelcome({ slot: 0, color: [1, 2, 3] })),
  });
  const closes = [];
  const l = link(hub, { onClose: (c) => closes.push(c) });
  l.start();
  await hub.until(() => hub.frames.length >= 2, "first link");
  refuse = true;
  hub.conns[0].sock.close(1001, "hub shutting down; reconnect");
  await eventually(() => closes.length >= 2, "the refused reconnect");
  assert.deepEqual(
    closes.map((c) => [c.code, c.reconnect]),
    [
      [1001, true],
      [4004, false],
    ],
  );
  assert.equal(hub.conns.length, 2);
});

test("the hello encoder adds kind only when asked", () => {
  const plain = encodeHello({ id: "abcd", fw: "1", name: "x", reset: "soft", config: {} });
  assert.equal(new TextDecoder().decode(plain.subarray(2)).includes("kind"), false);
  const phone = decodeControllerFrame(encodeHello({ id: "abcd", kind: "phone" }));
  assert.equal(phone.kind, "phone");
});
