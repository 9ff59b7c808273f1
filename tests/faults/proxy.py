"""A TCP proxy on loopback that injects the faults of a real network: a server that is
slow (every request held back), or down (connections cut and refused)."""

from __future__ import annotations

import asyncio
import threading
from contextlib import suppress

UP, SLOW, DOWN = "up", "slow", "down"


class FaultProxy:
    def __init__(self, target_port: int, *, delay: float = 1.0) -> None:
        self.target_port = target_port
        self.delay = delay
        self.mode = UP
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._open: set[asyncio.StreamWriter] = set()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"proxy-{target_port}", daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def set(self, mode: str) -> None:
        """Switch the fault on or off; going down cuts every open connection at once."""
        self.mode = mode
        if mode == DOWN:
            self._loop.call_soon_threadsafe(self._cut_all)

    def _cut_all(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self.mode == DOWN:
            client_writer.transport.abort()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_writer.transport.abort()
            return
        self._open.update((client_writer, server_writer))
        await asyncio.gather(
            self._pipe(client_reader, server_writer, held_back=True),
            self._pipe(server_reader, client_writer, held_back=False),
        )
        self._open.difference_update((client_writer, server_writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, held_back: bool) -> None:
        with suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                if held_back and self.mode == SLOW:
                    await asyncio.sleep(self.delay)
                if self.mode == DOWN:
                    break
                writer.write(data)
                await writer.drain()
        with suppress(OSError):
            writer.close()
