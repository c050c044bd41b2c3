"""One address in front of several hubs, for tests: a TCP forwarder on a free loopback port
that sends each new connection to ``target`` (a port the test can change). It stands for the
load balancer of a real deployment (docs/scaling.md): a controller keeps one hub address and
reaches whichever process is alive. ``cut()`` stands for a network split: every forwarded
connection is closed and new ones are closed at once, until ``heal()``."""

import asyncio
import threading


class Front:
    def __init__(self, target: int):
        self.target = target
        self.port = 0
        self.open = True
        self._links: set = set()  # writers of the connections being forwarded
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _client(self, reader, writer):
        if not self.open:
            writer.close()
            return
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.close()
            return
        self._links.update((writer, up_w))

        async def pipe(r, w):
            try:
                while data := await r.read(65536):
                    w.write(data)
                    await w.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                w.close()
                self._links.discard(w)

        await asyncio.gather(pipe(reader, up_w), pipe(up_r, writer))

    def cut(self):
        """Close every forwarded connection and refuse new ones (both sides see it at once)."""

        def close_all():
            self.open = False
            for w in list(self._links):
                w.transport.abort()
            self._links.clear()

        self._loop.call_soon_threadsafe(close_all)

    def heal(self):
        self.open = True

    def __enter__(self):
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc):
        async def shutdown():  # end every forwarding task before the loop stops
            self._server.close()
            for w in list(self._links):
                w.transport.abort()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
