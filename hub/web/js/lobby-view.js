// The match flow on the page: the waiting card, the countdown, the podium with the round's
// scoreboard and the last rounds (the hub's round.phase and round.recent, hub/match.py), and
// the bots control. `lobbyView` is pure (what to show); `showLobby` puts it in #lobby,
// touching the DOM only when the view changes.

const TIPS =
  "Press Play to join with the keyboard, press Start on a gamepad, scan the QR code with a phone, " +
  "or add bots below to practise.";

/** One line of the match history: "Round 3: Ada won · Ada 3, Bo 1" (h from round.recent). */
export function historyLine(h) {
  const who = h.winner_name ? `${h.winner_name} won` : "no winner";
  const top = (h.top ?? []).map(([name, score]) => `${name} ${score}`).join(", ");
  return `Round ${h.n}: ${who}${top ? ` · ${top}` : ""}`;
}

/** What the card shows for `round` (a state's round info) `msSince` ms after that state, or
 * null during play. {kind, title, text, big, rows: [{name, score, winner}], history: [line],
 * bots: whether the bots control is on the card} */
export function lobbyView(round, msSince = 0) {
  if (!round || !round.phase || round.phase === "playing") return null;
  const left = Math.max(0, Math.ceil(((round.phase_left ?? 0) - msSince) / 1000));
  const history = (round.recent ?? []).map(historyLine);
  if (round.phase === "waiting") {
    const need = round.min_players ?? 2;
    const text = `A round starts when ${need} players are in (bots count). ${TIPS}`;
    return { kind: "waiting", title: "Waiting for players", text, big: "", rows: [], history, bots: true };
  }
  if (round.phase === "countdown") {
    return { kind: "countdown", title: `Round ${round.n}`, text: "Get ready", big: String(Math.max(1, left)), rows: [], history: [], bots: false };
  }
  const p = round.podium ?? { n: round.n - 1, winner_name: null, scores: [] };
  const rows = (p.scores ?? []).map((s, i) => ({
    rank: i + 1,
    name: s.name,
    score: s.score,
    winner: p.winner !== null && s.id === p.winner,
  }));
  return {
    kind: "podium",
    title: p.winner_name ? `${p.winner_name} wins round ${p.n}!` : `Round ${p.n}: no winner`,
    text: `Next round in ${left} s`,
    big: "",
    rows,
    history: history.slice(1), // the newest is the scoreboard above
    bots: true,
  };
}

/** The top bar's round line for a phase other than play, or null (the caller writes its own). */
export function phaseLine(round, msSince = 0) {
  const v = lobbyView(round, msSince);
  if (!v) return null;
  if (v.kind === "waiting") return "Waiting for players";
  if (v.kind === "countdown") return `Round ${round.n} · starts in ${v.big}`;
  return `Round ${round.podium?.n ?? round.n - 1} over`;
}

let shown = "";

/** The bots control: − count +; buttons carry data-bots (main.js sends the change). */
export function botsControl(count) {
  const box = document.createElement("div");
  box.className = "bots-control";
  const label = document.createElement("span");
  label.textContent = "Bots";
  const less = document.createElement("button");
  less.dataset.bots = "-1";
  less.textContent = "−";
  less.title = "one bot less";
  const n = document.createElement("strong");
  n.className = "bots-count";
  n.textContent = String(count);
  const more = document.createElement("button");
  more.dataset.bots = "1";
  more.textContent = "+";
  more.title = "one bot more";
  box.append(label, less, n, more);
  return box;
}

export function showLobby(round, msSince = 0, bots = 0) {
  const box = globalThis.document?.getElementById("lobby");
  if (!box) return;
  const v = lobbyView(round, msSince);
  const key = JSON.stringify([v, bots]);
  if (key === shown) return;
  shown = key;
  box.hidden = v === null;
  if (!v) return;
  box.className = v.kind;
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const parts = [el("h1", "", v.title)];
  if (v.big) parts.push(el("div", "big", v.big));
  if (v.rows.length) {
    const ol = el("ol", "podium");
    for (const r of v.rows) {
      const li = el("li", r.winner ? "winner" : "");
      li.append(el("span", "rank", String(r.rank)), el("span", "name", r.name), el("span", "score", String(r.score)));
      ol.append(li);
    }
    parts.push(ol);
  }
  parts.push(el("p", "", v.text));
  if (v.bots) parts.push(botsControl(bots));
  if (v.history.length) {
    const ul = el("ul", "history");
    ul.append(el("li", "head", "Last rounds"), ...v.history.map((line) => el("li", "", line)));
    parts.push(ul);
  }
  box.replaceChildren(...parts);
}
