"""The load generator: P controllers × R Hz of input frames into a relay, S windows reading.

Controllers and windows run in separate processes (one controller process, `procs` window
processes) so the generator can use both cores and its own CPU can be reported. Every
controller speaks the real binary protocol (hello, then 11-byte input frames); the controller's
index is carried in the frame's joystick `y` and its `x` flips every frame so the hub relays
every frame as a `move` (it relays only stick changes). Peers relay the 11 bytes unchanged;
the hub relays `{"type":"move","id":..,"cseq":..,"x":..,"y":..,"seq":..,"t":..}`.

Latency is one-way, controller send → window receive, both read from the same monotonic clock
(`time.perf_counter`, CLOCK_MONOTONIC, shared by all processes on Linux): the controller
process writes each frame's send time into shared memory just before writing the frame, the
window process looks it up by (controller, seq) when the frame arrives.

The window side comes in two builds that count alike: `bench/native/windows.c` (one epoll
thread per process, the default when a C compiler is there) and the Python worker below
(asyncio + `bench/wsclient.py`), which needs most of a core at ~100 k messages/s.
"""

import asyncio
import json
import multiprocessing as mp
import re
import struct
import time
from array import array
from multiprocessing import shared_memory

import psutil

from bench import native, wsclient

SEQS = 65536
INPUT = struct.Struct(">BHBBBBhh")
CODE = "123456"
# The hub encodes a move as {"type":"move","id":..,"cseq":N,"x":N,"y":N,...}; matching that
# directly is cheaper than json.loads, and keeps the generator's CPU down (json is the fallback).
MOVE = re.compile(rb'"type":"move","id":(?:"[^"]*"|\d+),"cseq":(\d+),"x":-?\d+,"y":(-?\d+)')


def paths(hub_mode):
    query = f"?room=default&code={CODE}" if hub_mode else ""
    return "/ws/controller" + query, "/ws/window" + query


# Windows -----------------------------------------------------------------------------------


class WindowStats:
    """What one window received: frames per controller in order, and their latencies."""

    def __init__(self, n_ctrl, send_t, lat):
        self.last = [0] * n_ctrl
        self.n_ctrl = n_ctrl
        self.send_t = send_t
        self.lat = lat
        self.delivered = 0
        self.out_of_order = 0
        self.other = 0

    def record(self, ctrl, seq, now):
        if seq == 0 or not 0 <= ctrl < self.n_ctrl:
            return
        sent = self.send_t[ctrl * SEQS + seq]
        if sent == 0.0 or seq <= self.last[ctrl]:
            self.out_of_order += 1
            return
        self.last[ctrl] = seq
        self.delivered += 1
        self.lat.append(now - sent)

    def on_message(self, opcode, payload):
        now = time.perf_counter()
        if opcode == wsclient.OP_BINARY:
            if len(payload) == 11 and payload[0] == 1:
                self.record(
                    int.from_bytes(payload[9:11], "big", signed=True),
                    (payload[1] << 8) | payload[2],
                    now,
                )
            else:
                self.other += 1
            return
        found = MOVE.findall(payload)
        if found:
            for cseq, y in found:
                self.record(int(y), int(cseq), now)
            if len(found) == payload.count(b'"type":'):
                return
            return self._slow(payload, now, skip_moves=True)
        self._slow(payload, now, skip_moves=False)

    def _slow(self, payload, now, skip_moves):
        msg = json.loads(payload)
        for item in msg if isinstance(msg, list) else (msg,):
            if item.get("type") == "move" and skip_moves:
                continue
            if item.get("type") == "move":
                self.record(item["y"], item["cseq"], now)
            else:
                self.other += 1


async def _windows(conn, port, path, count, n_ctrl, shm_name):
    shm = shared_memory.SharedMemory(name=shm_name)
    send_t = shm.buf.cast("d")
    lat = array("d")
    stats = [WindowStats(n_ctrl, send_t, lat) for _ in range(count)]
    clients = []
    try:
        for st in stats:
            clients.append(await wsclient.connect("127.0.0.1", port, path, st.on_message))
    except Exception as exc:  # reported to the runner, which names the server
        conn.send(("error", f"window connect failed: {exc!r}"))
        return
    conn.send(("ready", len(clients)))
    loop = asyncio.get_running_loop()
    expect, wait_s = await loop.run_in_executor(None, conn.recv)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if all(st.delivered >= expect for st in stats):
            break
        await asyncio.sleep(0.02)
    closes = [c.close_code for c in clients if c.close_code is not None]
    for c in clients:
        c.close()
    conn.send(
        (
            "result",
            {
                "delivered": [st.delivered for st in stats],
                "out_of_order": sum(st.out_of_order for st in stats),
                "other": sum(st.other for st in stats),
                "closes": closes,
                "lat": lat.tobytes(),
            },
        )
    )
    await loop.run_in_executor(None, conn.recv)  # the runner reads our CPU before we go
    for st in stats:
        st.send_t = None
    send_t.release()
    shm.close()


def _new_loop():
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


def window_worker(conn, port, path, count, n_ctrl, shm_name):
    with asyncio.Runner(loop_factory=_new_loop) as runner:
        runner.run(_windows(conn, port, path, count, n_ctrl, shm_name))


class PythonWindows:
    """A window_worker process, with the calls of native.NativeWindows."""

    def __init__(self, ctx, port, path, count, n_ctrl, shm_name):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=window_worker, args=(child, port, path, count, n_ctrl, shm_name), daemon=True
        )
        self.proc.start()
        self.pid = self.proc.pid

    def ready(self, timeout):
        return _recv(self.conn, "windows ready", timeout)[1]

    def expect(self, total, wait_s):
        self.conn.send((total, wait_s))

    def result(self, timeout):
        return _recv(self.conn, "window results", timeout)[1]

    def bye(self):
        self.conn.send("bye")

    def join(self, timeout):
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.terminate()


GENERATORS = ("auto", "native", "python")


def resolve_generator(generator):
    """ "native" or "python": what `generator` means here (auto: native if it builds)."""
    if generator == "python":
        return "python"
    if generator == "native":
        native.build()  # raises, naming the compiler problem
        return "native"
    if generator != "auto":
        raise ValueError(f"unknown generator {generator!r}; choose from {', '.join(GENERATORS)}")
    try:
        native.build()
        return "native"
    except RuntimeError:
        return "python"


# Controllers -------------------------------------------------------------------------------


def hello(index, point):
    body = {"id": f"be{point:04x}{index:06x}", "fw": "bench", "name": f"b{index}"}
    return b"\x03\x01" + json.dumps(body).encode()


async def _controllers(conn, port, path, n_ctrl, rate, duration, shm_name, hub_mode, point):
    shm = shared_memory.SharedMemory(name=shm_name)
    send_t = shm.buf.cast("d")
    welcomed = [asyncio.get_running_loop().create_future() for _ in range(n_ctrl)]

    def on_reply(i):
        def on_message(opcode, payload):
            if payload[:1] == b"\x81" and not welcomed[i].done():
                welcomed[i].set_result(payload)

        return on_message

    try:
        ctrls = []
        for i in range(n_ctrl):
            ctrls.append(await wsclient.connect("127.0.0.1", port, path, on_reply(i)))
            if hub_mode:
                ctrls[i].send(hello(i, point))
                await asyncio.wait_for(welcomed[i], 5)
            ctrls[i].send(INPUT.pack(1, 0, 0, 0, 0, 0, 0, i))  # baseline, not measured
    except Exception as exc:
        conn.send(("error", f"controller connect failed: {exc!r}"))
        return
    conn.send(("ready", n_ctrl))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, conn.recv)
    per_ctrl = max(1, round(rate * duration))
    total = per_ctrl * n_ctrl
    step = 1.0 / (rate * n_ctrl)  # controllers are spread evenly over each period
    cpu0 = psutil.Process().cpu_times()
    t0 = time.perf_counter() + 0.01
    late = 0.0
    unsent = 0
    j = 0
    while j < total:
        now = time.perf_counter()
        due = t0 + j * step
        if due > now:
            await asyncio.sleep(due - now)
            continue
        while j < total and t0 + j * step <= now:
            i = j % n_ctrl
            seq = j // n_ctrl + 1
            late = max(late, now - (t0 + j * step))
            j += 1
            if ctrls[i].transport.is_closing():
                unsent += 1  # the server closed it (e.g. 4005 rate limit): counted as lost
                continue
            send_t[i * SEQS + seq] = time.perf_counter()
            ctrls[i].send(INPUT.pack(1, seq, 0, 0, 0, 0, 500 if seq & 1 else -500, i))
    t_end = time.perf_counter()
    cpu1 = psutil.Process().cpu_times()
    closes = [c.close_code for c in ctrls if c.close_code is not None]
    conn.send(
        (
            "done",
            {
                "per_ctrl": per_ctrl,
                "sent": total,
                "unsent_closed": unsent,
                "seconds": t_end - t0,
                "max_late_s": late,
                "cpu": (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system),
                "closes": closes,
            },
        )
    )
    await loop.run_in_executor(None, conn.recv)
    for c in ctrls:
        c.close()
    send_t.release()
    shm.close()


def controller_worker(*args):
    with asyncio.Runner(loop_factory=_new_loop) as runner:
        try:
            runner.run(_controllers(*args))
        except BufferError:
            pass  # shared memory still mapped after an error already reported to the runner


# One load point ----------------------------------------------------------------------------


def _recv(conn, what, timeout):
    if not conn.poll(timeout):
        raise RuntimeError(f"load generator: no {what} within {timeout:.0f} s")
    msg = conn.recv()
    if msg[0] == "error":
        raise RuntimeError(msg[1])
    return msg


def _percentile(sorted_values, q):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def run_point(
    server,
    n_ctrl,
    rate,
    n_win,
    duration,
    hub_mode,
    point=0,
    procs=None,
    drain_s=5.0,
    idle_s=1.0,
    on_go=None,
    generator="auto",
    win_ports=None,
):
    """Drive one load point against a started `server`; returns a dict of figures.

    `generator` picks the window side: "native" (bench/native), "python", or "auto" (native
    when a C compiler is there); the result's "generator" says which ran. `procs` window
    processes (default: 1 native, 2 Python, which kept the generator's CPU lowest).
    `win_ports`: window process k connects to ``win_ports[k % len]`` instead of the server's
    port (several hub processes, bench/cluster.py); the result then has ``by_port``.
    """
    generator = resolve_generator(generator)
    procs = procs or (1 if generator == "native" else 2)
    ctx = mp.get_context("spawn")
    shm = shared_memory.SharedMemory(create=True, size=n_ctrl * SEQS * 8)
    shm.buf[:] = bytes(len(shm.buf))
    ctrl_path, win_path = paths(hub_mode)
    wins, workers = [], []
    try:
        procs = max(1, min(procs, n_win))
        shares = [n_win // procs + (1 if k < n_win % procs else 0) for k in range(procs)]
        for k, share in enumerate(shares):
            port = win_ports[k % len(win_ports)] if win_ports else server.port
            args = (port, win_path, share, n_ctrl, shm.name)
            if generator == "native":
                wins.append(native.NativeWindows(*args))
            else:
                wins.append(PythonWindows(ctx, *args))
        for w in wins:
            w.ready(60)
        cparent, cchild = ctx.Pipe()
        cp = ctx.Process(
            target=controller_worker,
            args=(
                cchild,
                server.port,
                ctrl_path,
                n_ctrl,
                rate,
                duration,
                shm.name,
                hub_mode,
                point,
            ),
            daemon=True,
        )
        cp.start()
        workers.append(cp)
        _recv(cparent, "controllers ready", 60)
        time.sleep(0.3)  # let joins and their state messages settle before measuring
        idle0, t_idle = server.cpu(), time.perf_counter()
        time.sleep(idle_s)  # everyone connected, nothing sent: the server's own idle cost
        idle_cpu_s = (server.cpu() - idle0) / (time.perf_counter() - t_idle)
        gen = [psutil.Process(p.pid) for p in [*wins, *workers]]
        gen_cpu0 = [sum(g.cpu_times()[:2]) for g in gen]
        cpu0 = server.cpu()
        counters0 = server.counters() if hasattr(server, "counters") else {}
        wall0 = time.perf_counter()
        if on_go:
            on_go()  # e.g. start a profiler once everyone is connected
        cparent.send("go")
        done = _recv(cparent, "controllers done", duration * 3 + 30)[1]
        for w in wins:
            w.expect(done["per_ctrl"] * n_ctrl, drain_s)
        results = [w.result(drain_s + 30) for w in wins]
        wall = time.perf_counter() - wall0
        cpu = server.cpu() - cpu0
        counters = {
            k: v - counters0[k] for k, v in (server.counters() if counters0 else {}).items()
        }
        gen_cpu = [sum(g.cpu_times()[:2]) - c0 for g, c0 in zip(gen, gen_cpu0, strict=True)]
        for w in wins:
            w.bye()
        cparent.send("close")
    finally:
        for w in wins:
            w.join(5)
        for p in workers:
            p.join(5)
            if p.is_alive():
                p.terminate()
        shm.close()
        shm.unlink()
    lat = array("d")
    for r in results:
        lat.frombytes(r["lat"])
    ms = sorted(v * 1000 for v in lat)
    per_window = [d for r in results for d in r["delivered"]]
    delivered = sum(per_window)
    expected = done["sent"] * n_win
    by_port = []
    if win_ports:
        for k, r in enumerate(results):
            one = sorted(v * 1000 for v in array("d", r["lat"]))
            port = win_ports[k % len(win_ports)]
            row = {"port": port, "windows": shares[k], "delivered": sum(r["delivered"])}
            row.update(p50_ms=_percentile(one, 50), p99_ms=_percentile(one, 99))
            by_port.append(row)
    return {
        "by_port": by_port,
        "controllers": n_ctrl,
        "rate_hz": rate,
        "windows": n_win,
        "seconds": round(done["seconds"], 3),
        "sent": done["sent"],
        "expected": expected,
        "delivered": delivered,
        "min_window": min(per_window) if per_window else 0,
        "out_of_order": sum(r["out_of_order"] for r in results),
        "closes": [c for r in results for c in r["closes"]] + done["closes"],
        "unsent_closed": done["unsent_closed"],
        "deliveries_per_s": round(delivered / done["seconds"], 1) if done["seconds"] else 0,
        "p50_ms": _percentile(ms, 50),
        "p99_ms": _percentile(ms, 99),
        "max_ms": ms[-1] if ms else None,
        "server_cpu_s": round(cpu, 4),
        # the server's own counters over the same span (bench/cluster.py: redis-server's CPU)
        "counters": counters,
        "server_us_per_frame": round(cpu / delivered * 1e6, 3) if delivered else None,
        "server_cpu_pct": round(cpu / wall * 100, 1),
        "server_idle_cpu_pct": round(idle_cpu_s * 100, 1),
        # CPU above what the server burns while idle (game tick, state broadcasts, polling)
        "server_us_per_frame_above_idle": round(
            max(0.0, cpu - idle_cpu_s * wall) / delivered * 1e6, 3
        )
        if delivered
        else None,
        "generator": generator,
        # every generator process (windows and the controller process), and the controller alone
        "loadgen_cpu_pct": round(sum(gen_cpu) / wall * 100, 1),
        "loadgen_ctrl_cpu_pct": round(gen_cpu[-1] / wall * 100, 1),
        "loadgen_max_late_ms": round(done["max_late_s"] * 1000, 3),
        "wall_s": round(wall, 3),
    }
