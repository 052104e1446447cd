"""What every fake shares: an aiohttp server on its own thread and event loop (so tests on any
loop, and synchronous code such as gspread, can call it), the request log, and scripted answers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from foundation.testing.servers import free_port

Handler = Callable[[web.Request, "Recorded"], Awaitable[web.StreamResponse]]
F = TypeVar("F", bound="Fake")


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it. Header names are lower case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Scripted:
    status: int = 200
    body: Any = None  # JSON-encoded when not bytes
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0  # seconds to wait before answering (longer than a client's timeout: a stall)
    then_normal: bool = False  # after the stall, answer as if unscripted


class Fake:
    """Subclasses route requests in `handle`; scripted answers (`fail_next`, `stall_next`) are
    served first, one per request, in order."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.requests: list[Recorded] = []
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def fail_next(
        self,
        status: int,
        body: Any = None,
        *,
        retry_after: float | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests with `status` (and a Retry-After header)."""
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = f"{retry_after:g}"
        with self._lock:
            for _ in range(times):
                self._script.append(Scripted(status, body if body is not None else self.error_body(status), extra))

    def stall_next(self, seconds: float) -> None:
        """Hold the next request for `seconds` before answering it normally."""
        with self._lock:
            self._script.append(Scripted(stall=seconds, then_normal=True))

    def error_body(self, status: int) -> Any:
        return {"error": {"message": f"scripted {status}", "type": "scripted", "code": None}}

    async def handle(self, request: web.Request, recorded: Recorded) -> web.StreamResponse:
        raise NotImplementedError

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        recorded = Recorded(
            request.method,
            request.path,
            dict(request.query),
            {k.lower(): v for k, v in request.headers.items()},
            await request.read(),
        )
        with self._lock:
            self.requests.append(recorded)
            scripted = self._script.popleft() if self._script else None
        if scripted is not None:
            if scripted.stall:
                await asyncio.sleep(scripted.stall)
            if not scripted.then_normal:
                body = scripted.body if isinstance(scripted.body, bytes) else json.dumps(scripted.body).encode()
                return web.Response(
                    status=scripted.status, body=body, headers=scripted.headers, content_type="application/json"
                )
        return await self.handle(request, recorded)

    @contextlib.contextmanager
    def serving(self: F) -> Iterator[F]:
        started = threading.Event()
        stop: list[asyncio.Event] = []
        failure: list[BaseException] = []

        async def serve() -> None:
            app = web.Application(client_max_size=64 * 1024 * 1024)
            app.router.add_route("*", "/{tail:.*}", self._dispatch)
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
            await runner.setup()
            await web.TCPSite(runner, self.host, self.port).start()
            stop.append(asyncio.Event())
            started.set()
            try:
                await stop[0].wait()
            finally:
                await runner.cleanup()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            try:
                self._loop.run_until_complete(serve())
            except BaseException as error:  # noqa: BLE001 (surfaced to the test that started the fake)
                failure.append(error)
                started.set()
            finally:
                self._loop.close()

        thread = threading.Thread(target=run, name=f"{type(self).__name__}:{self.port}", daemon=True)
        thread.start()
        started.wait(10)
        if failure:
            raise failure[0]
        try:
            yield self
        finally:
            loop = self._loop
            if loop is not None and stop:
                loop.call_soon_threadsafe(stop[0].set)
            thread.join(10)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)
