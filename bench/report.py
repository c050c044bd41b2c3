"""Turn results into the stdout table, ratios to peers, and the latency-vs-load plot."""

from bench import relay


def by(results, name, ctrl, rate, win):
    for r in results:
        if (r["server"], r["controllers"], r["rate_hz"], r["windows"]) == (name, ctrl, rate, win):
            return r
    return None


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return round(a / b, 3)


def ratios(relay_results, names):
    """Hub figures ÷ each peer's, per fixed load point, plus sustained fan-out."""
    out = []
    results = relay_results["fixed"]
    for ctrl, rate, win in relay.FIXED:
        hub = by(results, "hub", ctrl, rate, win)
        for name in names:
            if name.startswith("hub"):
                continue
            peer = by(results, name, ctrl, rate, win)
            ok = hub and peer and not hub.get("error") and not peer.get("error")
            out.append(
                {
                    "point": f"{ctrl}×{rate} Hz → {win}",
                    "peer": name,
                    "cpu_per_frame": ratio(hub["server_us_per_frame"], peer["server_us_per_frame"])
                    if ok
                    else None,
                    "p99": ratio(hub["p99_ms"], peer["p99_ms"]) if ok else None,
                    "p50": ratio(hub["p50_ms"], peer["p50_ms"]) if ok else None,
                }
            )
    sweep = relay_results["sweep"]
    hub_fanout = relay.max_sustained(sweep, "hub")
    for name in names:
        if not name.startswith("hub"):
            peer_fanout = relay.max_sustained(sweep, name)
            out.append(
                {
                    "point": "sustained fan-out",
                    "peer": name,
                    "fanout": ratio(hub_fanout, peer_fanout),
                    "hub_per_s": hub_fanout,
                    "peer_per_s": peer_fanout,
                }
            )
    return out


def fmt(v, spec=".2f"):
    return "—" if v is None else format(v, spec)


def table(relay_results):
    rows = [
        "| server | load | delivered / expected | p50 ms | p99 ms | max ms | server µs/frame "
        "| above idle | server CPU (idle) | loadgen CPU |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in relay_results["fixed"] + relay_results["sweep"]:
        load = f"{r['controllers']}×{r['rate_hz']} Hz → {r['windows']}"
        if r.get("error"):
            rows.append(f"| {r['server']} | {load} | error: {r['error'][:80]} | | | | | | | |")
            continue
        rows.append(
            f"| {r['server']} | {load} | {r['delivered']} / {r['expected']} | {fmt(r['p50_ms'])} "
            f"| {fmt(r['p99_ms'])} | {fmt(r['max_ms'], '.1f')} | {fmt(r['server_us_per_frame'])} "
            f"| {fmt(r['server_us_per_frame_above_idle'])} "
            f"| {r['server_cpu_pct']} % ({r['server_idle_cpu_pct']} %) | {r['loadgen_cpu_pct']} % |"
        )
    return "\n".join(rows)


def ratio_table(rows):
    out = [
        "| load | peer | hub CPU/frame ÷ peer | hub p50 ÷ peer | hub p99 ÷ peer |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if "fanout" in r:
            continue
        out.append(
            f"| {r['point']} | {r['peer']} | {fmt(r['cpu_per_frame'])} | {fmt(r['p50'])} "
            f"| {fmt(r['p99'])} |"
        )
    out += [
        "",
        "| peer | hub sustained fan-out ÷ peer | hub /s | peer /s |",
        "| --- | --- | --- | --- |",
    ]
    for r in rows:
        if "fanout" in r:
            out.append(
                f"| {r['peer']} | {fmt(r['fanout'])} | {r['hub_per_s']:.0f} "
                f"| {r['peer_per_s']:.0f} |"
            )
    return "\n".join(out)


def plot(relay_results, path, names):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, cpu) = plt.subplots(1, 2, figsize=(13, 5), dpi=100)
    for name in names:
        points = sorted(
            (r for r in relay_results["sweep"] + relay_results["fixed"]
             if r["server"] == name and not r.get("error") and r["p99_ms"] is not None),
            key=lambda r: r["deliveries_per_s"],
        )  # fmt: skip
        if not points:
            continue
        xs = [r["deliveries_per_s"] for r in points]
        line = ax.plot(xs, [r["p99_ms"] for r in points], marker="o", label=f"{name} p99")[0]
        color = line.get_color()
        ax.plot(xs, [r["p50_ms"] for r in points], ls=":", color=color, marker=".")
        cpu.plot(xs, [r["server_us_per_frame"] for r in points], marker="o", color=color,
                 label=name)  # fmt: skip
    ax.axhline(relay.P99_LIMIT_MS, color="grey", lw=0.8, ls="--")
    for a in (ax, cpu):
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_xlabel("frames delivered per second (all windows)")
        a.grid(True, which="both", alpha=0.3)
    ax.set_ylabel("one-way latency, ms (solid p99, dotted p50)")
    ax.set_title("Latency against load (127.0.0.1, same generator, same run)")
    ax.legend(fontsize=7)
    cpu.set_ylabel("server CPU per delivered frame, µs")
    cpu.set_title("Server CPU per delivered frame (user+sys)")
    cpu.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
