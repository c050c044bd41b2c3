"""The asyncio shell: one port for HTTP and WebSocket, the game clock, shutdown.

Everything with a rule in it lives in plain objects: the sessions (hub/session.py), the hub's
state (hub/state.py), rooms, the game and the codecs. This module and hub/links.py move bytes
and time between them and the network; hub/wsshell.py is the only one that knows the
`websockets` library's internals; the bus (hub/bus.py) carries room messages to windows.
"""

import asyncio
import logging
import signal
import socket
import time
from urllib.parse import urlsplit

from websockets.asyncio.server import ServerConnection, serve

from . import game as rules
from .beacon import beacon_payload, parse_addr, run_beacon
from .bus import Bus, LocalBus
from .cluster import Cluster
from .codec import CONTROLLER_MAX_BYTES, WINDOW_MAX_BYTES, Close
from .config import Config
from .door import Door, DoorCheck
from .hosts import is_loopback
from .http import WS_PATHS, Front
from .links import handle
from .listener import Listener, listen_sockets
from .logs import Limiter, event
from .persist import Persistence
from .rooms import Room
from .state import HubState
from .windowsink import deliver_batch
from .wsshell import HubConnection, check_library, limit_message_size, protocol_factory, serve_on

SHUTDOWN_REASON = "hub shutting down; reconnect"


def lan_ip() -> str:
    """The address other machines on the LAN reach us at (no packet is sent)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("10.255.255.255", 1))
        return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        s.close()


class Hub:
    def __init__(self, cfg: Config, bus: Bus | None = None):
        self.cfg = cfg
        self.library_problems = check_library()
        self.fast = not self.library_problems  # short way in and direct writes (wsshell.py)
        deliver_all = deliver_batch if self.fast else None
        self.cluster = Cluster(cfg.redis, deliver_all) if cfg.redis and bus is None else None
        if self.cluster is not None:  # rooms shared through Redis (hub/cluster.py)
            self.bus = self.cluster.bus
            self.state = HubState(cfg, self.bus.publish, self.cluster.room_class())
            self.cluster.attach(self.state)
            self.cluster.ownership.registry.rtts = self.link_rtts
        else:
            self.bus = bus or LocalBus(deliver_all=deliver_all)
            self.state = HubState(cfg, self.bus.publish)
        self.links: dict[object, object] = {}  # session -> Link (hub/links.py)
        self.bad_log = Limiter()
        self.codes = self.state.codes  # one throttle for WebSocket and HTTP (pairing.py)
        self.door = Door(self.codes)  # the penalty box at accept (door.py)
        self.http = Front(self)  # method, Host, Origin checks and the plain HTTP paths
        self.started = time.monotonic()
        self.server = None
        self.listener = None  # our own accept (listener.py), when ``fast``
        self.stopping = False
        self.tasks: set[asyncio.Task] = set()
        self.persist = Persistence(self)  # state dir and pairing code (persist.py)

    # State -------------------------------------------------------------------------------------

    @property
    def rooms(self) -> dict[str, Room]:
        return self.state.rooms

    def room(self, name: str) -> Room | None:
        return self.state.room(name)

    @property
    def port(self) -> int:
        return self.state.port

    @property
    def public_host(self) -> str:
        return self.state.public_host

    @property
    def controllers(self) -> dict:
        """connection -> Link of every controller (the dashboard and tests read it)."""
        return {k.conn: k for k in self.links.values() if k.session.kind == "controller"}

    @property
    def windows(self) -> dict:
        return {k.conn: k for k in self.links.values() if k.session.kind == "window"}

    def cluster_rooms(self) -> dict:
        """name -> summary of every room listed in Redis (empty without ``--redis``)."""
        if self.cluster is None or self.cluster.ownership is None:
            return {}
        return self.cluster.ownership.registry.listing

    def cluster_links(self, room: str) -> dict:
        """player id -> link round trip (ms) of every player in ``room`` on any process."""
        if self.cluster is None or self.cluster.ownership is None:
            return {}
        return self.cluster.ownership.registry.links.get(room, {})

    def link_rtts(self) -> dict:
        """room -> {player id: link round trip in ms} of the players connected here (0: not
        measured yet, the first ping is 2 s after connecting)."""
        out: dict[str, dict] = {}
        for link in self.links.values():
            if link.session.pid is not None and not link.session.closed:
                rtt = round(link.conn.latency * 1000, 2)
                out.setdefault(link.session.room_name, {})[link.session.pid] = rtt
        return out

    def link_of(self, session):
        return self.links.get(session)

    def spawn(self, coro) -> asyncio.Task:
        """Run ``coro`` as a task the hub keeps until it ends (and cancels at shutdown)."""
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def clock(self):
        """Fixed-rate game clock for every room; independent of any window."""
        period = 1 / rules.TICK_HZ
        nxt = time.monotonic()
        cluster = self.cluster
        while True:
            if cluster is not None:
                cluster.tick()  # a room whose lease ran out stops before this tick
            for action in self.state.tick(time.monotonic(), time.time() * 1000):
                link = self.links.get(action.to)
                if link is not None:
                    link.apply(action)
            nxt += period
            delay = nxt - time.monotonic()
            if delay < -0.25:  # fell far behind (suspended laptop): don't spiral
                nxt = time.monotonic()
                delay = 0
            await asyncio.sleep(max(0, delay))

    # HTTP ----------------------------------------------------------------------------------------

    def phone_url(self, room: str) -> str:
        return self.state.phone_url(room)

    def process_request(self, conn, request):
        refused = self.http.refuse(conn, request)  # method, Host, Origin (http.py)
        if refused is not None:
            return refused
        path = urlsplit(request.path).path
        if path in WS_PATHS:
            limit = CONTROLLER_MAX_BYTES if path == "/ws/controller" else WINDOW_MAX_BYTES
            if self.fast:
                limit_message_size(conn, limit)
            return None
        return self.http.answer(conn, request)

    # WebSocket -----------------------------------------------------------------------------------

    async def handler(self, conn):
        await handle(self, conn)

    # Run -----------------------------------------------------------------------------------------

    async def start(self):
        """Listen, start the game clock and the beacon. ``stop()`` undoes it."""
        cfg = self.cfg
        if self.library_problems:
            event("websockets_untested", logging.WARNING, problems="; ".join(self.library_problems),
                  fix="pip install -e . (the tested websockets range); running without the "
                  "short way in and direct writes")  # fmt: skip
        await self.persist.start()  # before listening: settles the code, restores rooms
        server = serve(
            self.handler,
            cfg.host,
            cfg.port,
            process_request=self.process_request,
            create_connection=self.connection_class(),
            compression=None,  # same bytes for every window; deflate would cost CPU per window
            # per path in process_request; without it, the window limit for both
            max_size=WINDOW_MAX_BYTES,
            open_timeout=cfg.handshake_timeout,
            ping_interval=2,  # also measures RTT for the dashboard
            ping_timeout=20,
            close_timeout=2,
            max_queue=64,
        )
        if self.fast:  # accept in our own code: the penalty box makes no objects (listener.py)
            self.listener = Listener(listen_sockets(cfg.host, cfg.port), protocol_factory(server),
                                     self.door)  # fmt: skip
            serve_on(server, self.listener)
            await self.listener.start_serving()
        self.server = await server
        self.state.port = self.server.sockets[0].getsockname()[1]
        self.state.public_host = lan_ip() if cfg.host in ("0.0.0.0", "::", "") else cfg.host
        self.spawn(self.clock())
        if self.cluster is not None:
            self.spawn(self.cluster.ownership.run())
        if self.beacon_on():
            payload = beacon_payload(self.port, cfg.name)
            self.spawn(run_beacon(payload, parse_addr(cfg.beacon_addr)))
        return self

    def connection_class(self):
        """This hub's connection class: its door, and the short way in when ``fast``."""
        if self.fast:
            return type("HubConnection", (HubConnection,),
                        {"door": self.door, "check_at_accept": False})  # fmt: skip
        return type("ServerConnection", (DoorCheck, ServerConnection), {"door": self.door})

    def beacon_on(self) -> bool:
        """A hub bound to loopback only cannot be reached from the LAN, so it does not announce
        itself there, unless a beacon address was given explicitly."""
        cfg = self.cfg
        explicit = cfg.beacon_addr != Config.beacon_addr
        return cfg.beacon and (explicit or not is_loopback(cfg.host))

    async def run(self):
        """Serve until SIGINT or SIGTERM, then close every connection with 1001."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        self.banner()
        await stop.wait()
        await self.stop()

    def banner(self):
        cfg, host, port = self.cfg, self.public_host, self.port
        lines = [
            f"blinkshot hub listening on http://{cfg.host}:{port}",
            f"  game:        http://{host}:{port}/   (on this machine: http://localhost:{port}/)",
            f"  phone:       {self.phone_url(cfg.room)}",
            f"  dashboard:   http://{host}:{port}/dashboard",
            f"  controllers: ws://{host}:{port}/ws/controller?room={cfg.room}&code=<code>",
            f"  room: {cfg.room}   pairing code: {cfg.pairing_code}",
            f"  state {cfg.state_hz:g} Hz, tick {rules.TICK_HZ} Hz, grace {cfg.grace:g} s, beacon "
            + (cfg.beacon_addr if self.beacon_on() else "off"),
            f"  rounds: first to {cfg.score_limit} kills or {cfg.round_seconds:g} s"
            + ("" if cfg.lobby else ", no lobby"),
            f"  map: {cfg.map}; bots: "
            + (f"up to {cfg.bots} ({cfg.bot_level})" if cfg.bots else "none (--bots N)"),
            f"  event loop: {type(asyncio.get_running_loop()).__module__.split('.')[0]}",
            f"  kept in: {self.persist.describe()}",
        ]
        print("\n".join(lines), flush=True)

    async def stop(self):
        self.stopping = True
        event("shutdown", connections=len(self.links))
        for task in list(self.tasks):
            task.cancel()
        self.server.close(close_connections=True, code=Close.GOING_AWAY, reason=SHUTDOWN_REASON)
        try:
            await asyncio.wait_for(self.server.wait_closed(), 5)
        except TimeoutError:
            event("shutdown_timeout", logging.WARNING)
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.persist.close()  # after every player has left: the last save
        if self.cluster is not None:
            await self.cluster.close()  # last snapshots, leases freed for the others
        else:
            await self.bus.close()
        event("stopped")
