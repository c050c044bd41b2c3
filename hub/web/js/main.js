// Game page wiring: pairing code -> BlinkshotClient -> Predictor (present time; or, with
// ?smoothing=interp, the Interpolator 100 ms in the past) -> Renderer (in a worker where the
// browser allows, render-host.js), plus the HUD, keyboard/mouse play and the test hook
// `window.blinkshot`.

import { setupSound } from "./audio.js";
import { BlinkshotClient } from "./client.js";
import * as hud from "./hud.js";
import { KeyboardMouse } from "./input.js";
import { DELAY_MS, Interpolator } from "./interp.js";
import { setupGamepads } from "./pads.js";
import { Predictor } from "./predict.js";
import { makeRenderer } from "./render-host.js";

const EVENT_LOG_MAX = 1000;
const LATENCY_KEEP_MS = 5000;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

const params = new URLSearchParams(location.search);
// The room: ?room=, else the hub's default room (from /pairing.json on its machine), else "default".
let room = params.get("room") || "default";
const canvas = document.getElementById("arena");
const renderer = makeRenderer(canvas, params.get("renderer"));
// "predict" draws the present; "interp" (?smoothing=interp) the past, between two states.
const smoothing = params.get("smoothing") === "interp" ? "interp" : "predict";
let model = new Interpolator(); // replaced by a Predictor once welcome brings the rules
let lastRound = null;
const events = [];
const latency = new Map(); // player id -> {hub: ms, ctrl: ms, at: local ms}
let stateLatency = null;
let lastStateAt = 0;
let drawn = null; // the last sampled world, as drawn
let myId = null;
const fps = { frames: 0, since: performance.now(), value: 0 };
const timing = {}; // first open / welcome / state of this page load, performance.now() ms

/** The pairing code: ?code=, else /pairing.json on the hub's own machine, else ask. */
async function pairing() {
  const info = { code: params.get("code"), room, phoneUrl: null };
  if (LOOPBACK.has(location.hostname)) {
    try {
      const r = await fetch("/pairing.json", { cache: "no-store" });
      if (r.ok) {
        const j = await r.json();
        info.code ??= j.code;
        if (!params.get("room") && j.room) room = info.room = j.room;
        if (j.room === room) info.phoneUrl = j.phone_url;
      }
    } catch {
      // Hub not reachable yet: the client's reconnect overlay explains; ask below if needed.
    }
  }
  info.code ??= localStorage.getItem(`blinkshot.code.${location.host}`);
  if (!info.code) info.code = await askCode("Enter the pairing code shown by the hub.");
  return info;
}

function askCode(text, title = "Pairing code") {
  hud.showOverlay({ title, text, askCode: true });
  return new Promise((resolve) => {
    const form = document.getElementById("code-form");
    form.onsubmit = (e) => {
      e.preventDefault();
      const code = document.getElementById("code-input").value.trim();
      if (!/^\d{6}$/.test(code)) return;
      hud.showOverlay({ title: "Connecting…", spinner: true });
      resolve(code);
    };
  });
}

/** After a wrong-code close: a restarted hub on this machine may have a new code; else ask. */
async function newCode(old, reason) {
  if (LOOPBACK.has(location.hostname) && !params.get("code")) {
    try {
      const r = await fetch("/pairing.json", { cache: "no-store" });
      const j = r.ok ? await r.json() : null;
      if (j?.code && j.code !== old) return j.code;
    } catch {
      // fall through to asking
    }
  }
  return askCode(`${reason || "Wrong pairing code."} Enter the code shown by the hub.`, "Wrong pairing code");
}

function noteLatency(msg, at, client) {
  if (typeof msg.id !== "string") return;
  const entry = latency.get(msg.id) ?? {};
  const hub = client.latency(msg, at);
  // Clamped: on one machine the true figure is ~0 and the clock estimate is good to +-rtt/2.
  entry.hub = hub === null ? null : Math.max(0, hub);
  if (Number.isFinite(msg.ct) && Number.isFinite(msg.t)) entry.ctrl = msg.t - msg.ct;
  entry.at = at;
  latency.set(msg.id, entry);
}

function logEvent(msg, at) {
  events.push({ ...msg, received: at });
  if (events.length > EVENT_LOG_MAX) events.splice(0, events.length - EVENT_LOG_MAX);
}

function playerName(id) {
  return (
    drawn?.players.find((p) => p.id === id)?.name ??
    model.latest?.players.find((p) => p.id === id)?.name ??
    id
  );
}

function wire(client) {
  client.on("open", () => {
    timing.open ??= performance.now();
  });
  client.on("welcome", (msg) => {
    timing.welcome ??= performance.now();
    if (smoothing === "predict" && msg.rules) model = new Predictor(msg.rules);
    else model.reset(); // an older hub sends no rules: interpolate
    lastRound = null;
    renderer.setArena({ ...msg.arena, obstacles: msg.rules?.map?.obstacles }, msg.rules);
    hud.setConnected(true);
    hud.showOverlay(null);
    if (msg.phone_url) hud.showPairing({ code: client.code, room, phoneUrl: msg.phone_url });
    localStorage.setItem(`blinkshot.code.${location.host}`, client.code);
  });
  client.on("state", (msg, at) => {
    timing.first_state ??= performance.now();
    model.push(msg, Number.isFinite(msg.t) ? msg.t : client.hubNow());
    lastStateAt = at;
    const l = client.latency(msg, at);
    stateLatency = l === null ? null : Math.max(0, l);
    const before = lastRound;
    lastRound = msg.round ?? lastRound;
    if (before && msg.round && msg.round.n > before.n) {
      // Scores are already reset in this state: the winner comes from the round info.
      const w = msg.round.last_winner;
      const title = w ? `${playerName(w)} wins the round!` : "Time's up: no winner";
      // With the lobby the podium comes first (its card says when the next round starts).
      const next = msg.round.phase === "podium" ? `Round ${msg.round.n - 1} over` : `Round ${msg.round.n} starts`;
      hud.showBanner(title, 4000, next);
    }
    hud.showScores(msg.players);
  });
  client.on("*", (msg, at) => {
    if (msg.type === "state" || msg.type === "pong" || msg.type === "welcome") return;
    logEvent(msg, at);
    noteLatency(msg, at, client);
  });
  const now = () => performance.now();
  const colorOf = (id) => model.latest?.players.find((p) => p.id === id)?.color ?? "#ffffff";
  client.on("move", (msg) => model.noteMove?.(msg.id, msg.x, msg.y, msg.t, msg.tick_t));
  client.on("blink", (msg) => {
    model.noteBlink(msg.id, msg.to, msg.t, msg.tick_t);
    renderer.addBlink(msg.from, msg.to, colorOf(msg.id), now());
  });
  client.on("shoot", (msg) => {
    model.noteShot(msg.projectile, msg.t, msg.seq, msg.tick_t);
    renderer.addMuzzle(msg.projectile.x, msg.projectile.y, colorOf(msg.id), now());
  });
  client.on("hit", (msg) => {
    const p = drawn?.players.find((q) => q.id === msg.id);
    const before = model.latest?.players.find((q) => q.id === msg.id)?.hp ?? msg.hp + 25;
    if (p) renderer.addHit(p.x, p.y, Math.max(0, before - msg.hp), msg.dead, now());
    model.noteHit?.(msg.id, msg.by, msg.hp, msg.dead, msg.t, msg.tick_t);
    if (msg.dead)
      hud.addChat("", `${playerName(msg.by)} knocked out ${playerName(msg.id)}`, { system: true });
    if (msg.dead && msg.id === myId) hud.showBanner(`Knocked out by ${playerName(msg.by)}`, 2000);
  });
  client.on("message", (msg) => hud.addChat(msg.from, msg.text, { system: msg.system === true }));
  client.on("backlog", (msg) => {
    // A fresh page (or a reload) gets the room's recent chat and kill feed once, oldest first.
    hud.clearChat();
    for (const line of msg.lines ?? []) hud.addChat(line.from, line.text, { system: line.system === true });
  });
  client.on("create_player", (msg) => hud.addChat("", `${msg.player.name} joined`, { system: true }));
  client.on("remove_player", (msg) => hud.addChat("", `${playerName(msg.id)} left`, { system: true }));
  client.on("round", (msg) => {
    const who = msg.winner ? `${playerName(msg.winner)} won. ` : "";
    hud.addChat("", `${who}Round ${msg.round - 1} is over.`, { system: true });
  });
  client.on("close", (c) => {
    hud.setConnected(false);
    const why = c.reason
      ? `${c.reason} (${c.code})`
      : c.code === 1006
        ? "The hub is not reachable"
        : `Connection lost (${c.code})`;
    if (c.code === 4004) {
      newCode(client.code, c.reason).then((code) => {
        client.code = code;
        client.connect();
      });
    } else if (c.reconnect) {
      const next = `Next try in ${(c.delay / 1000).toFixed(1)} s (attempt ${client.attempt + 1}).`;
      hud.showOverlay({ title: "Reconnecting…", text: `${why}. ${next}`, spinner: true });
    } else if (c.fatal) {
      hud.showOverlay({ title: "Disconnected", text: `${why}. Reload the page to try again.` });
    }
  });
}

// Controller -> hub: half the WebSocket ping round trip the hub measures on each player's link
// (controllers, phones, and the windows of keyboard players), read from /healthz while wanted.
const links = new Map(); // player id -> ms
let linksWantedUntil = 0;
const HEALTH_EVERY_MS = 2000;

async function fetchLinks() {
  try {
    const r = await fetch("/healthz", { cache: "no-store" });
    const doc = await r.json();
    links.clear();
    for (const rm of doc.rooms ?? []) {
      if (rm.name !== room) continue;
      for (const c of [...(rm.controllers ?? []), ...(rm.windows ?? [])]) {
        if (c.player && c.rtt_ms > 0) links.set(c.player, c.rtt_ms / 2);
      }
      // Several hub processes: players connected to the others (docs/scaling.md).
      for (const [id, ms] of Object.entries(rm.links ?? {})) {
        if (!links.has(id) && ms > 0) links.set(id, ms / 2);
      }
    }
  } catch {
    // The hub is away; the reconnect overlay says so.
  }
}

async function pollLinks() {
  const visible = !document.getElementById("latency").hidden;
  if (visible || performance.now() < linksWantedUntil) await fetchLinks();
  setTimeout(pollLinks, HEALTH_EVERY_MS);
}

function stats(client) {
  const nowLocal = client.now();
  const players = (model.latest?.players ?? []).map((p) => {
    const l = latency.get(p.id);
    const fresh = l && nowLocal - l.at < LATENCY_KEEP_MS;
    return {
      id: p.id,
      name: p.name,
      color: p.color,
      kind: p.kind,
      controller_to_hub_ms: p.link_ms ?? links.get(p.id) ?? (fresh ? l.ctrl : null) ?? null,
      hub_to_window_ms: fresh && l.hub !== null ? l.hub : stateLatency,
    };
  });
  return {
    fps: fps.value,
    rtt_ms: client.rtt,
    clock_offset_ms: client.clockOffset,
    state_ms: stateLatency,
    players,
  };
}

function exposeHook(client) {
  window.blinkshot = {
    /** Latest hub state with, per player and projectile, where this window drew it last frame. */
    state() {
      const s = model.latest;
      if (!s) return null;
      const at = new Map((drawn?.players ?? []).map((p) => [p.id, p]));
      return {
        connected: client.connected,
        window: client.welcome?.window ?? null,
        me: myId,
        tick: s.tick,
        t: s.t,
        round: s.round,
        bots: s.bots ?? 0, // the room's bot setting
        players: s.players.map((p) => ({
          ...p,
          drawn: at.has(p.id) ? { x: at.get(p.id).x, y: at.get(p.id).y } : null,
        })),
        projectiles: s.projectiles,
        drawn_projectiles: drawn?.projectiles ?? [],
        drawn_t: drawn?.t ?? null, // the hub time (ms) the last frame showed
      };
    },
    stats() {
      linksWantedUntil = performance.now() + 10_000;
      return stats(client);
    },
    events,
    timing,
    renderer: renderer.thread, // "worker" (OffscreenCanvas) or "main"
    smoothing, // "predict" (present time) or "interp" (?smoothing=interp, 100 ms behind)
    overlay: hud.overlayState,
    client,
  };
}

function setupPlay(client, input) {
  const form = document.getElementById("join-form");
  const nameInput = document.getElementById("join-name");
  nameInput.value = localStorage.getItem("blinkshot.name") ?? "";
  // The hub's resume token for this tab's player (it changes at every join): a reload joins
  // with it and keeps the player. Only the hub makes tokens; ids of other players cannot resume.
  client.on("joined", (msg) => {
    sessionStorage.setItem("blinkshot.player", msg.token);
    myId = msg.player;
    renderer.me = myId;
  });
  form.onsubmit = (e) => {
    e.preventDefault();
    const name = nameInput.value.trim();
    if (!name) return;
    localStorage.setItem("blinkshot.name", name);
    client.join(name, sessionStorage.getItem("blinkshot.player") ?? undefined);
    input.enable();
    form.hidden = true;
    document.getElementById("controls").hidden = false;
    nameInput.blur();
  };
  if (params.get("play")) {
    nameInput.value = params.get("play");
    form.requestSubmit();
  }
}

function setupKeys(client) {
  const chatInput = document.getElementById("chat-input");
  document.getElementById("chat-form").onsubmit = (e) => {
    e.preventDefault();
    const text = chatInput.value.trim();
    if (text && client.connected) {
      client.chat(text.slice(0, 200));
      chatInput.value = "";
    }
    chatInput.blur();
  };
  document.addEventListener("click", (e) => {
    // The bots control (score panel and lobby card): one more or one less than the room has.
    const b = e.target.closest?.("[data-bots]");
    if (!b || !client.connected) return;
    const count = Math.min(15, Math.max(0, (model.latest?.bots ?? 0) + Number(b.dataset.bots)));
    client.setBots(count);
  });
  document.getElementById("pairing-toggle").onclick = () => hud.togglePanel("pairing", false);
  window.addEventListener("keydown", (e) => {
    const typing = e.target?.tagName === "INPUT";
    if (e.key === "Escape" && typing) e.target.blur();
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Enter") {
      chatInput.focus();
      e.preventDefault();
    } else if (e.code === "KeyL") {
      if (hud.togglePanel("latency")) {
        hud.showLatency(stats(client));
        fetchLinks().then(() => hud.showLatency(stats(client)));
      }
    } else if (e.code === "KeyQ") {
      hud.togglePanel("pairing");
    }
  });
}

function frame(client, input) {
  const t = performance.now();
  fps.frames += 1;
  if (t - fps.since >= 1000) {
    fps.value = (fps.frames * 1000) / (t - fps.since);
    fps.frames = 0;
    fps.since = t;
    hud.showLatency(stats(client));
  }
  const hubNow = client.hubNow();
  drawn = model.sample(model instanceof Predictor ? hubNow : hubNow - DELAY_MS);
  if (drawn) drawn.colors = new Map(drawn.players.map((p) => [p.id, p.color]));
  renderer.draw(drawn, t);
  input.update();
  const round = model.latest?.round;
  if (round) {
    const w = round.last_winner;
    const winner = w ? (round.last_winner_name ?? playerName(w)) : null;
    hud.showRound(round, client.now() - lastStateAt, winner, model.latest.bots ?? 0);
  }
  requestAnimationFrame(() => frame(client, input));
}

async function start() {
  hud.showOverlay({ title: "Connecting…", spinner: true });
  const info = await pairing();
  hud.showPairing({
    code: info.code,
    room,
    phoneUrl: info.phoneUrl ?? `${location.origin}/phone?room=${encodeURIComponent(room)}&code=${info.code}`,
  });
  // Sub-millisecond clock: present-time drawing places moves by their hub time.
  const now = () => performance.timeOrigin + performance.now();
  const client = new BlinkshotClient({ url: location.origin, room, code: info.code, now });
  const myPosition = () => {
    const me = drawn?.players.find((p) => p.id === myId);
    return me ? [me.x, me.y] : null;
  };
  const input = new KeyboardMouse(client, canvas, (x, y) => renderer.toWorld(x, y), myPosition);
  wire(client);
  exposeHook(client);
  setupSound(client, { me: () => myId });
  setupGamepads(() => new BlinkshotClient({ url: location.origin, room, code: client.code }));
  setupPlay(client, input);
  setupKeys(client);
  client.connect();
  pollLinks();
  requestAnimationFrame(() => frame(client, input));
}

start();
