// The match flow on the page: the waiting card, the countdown, the podium with the round's
// scoreboard (the hub's round.phase, hub/match.py). `lobbyView` is pure (what to show);
// `showLobby` puts it in #lobby, touching the DOM only when the view changes.

const TIPS =
  "Press Play to join with the keyboard, press Start on a gamepad, scan the QR code with a phone, " +
  "or start the hub with --bots 1 to practise.";

/** What the card shows for `round` (a state's round info) `msSince` ms after that state, or
 * null during play. {kind, title, text, big, rows: [{name, score, winner}]} */
export function lobbyView(round, msSince = 0) {
  if (!round || !round.phase || round.phase === "playing") return null;
  const left = Math.max(0, Math.ceil(((round.phase_left ?? 0) - msSince) / 1000));
  if (round.phase === "waiting") {
    const need = round.min_players ?? 2;
    return { kind: "waiting", title: "Waiting for players", text: `A round starts when ${need} players are in. ${TIPS}`, big: "", rows: [] };
  }
  if (round.phase === "countdown") {
    return { kind: "countdown", title: `Round ${round.n}`, text: "Get ready", big: String(Math.max(1, left)), rows: [] };
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

export function showLobby(round, msSince = 0) {
  const box = globalThis.document?.getElementById("lobby");
  if (!box) return;
  const v = lobbyView(round, msSince);
  const key = JSON.stringify(v);
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
  box.replaceChildren(...parts);
}
