"""Honest play while one hostile client runs (issue 13, docs/security.md).

    .venv/bin/python bench/hostile.py             # each attack for 5 s, about a minute in all
    .venv/bin/python bench/hostile.py --seconds 2

For the baseline and then each attack in turn, a fresh hub (a subprocess on 127.0.0.1) gets one
honest controller sending 50 input frames/s, each with a press (the shoot counter goes up and
the stick flips, so every frame is relayed as a `move`), and 4 honest windows that record when
each frame's `move` arrives. Meanwhile one hostile process, from 127.0.0.2 (so the per-address
code throttle does not touch the honest clients), runs one attack: a ping flood that never reads,
code guessing, seat grabbing (one window joining with new ids), a stalled window, and garbage
frames. Reported per run: frames lost (sent by the controller, missing at some window), and the
windows' p50/p99 one-way latency (after a half-second warm-up); p99 also as a ratio to the
baseline of the same run. A second baseline at the end shows the run's own noise.
"""

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import socket
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


# The hostile side: blocking sockets in a process of its own --------------------------------------


def _upgrade(port, query, path="/ws/window", rcvbuf=None):
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


def _attack(kind: str, port: int, seconds: float):
    end = time.monotonic() + seconds
    socks = []
    while time.monotonic() < end:
        try:
            if kind == "ping_flood":
                s = _upgrade(port, f"code={CODE}", rcvbuf=4096)
                socks.append(s)
                burst = _masked(b"p" * 125, opcode=0x9) * 64
                while time.monotonic() < end:
                    s.sendall(burst)  # blocks once the hub stops reading: that is the point
            elif kind == "code_guessing":
                s = _upgrade(port, f"code={int.from_bytes(os.urandom(3), 'big') % 10**6:06d}")
                s.close()
            elif kind == "seat_grabbing":
                s = _upgrade(port, f"code={CODE}")
                socks.append(s)
                for n in range(10**6):
                    if time.monotonic() >= end:
                        break
                    msg = {"type": "join", "name": "grab", "id": f"grab{n:06d}"}
                    s.sendall(_masked(json.dumps(msg).encode(), opcode=0x1))
                    time.sleep(0.005)  # under the rate limit, so it is not simply closed
            elif kind == "stalled_window":
                socks.append(_upgrade(port, f"code={CODE}", rcvbuf=4096))
                time.sleep(0.5)  # a new one every half second, none ever read
            elif kind == "garbage":
                s = _upgrade(port, f"code={CODE}", path="/ws/controller")
                s.sendall(os.urandom(512))
                s.close()
        except OSError:
            time.sleep(0.01)  # refused, reset or timed out: try again
    for s in socks:
        s.close()


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


def run_one(kind: str | None, seconds: float) -> dict:
    hub = servers.make("hub")
    hub.argv += ["--no-beacon"] if "--no-beacon" not in hub.argv else []
    with hub.start():
        attacker = None
        if kind:
            attacker = mp.get_context("spawn").Process(
                target=_attack, args=(kind, hub.port, seconds + 1.0), daemon=True
            )
            attacker.start()
            time.sleep(0.3)  # the attack is under way before the honest clients start
        try:
            result = asyncio.run(asyncio.wait_for(_honest(hub.port, seconds), seconds + 30))
        finally:
            if attacker is not None:
                attacker.join(seconds + 5)
                if attacker.is_alive():
                    attacker.kill()
        result["hub_alive"] = hub.proc.poll() is None
    return {"attack": kind or "none", **result}


def run(seconds: float = 5.0, kinds=ATTACKS) -> dict:
    """The baseline, each attack, and the baseline again (it shows the run's own noise); p99
    ratios are against the first baseline."""
    rows = [run_one(None, seconds)]
    for kind in kinds:
        rows.append(run_one(kind, seconds))
    rows.append(run_one(None, seconds))
    base = rows[0]["p99_ms"]
    for row in rows:
        ok = base and row["p99_ms"]
        row["p99_vs_none"] = round(row["p99_ms"] / base, 2) if ok else None
    return {"seconds": seconds, "rate": RATE, "windows": WINDOWS, "rows": rows}


def table(result: dict) -> str:
    out = ["attack           frames  lost  p50 ms  p99 ms  p99/none"]
    for r in result["rows"]:
        out.append(
            f"{r['attack']:<16} {r['frames']:>6} {r['lost']:>5} {r['p50_ms']!s:>7} "
            f"{r['p99_ms']!s:>7} {r['p99_vs_none']!s:>9}"
        )
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="honest play per run")
    ap.add_argument("--attack", action="append", choices=ATTACKS, help="only these (repeatable)")
    ap.add_argument("--json", help="also write the result here")
    args = ap.parse_args(argv)
    result = run(args.seconds, args.attack or ATTACKS)
    print(table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
