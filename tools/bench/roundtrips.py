"""A Unix-socket proxy in front of PostgreSQL that counts client/server round trips.

A round trip is counted each time the client sends after having received (or for its first
send): the number of times the client must wait for the server.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from types import TracebackType

from database.target import PgUrl

_PORT = 5432


class RoundTripCountingProxy:
    def __init__(self, upstream: PgUrl) -> None:
        if not upstream.is_socket:
            raise ValueError("the round-trip proxy fronts a Unix-socket server (the embedded PostgreSQL)")
        self._upstream_socket = f"{upstream.host}/.s.PGSQL.{upstream.port or _PORT}"
        self._directory = tempfile.TemporaryDirectory(prefix="blossom-rt-")
        self.url = PgUrl(upstream.user, None, self._directory.name, _PORT, upstream.database)
        self.round_trips = 0
        self._server: asyncio.AbstractServer | None = None

    def reset(self) -> None:
        self.round_trips = 0

    async def __aenter__(self) -> RoundTripCountingProxy:
        path = str(Path(self._directory.name) / f".s.PGSQL.{_PORT}")
        self._server = await asyncio.start_unix_server(self._serve, path=path)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.close()
        self._directory.cleanup()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_unix_connection(self._upstream_socket)
        waiting_for_server = False

        async def client_to_server() -> None:
            nonlocal waiting_for_server
            while data := await client_reader.read(65536):
                if not waiting_for_server:
                    self.round_trips += 1
                    waiting_for_server = True
                server_writer.write(data)
                await server_writer.drain()
            server_writer.close()

        async def server_to_client() -> None:
            nonlocal waiting_for_server
            while data := await server_reader.read(65536):
                waiting_for_server = False
                client_writer.write(data)
                await client_writer.drain()
            client_writer.close()

        await asyncio.gather(client_to_server(), server_to_client(), return_exceptions=True)
