"""bench/drawn.py's analysis: which frame first showed each input, statistics, the plot.

Pure functions of the recorded frames (wall-clock ms at the end of each animation-frame
callback, the drawn hub time, where each player was drawn, the drawn shot ids) and the inputs.
"""

import json

KINDS = ("stick_start", "stick_stop", "shoot", "blink")
VARIANTS = (("worker", "predict"), ("worker", "interp"), ("main", "predict"), ("main", "interp"))
FIRMWARE_ID = "e2e0e2e0e2e0"


def analyse(inputs, arrived, frames, rules):
    """Per kind and source (python / firmware): latencies input → drawn frame (ms)."""
    events = {}
    for at, data in arrived:
        obj = json.loads(data)
        for m in obj if isinstance(obj, list) else [obj]:
            if m.get("type") in ("move", "shoot", "blink") and "cseq" in m:
                events.setdefault((m["id"], m["type"], m["cseq"]), (at, m))
    tracks = _tracks(frames)
    lat = {}
    hops = {}  # input → the event's arrival at the page
    waits = {}  # the event's arrival → the frame that drew it
    missed = {}
    for pid, kind, t_in, seq, x in inputs:
        source = "firmware" if pid == f"c-{FIRMWARE_ID}" else "python"
        key = (kind, source)
        etype = "move" if kind.startswith("stick") else kind
        hit = events.get((pid, etype, seq))
        frame = _drawn(tracks.get(pid, []), kind, t_in, x, hit and hit[1], rules) if hit else None
        if frame is None:
            missed[key] = missed.get(key, 0) + 1
        else:
            lat.setdefault(key, []).append(frame - t_in)
            hops.setdefault(key, []).append(hit[0] - t_in)
            waits.setdefault(key, []).append(frame - hit[0])
    out = {}
    for kind in KINDS:
        for source in ("python", "firmware", "all"):

            def pick(table, kind=kind, source=source):
                return [v for (k, s), v in table.items() if k == kind and source in (s, "all")]

            v = sorted(x for vals in pick(lat) for x in vals)
            n_missed = sum(pick(missed))
            h = sorted(x for vals in pick(hops) for x in vals)
            w = sorted(x for vals in pick(waits) for x in vals)
            if v or n_missed:
                row = stats(v) | {"not_drawn": n_missed}
                row["to_page"] = {q: stats(h)[q] for q in ("p50_ms", "p99_ms", "max_ms")}
                row["page_to_frame"] = {q: stats(w)[q] for q in ("p50_ms", "p99_ms", "max_ms")}
                if source == "all":
                    row["samples_ms"] = [round(x, 2) for x in v]
                out.setdefault(kind, {})[source] = row
    out["frames"] = len(frames)
    return out


def _tracks(frames):
    """Per player: [(frame end ms, drawn hub time, x, y, shot ids)] in frame order."""
    tracks = {}
    for end, t, players, shots, _ in frames:
        for pid, x, y in players:
            if x is not None:
                tracks.setdefault(pid, []).append((end, t, x, y, shots))
    return tracks


def _drawn(track, kind, t_in, x, event, rules):
    """End time of the first frame after t_in that shows the input, or None."""
    before = [f for f in track if f[0] <= t_in]
    after = [f for f in track if f[0] > t_in]
    if not before or not after:
        return None
    if kind == "stick_stop":
        return _stopped(before[-1], after[:STOP_FRAMES], rules)
    for f in after[:60]:  # a second at 60 Hz: beyond that it was not drawn
        if kind == "stick_start" and (f[2] - before[-1][2]) * x > 0.05 * abs(x):
            return f[0]
        if kind == "shoot" and event["projectile"]["id"] in f[4]:
            return f[0]
        if kind == "blink" and abs(f[2] - event["to"][0]) + abs(f[3] - event["to"][1]) < 1.0:
            return f[0]
    return None


# Frames after a stop in which the player must stay slow (~1/3 s; the schedule's next input
# for that player comes 0.2 s or more after the stop: a shot, which does not move it).
STOP_FRAMES = 20


def _stopped(prev, frames, rules):
    """The first frame from which the drawn speed stays under 3/4 of full speed: one slow
    frame is not enough (the interpolating baseline's speed wobbles with the hub's ticks). A
    teleport (a blink) is no run."""
    found = None
    for f in frames:
        dt = f[1] - prev[1] if f[1] is not None and prev[1] is not None else 0
        full = rules["speed"] * dt / 1000
        moved = abs(f[2] - prev[2])
        slow = dt <= 0 or moved < 0.75 * full or moved > 4 * full + 20
        if not slow:
            found = None
        elif found is None:
            found = f[0]
        prev = f
    return found if len(frames) == STOP_FRAMES else None


def compare_pixels(inputs, arrived, frames, rules):
    """Per kind: input → first frame with changed pixels, input → drawn-world frame (same
    events), and how many frames later the pixels showed it than the drawn world did."""
    events = {}
    for _, data in arrived:
        obj = json.loads(data)
        for m in obj if isinstance(obj, list) else [obj]:
            if "cseq" in m:
                events.setdefault((m["id"], m["type"], m["cseq"]), m)
    tracks = _tracks(frames)
    ends = [f[0] for f in frames]
    out = {}
    for pid, kind, t_in, seq, x in inputs:
        event = events.get((pid, "move" if kind == "stick_start" else kind, seq))
        drawn = _drawn(tracks.get(pid, []), kind, t_in, x, event, rules) if event else None
        before = [f[4] for f in frames if f[0] <= t_in and f[4] is not None]
        pix = None
        if before:
            pix = next(
                (f[0] for f in frames if f[0] > t_in and f[4] not in (None, before[-1])), None
            )
        row = out.setdefault(kind, {"pixels": [], "drawn": [], "frames_later": []})
        if pix is not None and drawn is not None:
            row["pixels"].append(pix - t_in)
            row["drawn"].append(drawn - t_in)
            row["frames_later"].append(ends.index(pix) - ends.index(drawn))
    for row in out.values():
        later = row["frames_later"]
        row["same_frame"] = sum(1 for n in later if n == 0)
        row["frames_later"] = {str(n): later.count(n) for n in sorted(set(later))}
        row["pixels"] = stats(sorted(row["pixels"]))
        row["drawn"] = stats(sorted(row["drawn"]))
    return out


def plot(out, path):
    """Distributions (empirical CDFs, log time axis) per kind: the four variants."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(KINDS), figsize=(16, 4.2), sharey=True)
    styles = {"predict": "-", "interp": "--"}
    colors = {"worker": "tab:blue", "main": "tab:orange"}
    for ax, kind in zip(axes, KINDS, strict=True):
        for renderer, smoothing in VARIANTS:
            v = out.get(f"{renderer}/{smoothing}", {}).get(kind, {}).get("all", {})
            xs = v.get("samples_ms") or []
            if not xs:
                continue
            ys = [(i + 1) / len(xs) for i in range(len(xs))]
            name = "present time" if smoothing == "predict" else "interp (baseline)"
            label = f"{renderer}, {name}"
            ax.step(xs, ys, styles[smoothing], color=colors[renderer], where="post", label=label)
        ax.axvline(25, color="grey", lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.set_title(kind.replace("_", " "))
        ax.set_xlabel("input → drawn frame (ms)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("share of inputs drawn")
    axes[0].legend(loc="lower right", fontsize=8)
    fig.suptitle("Input → drawn frame, headless Chromium on loopback (dotted: 25 ms)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def stats(v):
    def pct(q):
        return round(v[min(len(v) - 1, round(q / 100 * (len(v) - 1)))], 2) if v else None

    return {
        "n": len(v),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": round(v[-1], 2) if v else None,
    }


def ratios(out):
    """Baseline ÷ present-time, per renderer and kind (all sources): > 1 means faster."""
    res = {}
    for renderer in ("worker", "main"):
        new, old = out.get(f"{renderer}/predict", {}), out.get(f"{renderer}/interp", {})
        for kind in KINDS:
            a, b = new.get(kind, {}).get("all", {}), old.get(kind, {}).get("all", {})
            for q in ("p50_ms", "p99_ms"):
                if a.get(q) and b.get(q):
                    res[f"{renderer}/{kind}/{q[:3]}"] = round(b[q] / a[q], 2)
    return res


def summary(out):
    rows = []
    for renderer, smoothing in VARIANTS:
        r = out.get(f"{renderer}/{smoothing}", {})
        cells = []
        for kind in KINDS:
            s = r.get(kind, {}).get("all")
            cells.append(f"{kind} {s['p50_ms']}/{s['p99_ms']}" if s and s["n"] else f"{kind} —")
        rows.append(f"{renderer}/{smoothing}: " + ", ".join(cells) + " (p50/p99 ms)")
    return "; ".join(rows)
