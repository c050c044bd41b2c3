// The browser codec against every shared protocol vector (tests/vectors/protocol_v1.json).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  Close,
  ProtocolError,
  checkWindowMessage,
  colorHex,
  decodeControllerFrame,
  decodeHubFrame,
  encodeFeedback,
  encodeHello,
  encodeInput,
  encodeTelemetry,
  encodeWelcome,
  encodeWindowMessage,
  parseHubMessages,
  parseWindowMessage,
} from "../../hub/web/js/codec.js";

const vectors = JSON.parse(readFileSync(new URL("../vectors/protocol_v1.json", import.meta.url)));
const hex = (bytes) => Buffer.from(bytes).toString("hex");
const bytes = (h) => new Uint8Array(Buffer.from(h, "hex"));

const ENCODERS = {
  hello: (f) => encodeHello(f, f.proto),
  input: encodeInput,
  telemetry: encodeTelemetry,
  welcome: encodeWelcome,
  feedback: encodeFeedback,
};

function rejects(fn, code) {
  assert.throws(fn, (err) => err instanceof ProtocolError && (code === undefined || err.code === code));
}

describe("controller -> hub vectors", () => {
  for (const v of vectors.controller_to_hub) {
    test(`${v.name} decodes to its frame`, () => {
      assert.deepEqual(decodeControllerFrame(bytes(v.hex)), v.frame);
    });
    test(`${v.name} encodes to its exact bytes`, () => {
      assert.equal(hex(ENCODERS[v.frame.type](v.frame)), v.hex);
    });
  }
  for (const v of vectors.invalid_controller_frames) {
    test(`invalid ${v.name} is rejected with close ${v.close}`, () => {
      rejects(() => decodeControllerFrame(bytes(v.hex)), v.close);
    });
  }
});

describe("hub -> controller vectors", () => {
  for (const v of vectors.hub_to_controller) {
    test(`${v.name} decodes to its frame`, () => {
      assert.deepEqual(decodeHubFrame(bytes(v.hex)), v.frame);
    });
    test(`${v.name} encodes to its exact bytes`, () => {
      assert.equal(hex(ENCODERS[v.frame.type](v.frame)), v.hex);
    });
  }
  for (const v of vectors.invalid_hub_frames) {
    test(`invalid hub frame ${v.name} is rejected`, () => {
      rejects(() => decodeHubFrame(bytes(v.hex)));
    });
  }
});

describe("window <-> hub vectors", () => {
  for (const v of vectors.window_to_hub) {
    test(`${v.name} is accepted and round-trips`, () => {
      assert.deepEqual(JSON.parse(encodeWindowMessage(v.json)), v.json);
      assert.deepEqual(parseWindowMessage(JSON.stringify(v.json)), v.json);
    });
  }
  for (const v of vectors.invalid_window_frames) {
    test(`invalid window message ${v.name} is rejected with close ${v.close}`, () => {
      rejects(() => parseWindowMessage(v.text), v.close);
    });
  }
});

describe("codec details", () => {
  test("a bots call carries a count of 0..15, as the hub checks it", () => {
    assert.equal(encodeWindowMessage({ type: "bots", count: 15 }), '{"type":"bots","count":15}');
    rejects(() => encodeWindowMessage({ type: "bots", count: 16 }), Close.MALFORMED);
    rejects(() => encodeWindowMessage({ type: "bots", count: 1.5 }), Close.MALFORMED);
  });

  test("encoders refuse values the hub would close the connection for", () => {
    rejects(() => encodeInput({ seq: 1, x: 1001 }), Close.MALFORMED);
    rejects(() => encodeInput({ seq: 70000 }), Close.MALFORMED);
    rejects(() => encodeInput({ seq: 1, buttons: 8 }), Close.MALFORMED);
    rejects(() => encodeHello({ id: "XYZ" }), Close.MALFORMED);
    rejects(() => encodeHello({ id: "abcd", config: { pad: "x".repeat(1100) } }), Close.MALFORMED);
  });

  test("hub messages are accepted as one object or an array, in order", () => {
    assert.deepEqual(parseHubMessages('{"type":"pong","id":1}'), [{ type: "pong", id: 1 }]);
    const items = parseHubMessages('[{"type":"move","seq":4},{"type":"blink","seq":5}]');
    assert.deepEqual(
      items.map((m) => m.seq),
      [4, 5],
    );
    rejects(() => parseHubMessages("[1]"), Close.MALFORMED);
    rejects(() => parseHubMessages("nope"), Close.MALFORMED);
  });

  test("window checks name the problem", () => {
    assert.throws(() => checkWindowMessage({ type: "join", name: "   " }), /name must be 1-16/);
    assert.throws(() => checkWindowMessage({ type: "message", text: "" }), /1-200 characters/);
    assert.throws(
      () => checkWindowMessage({ type: "fly" }),
      (e) => e.code === Close.UNKNOWN_TYPE,
    );
  });

  test("colours format as css hex", () => {
    assert.equal(colorHex([230, 57, 70]), "#e63946");
    assert.equal(colorHex([0, 5, 255]), "#0005ff");
  });

  test("decoding accepts ArrayBuffer and views at an offset", () => {
    const framed = bytes("ff0100010000000000000000");
    const view = framed.subarray(1, 12);
    assert.equal(decodeControllerFrame(view).seq, 1);
    assert.equal(decodeHubFrame(bytes("82010096").buffer).ms, 150);
  });
});
