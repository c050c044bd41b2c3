// Live hub dashboard: polls /healthz twice a second and redraws the tables.
// Everything from the hub is inserted as text, never as HTML (names come from devices).
// Device ids, window ids and addresses come only on the hub's own machine or with the pairing
// code (/dashboard?code=123456, passed on to /healthz); anyone else sees counts.

const POLL_MS = 500;
const CODE = new URLSearchParams(location.search).get("code");
const HEALTH_URL = CODE ? `/healthz?code=${encodeURIComponent(CODE)}` : "/healthz";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : String(c ?? ""));
  return node;
}

function table(columns, rows, empty) {
  if (!rows.length) return el("p", { class: "muted" }, empty);
  const head = el("tr", {}, ...columns.map(([label]) => el("th", {}, label)));
  const body = rows.map((row) =>
    el("tr", {}, ...columns.map(([, get, num]) => el("td", num ? { class: "num" } : {}, get(row)))),
  );
  return el("table", {}, el("thead", {}, head), el("tbody", {}, ...body));
}

const fmt = (v, unit = "") => (v === null || v === undefined || v === 0 ? "–" : `${v}${unit}`);

const CONTROLLER_COLUMNS = [
  ["name", (c) => c.name],
  ["device id", (c) => c.id],
  ["kind", (c) => c.kind],
  ["fw", (c) => c.fw],
  ["slot", (c) => c.slot, true],
  ["RSSI", (c) => fmt(c.rssi, " dBm"), true],
  ["battery", (c) => fmt(c.battery_mv, " mV"), true],
  ["heap", (c) => fmt(c.heap_kb, " KiB"), true],
  ["reset", (c) => c.reset],
  ["frames/s", (c) => c.fps, true],
  ["RTT", (c) => fmt(c.rtt_ms, " ms"), true],
  ["address", (c) => c.addr],
];

const WINDOW_COLUMNS = [
  ["window", (w) => w.id],
  ["player", (w) => w.player ?? "–"],
  ["RTT", (w) => fmt(w.rtt_ms, " ms"), true],
  ["queued", (w) => w.queued, true],
  ["buffered", (w) => `${w.buffered_bytes} B`, true],
  ["behind", (w) => `${w.behind_s} s`, true],
  ["address", (w) => w.addr],
];

function render(h) {
  document.getElementById("summary").textContent =
    `${h.controllers} controller(s), ${h.windows} window(s), ${h.rooms.length} room(s), ` +
    `up ${Math.round(h.uptime_s)} s, version ${h.version}`;
  const rooms = h.rooms.map((r) => {
    const left = Math.round((r.round?.time_left ?? 0) / 1000);
    const head = [
      el("h2", {}, `room ${r.name}`),
      el("p", { class: "muted" }, `${r.players} player(s), round ${r.round?.n}, ${left} s left`),
    ];
    if (h.detail === false) {
      const counts = `${r.controller_count} controller(s), ${r.window_count} window(s)`;
      return el("section", { "data-room": r.name }, ...head, el("p", {}, counts));
    }
    return el(
      "section",
      { "data-room": r.name },
      ...head,
      el("h3", {}, "controllers"),
      table(CONTROLLER_COLUMNS, r.controllers, "no controllers"),
      el("h3", {}, "windows"),
      table(WINDOW_COLUMNS, r.windows, "no windows"),
    );
  });
  if (h.detail === false) {
    rooms.unshift(
      el(
        "p",
        { class: "muted", id: "need-code" },
        "Counts only: device ids and addresses are shown on the hub's machine, or here with " +
          "the pairing code (open /dashboard?code=<code>).",
      ),
    );
  }
  document.getElementById("rooms").replaceChildren(...rooms);
}

async function poll() {
  const status = document.getElementById("status");
  try {
    const res = await fetch(HEALTH_URL, { cache: "no-store" });
    if (res.status === 403 || res.status === 429) {
      // A wrong code stays wrong: stop (each try counts against this address). After too many,
      // wait as long as the hub says.
      status.textContent = `${(await res.text()).trim()} (HTTP ${res.status})`;
      status.className = "down";
      const wait = Number(res.headers.get("Retry-After") ?? 0);
      if (res.status === 429) setTimeout(poll, Math.max(POLL_MS, 1000 * wait));
      return;
    }
    // 503 with a document: the hub answers but is cut off from Redis (--redis; docs/scaling.md)
    const cutOff = res.status === 503 && res.headers.get("Content-Type") === "application/json";
    if (!res.ok && !cutOff) throw new Error(`HTTP ${res.status}`);
    render(await res.json());
    const when = new Date().toLocaleTimeString();
    status.textContent = cutOff
      ? `cut off from Redis: rooms run elsewhere are paused here; reconnecting · updated ${when}`
      : `live · updated ${when}`;
    status.className = cutOff ? "down" : "muted";
  } catch (err) {
    status.textContent = `hub unreachable (${err.message}); retrying…`;
    status.className = "down";
  }
  setTimeout(poll, POLL_MS);
}

poll();
