// Peer: a broadcast relay on Node's `ws` package. Every message from /ws/controller goes
// unchanged to every /ws/window client. Usage: node ws_relay.cjs [port]
// WS_MODULE may name the `ws` package directory (the bench passes tests/node_modules/ws).
"use strict";
const { WebSocketServer, WebSocket } = require(process.env.WS_MODULE || "ws");

const host = "127.0.0.1";
const port = Number(process.argv[2] || 0);
const windows = new Set();
const server = new WebSocketServer({ host, port, perMessageDeflate: false, maxPayload: 4096 });

server.on("connection", (socket, request) => {
  if (request.url.startsWith("/ws/window")) {
    windows.add(socket);
    socket.on("close", () => windows.delete(socket));
  } else if (request.url.startsWith("/ws/controller")) {
    socket.on("message", (data, isBinary) => {
      for (const window of windows) {
        if (window.readyState === WebSocket.OPEN) window.send(data, { binary: isBinary });
      }
    });
  } else {
    socket.close(4002, "unknown path; use /ws/controller or /ws/window");
  }
});

server.on("listening", () => {
  console.log(`node ws relay listening on http://${host}:${server.address().port}`);
});
