// The DOM around the canvas: round info, score board, chat, pairing panel, latency table and
// the connection overlay. Plain functions over elements of index.html; no networking.

import { phaseLine, showLobby } from "./lobby-view.js";

const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function setConnected(on) {
  $("status").classList.toggle("on", on);
  $("status").title = on ? "connected to the hub" : "not connected";
}

function clock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Round line: number, time left (counted down locally between states), score limit, and who
 * won the round before (`lastWinner` = a name, or null). */
export function showRound(round, msSinceState, lastWinner = null, bots = 0) {
  if (!round || round.n === undefined) return;
  showLobby(round, msSinceState, bots); // waiting, countdown, podium (the hub's lobby)
  const count = $("bots-count");
  if (count && count.textContent !== String(bots)) count.textContent = String(bots);
  const left = clock((round.time_left ?? 0) - msSinceState);
  const limit = round.score_limit ? ` · first to ${round.score_limit}` : "";
  const last = lastWinner ? ` · last won by ${lastWinner}` : "";
  const text = (phaseLine(round, msSinceState) ?? `Round ${round.n} · ${left}${limit}`) + last;
  // Called every frame: writing the same text would still cost a layout and a repaint.
  if ($("round").textContent !== text) $("round").textContent = text;
}

let lastScores = "";

export function showScores(players) {
  const sorted = [...players].sort((a, b) => b.score - a.score || a.slot - b.slot);
  const key = JSON.stringify(sorted.map((p) => [p.id, p.name, p.score, p.alive, p.connected, p.color]));
  if (key === lastScores) return;
  lastScores = key;
  const list = $("score-list");
  list.replaceChildren(
    ...sorted.map((p) => {
      const li = el("li", `${p.alive ? "" : "dead"} ${p.connected ? "" : "away"}`);
      li.dataset.id = p.id;
      const sw = el("span", "swatch");
      sw.style.background = p.color;
      sw.style.boxShadow = `0 0 8px ${p.color}`;
      const name = el("span", "name", p.name);
      name.append(el("span", "kind", { controller: "pad", phone: "phone", keyboard: "keys", gamepad: "gamepad", bot: "bot" }[p.kind] ?? ""));
      li.append(sw, name, el("span", "score", String(p.score)));
      return li;
    }),
  );
  $("score-empty").hidden = sorted.length > 0;
}

/** One chat line. `system` lines (the page's own notes, and hub messages marked `system: true`
 * on the wire) are drawn apart: no sender, dim italics. A player's line always shows its
 * sender, so a player named "hub" cannot pass for the hub. */
export function addChat(from, text, { system = false } = {}) {
  const log = $("chat-log");
  const li = el("li", system ? "sys" : "chat");
  if (!system) li.append(el("span", "from", from || "?"));
  li.append(document.createTextNode(text));
  log.append(li);
  while (log.children.length > 100) log.firstChild.remove();
  log.scrollTop = log.scrollHeight;
}

export function showPairing({ code, room, phoneUrl }) {
  $("pair-code").textContent = code ?? "······";
  $("pair-room").textContent = room;
  if (code) {
    const q = new URLSearchParams({ room, code });
    $("qr").src = `/qr.svg?${q}`;
  }
  if (phoneUrl) {
    $("phone-link").href = phoneUrl;
    $("phone-link").textContent = phoneUrl;
  }
}

export function togglePanel(id, show) {
  const p = $(id);
  p.hidden = show === undefined ? !p.hidden : !show;
  return !p.hidden;
}

function ms(v) {
  if (v === null || v === undefined) return "–";
  return v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;
}

export function showLatency(stats) {
  if ($("latency").hidden) return;
  $("latency-rows").replaceChildren(
    ...stats.players.map((s) => {
      const tr = el("tr");
      const name = el("td", "", s.name);
      name.style.color = s.color;
      tr.append(name, el("td", "", ms(s.controller_to_hub_ms)), el("td", "", ms(s.hub_to_window_ms)));
      return tr;
    }),
  );
  $("latency-foot").textContent = `${Math.round(stats.fps)} fps · round trip ${ms(stats.rtt_ms)}`;
}

/** The overlay: null hides it; otherwise {title, text, spinner, askCode}. */
export function showOverlay(o) {
  $("overlay").hidden = o === null;
  if (o === null) return;
  $("overlay-title").textContent = o.title;
  $("overlay-text").textContent = o.text ?? "";
  $("overlay-spinner").hidden = !o.spinner;
  $("code-form").hidden = !o.askCode;
  if (o.askCode) $("code-input").focus();
}

export function overlayState() {
  return {
    shown: !$("overlay").hidden,
    title: $("overlay-title").textContent,
    text: $("overlay-text").textContent,
  };
}

/** The link bar: null hides it; otherwise {text, paused}. `paused` also dims the arena: the
 * game drawn there is frozen and may be out of date (link.js says when). */
export function showLink(o) {
  const bar = $("link");
  bar.hidden = o === null;
  document.body.classList.toggle("link-paused", o !== null && o.paused);
  if (o !== null && bar.textContent !== o.text) bar.textContent = o.text;
}

export function linkState() {
  const bar = $("link");
  return { shown: !bar.hidden, text: bar.textContent, paused: document.body.classList.contains("link-paused") };
}

let bannerTimer = null;

/** A big transient line over the arena (round results, "knocked out"), with an optional
 * smaller line under it. */
export function showBanner(text, ms = 2500, sub = "") {
  const b = $("banner");
  b.textContent = text;
  if (sub) b.append(el("small", "", sub));
  b.hidden = false;
  // Restart the pop animation for a new line.
  b.style.animation = "none";
  void b.offsetWidth;
  b.style.animation = "";
  clearTimeout(bannerTimer);
  bannerTimer = setTimeout(() => {
    b.hidden = true;
  }, ms);
}

export function clearChat() {
  $("chat-log").replaceChildren();
}
