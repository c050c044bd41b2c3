"""Honest play while one hostile client runs (issue 13, docs/security.md).

    .venv/bin/python -m bench.hostile --seconds 5            # 3 pairs per attack, ~4 minutes
    .venv/bin/python -m bench.hostile --seconds 2 --pairs 1

Each round starts a fresh hub (a subprocess on 127.0.0.1) and plays honestly on it: one
controller sending 50 input frames/s, each with a press (the shoot counter goes up and the stick
flips, so every frame is relayed as a `move`), and 4 windows that record when each frame's
`move` arrives. In an attack round one hostile process, from 127.0.0.2 (so the per-address
throttles do not touch the honest clients), runs one attack meanwhile: a ping flood that never
reads, code guessing, seat grabbing (one window joining with new ids), stalled windows, or
garbage. The attacker runs at a lower priority (nice 10): on a LAN it is another machine, so
its own CPU is not the hub's; here the two share cores, and it must not win them by running
flat out. Rounds come in pairs, baseline then attack (ABAB ...), so a shared machine's load
drifts into both halves of a pair alike.

Reported per attack: frames lost (sent by the controller, missing at some window: summed over
its rounds), the windows' p50/p99 one-way latency (after a half-second warm-up; medians over
the rounds), the p99 ratio attack/baseline of each pair as their median and spread (min-max),
and the hub's CPU: its share of a core in the attack rounds against the baselines, and what one
hostile action (a connection, or a message on the attacker's one connection) cost it.
"""

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import selectors
import socket
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402

from bench import servers  # noqa: E402
from hub.codec import encode_hello, encode_input  # noqa: E402

ATTACKS = ("ping_flood", "code_guessing", "seat_grabbing", "stalled_window", "garbage")
CODE = servers.CODE
HOSTILE_ADDR = "127.0.0.2"
RATE = 50
WINDOWS = 4
ATTACKER_NICE = 10  # on a LAN the attacker's CPU is its own: here it must not take the hub's
IN_FLIGHT = 256  # connects under way at once (new-connection attacks)
CONNECT_S = 0.05  # a connect not answered by then is given up (a dropped SYN is never answered)


# The hostile side: blocking sockets in a process of its own --------------------------------------


def _upgrade(port, query, path="/ws/window", rcvbuf=None, s=None):
    if s is None:
        s = socket.socket()
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.bind((HOSTILE_ADDR, 0))
        s.settimeout(2)
        s.connect(("127.0.0.1", port))
    s.sendall(
        f"GET {path}?{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        byte = s.recv(1)
        if not byte:
            raise ConnectionError("closed during the handshake")
        head += byte
    return s


def _masked(payload: bytes, opcode=0x2) -> bytes:
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes((0x80 | opcode, 0x80 | len(payload))) + mask + body


def _connections(port, end, act) -> int:
    """New connections from the attacker's address until ``end``, ``IN_FLIGHT`` connects at a
    time, each given up after ``CONNECT_S`` (a hub that drops the SYN never answers: a real
    attacker does not wait for it); ``act(sock)`` on each that connects. Returns how many
    connections were tried."""
    sel = selectors.DefaultSelector()
    pending: dict[socket.socket, float] = {}
    tried = 0
    while (now := time.monotonic()) < end:
        while len(pending) < IN_FLIGHT:
            s = socket.socket()
            s.bind((HOSTILE_ADDR, 0))
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            pending[s] = now + CONNECT_S
            sel.register(s, selectors.EVENT_WRITE)
            tried += 1
        for key, _ in sel.select(0.01):
            s = key.fileobj
            sel.unregister(s)
            del pending[s]
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                s.setblocking(True)
                s.settimeout(2)
                with contextlib.suppress(OSError):  # reset, refused: on to the next one
                    act(s)
            s.close()
        for s in [s for s, t in pending.items() if t <= now]:
            sel.unregister(s)
            del pending[s]
            s.close()
    for s in pending:
        s.close()
    return tried


def _guess(port):
    def act(s):
        _upgrade(port, f"code={int.from_bytes(os.urandom(3), 'big') % 10**6:06d}", s=s)

    return act


def _garbage(port):
    def act(s):
        _upgrade(port, f"code={CODE}", path="/ws/controller", s=s)
        s.sendall(os.urandom(512))

    return act


def _attack(kind: str, port: int, seconds: float, actions=None):
    """Run one attack for ``seconds``; ``actions`` (a shared counter) counts what it tried:
    connections, or messages on its one connection."""
    os.nice(ATTACKER_NICE)
    end = time.monotonic() + seconds
    socks = []
    done = 0
    if kind in ("code_guessing", "garbage"):  # new connections, many at once
        act = (_guess if kind == "code_guessing" else _garbage)(port)
        done, end = _connections(port, end, act), 0
    while time.monotonic() < end:
        done += 1
        try:
            if kind == "ping_flood":
                s = _upgrade(port, f"code={CODE}", rcvbuf=4096)
                socks.append(s)
                burst = _masked(b"p" * 125, opcode=0x9) * 64
                while time.monotonic() < end:
                    s.sendall(burst)  # blocks once the hub stops reading: that is the point
                    done += 64
            elif kind == "seat_grabbing":
                s = _upgrade(port, f"code={CODE}")
                socks.append(s)
                for n in range(10**6):
                    if time.monotonic() >= end:
                        break
                    msg = {"type": "join", "name": "grab", "id": f"grab{n:06d}"}
                    s.sendall(_masked(json.dumps(msg).encode(), opcode=0x1))
                    done += 1
                    time.sleep(0.005)  # under the rate limit, so it is not simply closed
            elif kind == "stalled_window":
                socks.append(_upgrade(port, f"code={CODE}", rcvbuf=4096))
                time.sleep(0.5)  # a new one every half second, none ever read
        except OSError:
            pass  # refused, reset or timed out: at once again, as an attacker would
    for s in socks:
        s.close()
    if actions is not None:
        actions.value = done


# The honest side --------------------------------------------------------------------------------


async def _honest(port: int, seconds: float) -> dict:
    base = f"ws://127.0.0.1:{port}/ws"
    sent: dict[int, float] = {}
    seen = [dict() for _ in range(WINDOWS)]

    async def window(i):
        async with connect(f"{base}/window?code={CODE}", max_size=None) as ws:
            async for raw in ws:
                now = time.perf_counter()
                items = json.loads(raw)
                for m in items if isinstance(items, list) else [items]:
                    if m.get("type") == "move" and m.get("id") == "c-b0b0b0b0b0b0":
                        seen[i].setdefault(m["cseq"], now)

    readers = [asyncio.create_task(window(i)) for i in range(WINDOWS)]
    await asyncio.sleep(0.5)
    async with connect(f"{base}/controller?code={CODE}") as ctl:
        hello = {"id": "b0b0b0b0b0b0", "fw": "bench", "name": "Honest", "reset": "soft"}
        await ctl.send(encode_hello(hello))
        await ctl.recv()
        await ctl.send(encode_input(0, 0, [0, 0, 0], 0, 0))  # the press counters' baseline
        n = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            n += 1
            frame = encode_input(n, 0, [0, n & 0xFF, 0], 500 if n % 2 else -500, 0)
            sent[n] = time.perf_counter()
            await ctl.send(frame)
            await asyncio.sleep(max(0.0, start + n / RATE - time.perf_counter()))
        await asyncio.sleep(1.0)  # the last frames' moves arrive
    for r in readers:
        r.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    warm = RATE // 2  # the first half second warms the connections up; it is not counted
    lat = sorted(
        (at - sent[q]) * 1000 for got in seen for q, at in got.items() if q in sent and q > warm
    )
    lost = sum(1 for got in seen for q in sent if q not in got)

    def pct(p):
        return round(lat[min(len(lat) - 1, int(p * len(lat)))], 3) if lat else None

    return {"frames": len(sent), "lost": lost, "p50_ms": pct(0.50), "p99_ms": pct(0.99)}


def run_one(kind: str | None, seconds: float, hub_name: str = "hub") -> dict:
    """One round on a fresh hub: honest play, with attack ``kind`` running (None: baseline).
    ``hub_name``: as bench/servers.py's ``make`` takes it (``hub@DIR``: another checkout)."""
    hub = servers.make(hub_name)
    hub.argv += ["--no-beacon"] if "--no-beacon" not in hub.argv else []
    ctx = mp.get_context("spawn")
    actions = ctx.Value("q", 0)
    with hub.start():
        attacker = None
        if kind:
            attacker = ctx.Process(
                target=_attack, args=(kind, hub.port, seconds + 1.0, actions), daemon=True
            )
            attacker.start()
            time.sleep(0.3)  # the attack is under way before the honest clients start
        cpu0, t0 = hub.cpu(), time.monotonic()
        try:
            result = asyncio.run(asyncio.wait_for(_honest(hub.port, seconds), seconds + 30))
        finally:
            if attacker is not None:
                attacker.join(seconds + 5)
                if attacker.is_alive():
                    attacker.kill()
        result["hub_cpu"] = round((hub.cpu() - cpu0) / (time.monotonic() - t0), 3)  # of a core
        result["hub_alive"] = hub.proc.poll() is None
    result["actions_per_s"] = round(actions.value / (seconds + 1.0), 1)
    return {"attack": kind or "none", **result}


def _median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def summarize(kind: str, pairs: list[tuple[dict, dict]]) -> dict:
    """One attack's row from its (baseline, attack) pairs."""
    ratios = [a["p99_ms"] / b["p99_ms"] for b, a in pairs if a["p99_ms"] and b["p99_ms"]]
    base_cpu = _median([b["hub_cpu"] for b, _ in pairs])
    cpu = _median([a["hub_cpu"] for _, a in pairs])
    rate = _median([a["actions_per_s"] for _, a in pairs])
    extra = (cpu - base_cpu) if cpu is not None and base_cpu is not None else None
    return {
        "attack": kind,
        "frames": sum(a["frames"] for _, a in pairs),
        "lost": sum(a["lost"] for _, a in pairs),
        "base_lost": sum(b["lost"] for b, _ in pairs),
        "p50_ms": _median([a["p50_ms"] for _, a in pairs]),
        "p99_ms": _median([a["p99_ms"] for _, a in pairs]),
        "base_p99_ms": _median([b["p99_ms"] for b, _ in pairs]),
        "p99_ratio": _median(ratios),
        "p99_ratio_min": round(min(ratios), 2) if ratios else None,
        "p99_ratio_max": round(max(ratios), 2) if ratios else None,
        "hub_cpu": cpu,
        "base_hub_cpu": base_cpu,
        "actions_per_s": rate,
        "hub_us_per_action": round(1e6 * extra / rate, 1) if extra is not None and rate else None,
        "hub_alive": all(a["hub_alive"] and b["hub_alive"] for b, a in pairs),
        "pairs": [{"baseline": b, "attack": a} for b, a in pairs],
    }


def run(seconds: float = 5.0, kinds=ATTACKS, pairs: int = 3, hub_name: str = "hub") -> dict:
    """For each attack, ``pairs`` pairs of rounds: a baseline, then the attack (ABAB ...)."""
    rows = []
    for kind in kinds:
        done = [
            (run_one(None, seconds, hub_name), run_one(kind, seconds, hub_name))
            for _ in range(pairs)
        ]
        rows.append(summarize(kind, done))
    return {"hub": hub_name, "seconds": seconds, "rate": RATE, "windows": WINDOWS, "pairs": pairs,
            "attacker_nice": ATTACKER_NICE, "rows": rows}  # fmt: skip


def table(result: dict) -> str:
    out = [
        f"{result['hub']}: {result['pairs']} pair(s) of {result['seconds']:g} s rounds per attack "
        f"(baseline, attack); attacker at nice {result['attacker_nice']}; medians, ratio spread "
        "min-max",
        "attack          frames lost  p50 ms  p99 ms  base p99  p99 ratio (spread)   "
        "hub CPU (base)  actions/s  hub us/action",
    ]
    for r in result["rows"]:
        spread = f"({r['p99_ratio_min']}-{r['p99_ratio_max']})"
        cpu = f"{r['hub_cpu']!s} ({r['base_hub_cpu']!s})"
        out.append(
            f"{r['attack']:<15} {r['frames']:>6} {r['lost']:>4} {r['p50_ms']!s:>7} "
            f"{r['p99_ms']!s:>7} {r['base_p99_ms']!s:>9} {r['p99_ratio']!s:>10} {spread:<11} "
            f"{cpu:>14} {r['actions_per_s']!s:>10} {r['hub_us_per_action']!s:>14}"
        )
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="honest play per round")
    ap.add_argument("--pairs", type=int, default=3, help="baseline/attack pairs per attack")
    ap.add_argument("--hub", default="hub", help="hub@DIR: the hub of another checkout")
    ap.add_argument("--attack", action="append", choices=ATTACKS, help="only these (repeatable)")
    ap.add_argument("--json", help="also write the result here")
    args = ap.parse_args(argv)
    result = run(args.seconds, args.attack or ATTACKS, args.pairs, args.hub)
    print(table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
