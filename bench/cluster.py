"""Several hub processes on one Redis (``--redis``): the relay load with the windows spread over
1, 2 and 4 processes, against the plain single hub in the same run.

The controllers connect to process 0, which owns the room (the harness holds one window open
there before anything else connects, so process 0 takes the lease). Window process k of the load
generator connects to hub k, so with N processes 1/N of the windows are on the owner and the
rest get every message through Redis pub/sub. CPU per delivered frame counts every hub process
and redis-server, and each apart (``hubs_us_per_frame``, ``redis_us_per_frame``), sampled at the
same moments; redis-server's CPU is its own rusage (``INFO cpu``, in µs) and ``redis_cmds_per_s``
its own count of commands (``INFO stats`` ``total_commands_processed``) over the measured span.
``by_port`` gives p50/p99 per hub: the owner's windows against the others' is the latency the
cross-process hop adds.

    .venv/bin/python bench/run.py --only cluster [--quick]
"""

import contextlib
import os
import threading
import time

import redis

from bench import loadgen, servers

POINTS = [(16, 100, 64), (16, 200, 64), (16, 100, 128)]
QUICK_POINTS = [(16, 100, 64)]
PROCS = [1, 2, 4]


class ClusterServer:
    """redis-server and ``n`` hubs with ``--redis``; ``port`` is the owner's."""

    def __init__(self, n):
        self.n = n
        self.name = f"hub×{n}+redis"
        self.hubs: list[servers.Server] = []
        self.redis = None
        self.redis_port = None
        self._holder = None
        self._stop = threading.Event()

    def start(self):
        self.redis, rport = servers.start_redis()
        self.redis_port = rport
        url = f"redis://127.0.0.1:{rport}/0"
        for _ in range(self.n):
            hub = servers.make("hub_uvloop")
            hub.name = self.name
            hub.argv = hub.argv[:-2] + ["--redis", url] + hub.argv[-2:]
            self.hubs.append(hub.start())
            if len(self.hubs) == 1:
                self._hold_room()
        return self

    def _hold_room(self):
        """A window on process 0 before anything else: process 0 takes the room's lease."""
        from websockets.sync.client import connect

        url = f"ws://127.0.0.1:{self.port}/ws/window?room=default&code={loadgen.CODE}"

        def drain():
            with contextlib.suppress(Exception), connect(url) as ws:
                while not self._stop.is_set():
                    with contextlib.suppress(TimeoutError):
                        ws.recv(timeout=0.5)

        self._holder = threading.Thread(target=drain, daemon=True)
        self._holder.start()
        deadline = time.monotonic() + 10
        while "room_taken" not in self.hubs[0].output() and time.monotonic() < deadline:
            time.sleep(0.05)

    @property
    def port(self):
        return self.hubs[0].port

    @property
    def ports(self):
        return [h.port for h in self.hubs]

    def cpu(self):
        c = self.counters(commands=False)
        return c["hubs_cpu_s"] + c["redis_cpu_s"]

    def counters(self, commands=True):
        """CPU seconds of the hubs and of redis-server apart, and Redis's command count."""
        out = {"hubs_cpu_s": sum(h.cpu() for h in self.hubs), "redis_cpu_s": 0.0}
        client = redis.Redis(port=self.redis_port, socket_timeout=5)
        try:
            info = client.info()
        except redis.RedisError:
            if commands:
                raise
            return out  # redis-server is gone (stopping): nothing more to count
        finally:
            client.close()
        # redis-server's own rusage, in µs: the kernel's 10 ms ticks (psutil) read 0 for a
        # short, light run
        out["redis_cpu_s"] = info["used_cpu_user"] + info["used_cpu_sys"]
        if commands:
            out["redis_commands"] = info["total_commands_processed"]
        return out

    def output(self):
        return "\n".join(h.output()[-800:] for h in self.hubs)

    def stop(self):
        self._stop.set()
        if self._holder is not None:
            self._holder.join(3)
        for h in self.hubs:
            h.stop()
        if self.redis is not None and self.redis.poll() is None:
            os.killpg(self.redis.pid, 15)
            self.redis.wait(5)


def run_point(server, ctrl, rate, win, duration, ports, generator):
    result = loadgen.run_point(
        server, ctrl, rate, win, duration, hub_mode=True, procs=len(ports),
        idle_s=0.5, generator=generator, win_ports=ports,
    )  # fmt: skip
    counters, span = result.get("counters") or {}, result.get("wall_s")
    if counters and result["delivered"]:
        frames = result["delivered"]
        result["hubs_us_per_frame"] = round(counters["hubs_cpu_s"] / frames * 1e6, 3)
        result["redis_us_per_frame"] = round(counters["redis_cpu_s"] / frames * 1e6, 3)
        result["redis_cpu_pct"] = round(counters["redis_cpu_s"] / span * 100, 1)
        result["redis_cmds_per_s"] = round(counters["redis_commands"] / span)
    if result["by_port"]:
        owner = [r for r in result["by_port"] if r["port"] == ports[0]]
        others = [r for r in result["by_port"] if r["port"] != ports[0]]
        if owner and others and owner[0]["p50_ms"] is not None:
            result["hop_p50_ms"] = round(
                sum(r["p50_ms"] for r in others) / len(others) - owner[0]["p50_ms"], 3
            )
    return result


def run(quick=False, duration=None, generator="auto", procs=PROCS, points=None, log=print):
    """Each point on the plain hub, then on 1, 2, 4 processes with Redis."""
    duration = duration or (1.5 if quick else 5.0)
    points = points or (QUICK_POINTS if quick else POINTS)
    out = []
    for ctrl, rate, win in points:
        for n in [0, *procs]:
            server = ClusterServer(n) if n else servers.make("hub_uvloop")
            try:
                server.start()
                ports = server.ports if n else [server.port]
                result = run_point(server, ctrl, rate, win, duration, ports, generator)
            except Exception as exc:  # one failed point must not end the run
                result = {"controllers": ctrl, "rate_hz": rate, "windows": win, "error": str(exc)}
                with contextlib.suppress(Exception):
                    result["server_output"] = server.output()[-1500:]
            finally:
                server.stop()
            result["processes"] = n
            result["server"] = server.name if n else "hub (no Redis)"
            result["load_avg_1m"] = round(os.getloadavg()[0], 2)
            log(line(result))
            out.append(result)
    return out


def line(r):
    if r.get("error"):
        return f"  {r['server']:16} {r['controllers']}×{r['rate_hz']} Hz → {r['windows']}: " + (
            f"error {r['error']}"
        )
    hop = f", hop +{r['hop_p50_ms']} ms p50" if "hop_p50_ms" in r else ""
    if "redis_us_per_frame" in r:
        hop += (f", hubs {r['hubs_us_per_frame']} + redis {r['redis_us_per_frame']} µs/frame, "
                f"redis {r['redis_cpu_pct']} % CPU, {r['redis_cmds_per_s']} cmds/s")  # fmt: skip
    return (
        f"  {r['server']:16} {r['controllers']}×{r['rate_hz']} Hz → {r['windows']}: "
        f"{r['delivered']}/{r['expected']} delivered, {r['deliveries_per_s']:.0f}/s, "
        f"p50 {r['p50_ms']:.2f} ms p99 {r['p99_ms']:.2f} ms, "
        f"{r['server_us_per_frame']} µs CPU/frame (hubs + redis){hop}, "
        f"load {r['load_avg_1m']}"
    )


def table(rows):
    out = [
        "| processes | point | delivered | deliveries/s | p50 ms | p99 ms "
        "| µs CPU per frame (hubs + redis) | hubs alone | redis-server alone "
        "| redis-server CPU | Redis commands/s | p50 hop ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if r.get("error"):
            out.append(f"| {r['server']} | | error: {r['error'][:60]} | | | | | | | | |")
            continue
        out.append(
            f"| {r['server']} | {r['controllers']}×{r['rate_hz']} Hz → {r['windows']} | "
            f"{r['delivered']} / {r['expected']} | {r['deliveries_per_s']:.0f} | "
            f"{r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['server_us_per_frame']} | "
            f"{r.get('hubs_us_per_frame', r['server_us_per_frame'])} | "
            f"{r.get('redis_us_per_frame', '')} | "
            f"{str(r['redis_cpu_pct']) + ' %' if 'redis_cpu_pct' in r else ''} | "
            f"{r.get('redis_cmds_per_s', '')} | {r.get('hop_p50_ms', '')} |"
        )
    return "\n".join(out)
