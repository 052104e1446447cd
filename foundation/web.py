"""What every app serves outside the RPC dispatcher, on a small ASGI app of our own: the
lifespan (the serving hooks that open and close the pool, start and stop the outbox worker),
GET /health over the app's probes, the API docs in development, and 404 for anything else. Each
request gets a request id (accepted from `X-Request-ID` or generated), echoed in the response
and carried by every log line, and one structured access-log line.

It replaced Quart, which served only these and cost a serving worker most of its start-up time
and some 10 MB (Quart, Flask, Werkzeug, Jinja, Hypercorn): the RPC paths never reached it.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import os
import re
import secrets
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

import msgspec

from foundation.logging import clear_context, configure_logging, flush_logs, get_logger, start_request
from foundation.settings import Settings

REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

log = get_logger("blossom.access")


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is safe to log and echo, else a fresh one."""
    if header and _ACCEPTABLE_REQUEST_ID.match(header):
        return header
    if not _request_id_prefix:
        _new_request_id_prefix()
    return f"{_request_id_prefix}{next(_request_counter):012x}"


# Request ids need to be unique, not secret: a random prefix per process and a counter (a fresh
# random id per request cost a getrandom system call on every request). The prefix is made on
# first use, not at import, and made anew in a forked server worker.
_request_id_prefix = ""
_request_counter = itertools.count()
_fork_hook_installed = False


def _new_request_id_prefix() -> None:
    global _request_id_prefix, _request_counter, _fork_hook_installed
    if not _fork_hook_installed:
        os.register_at_fork(after_in_child=_forget_request_id_prefix)
        _fork_hook_installed = True
    _request_id_prefix = "req_" + secrets.token_hex(6)
    _request_counter = itertools.count()


def _forget_request_id_prefix() -> None:
    global _request_id_prefix
    _request_id_prefix = ""


Hook = Callable[[], Awaitable[None]]
Response = tuple[int, list[tuple[bytes, bytes]], bytes]  # status, headers, body
Page = Callable[[], Response]


class HealthProbe(Protocol):
    """Checks a dependency: (healthy, details for the response body)."""

    async def __call__(self) -> tuple[bool, dict[str, object]]: ...


class WebApp:
    """An ASGI app: the lifespan and a few GET pages (`pages`: path -> page; /health always).

    Serving hooks, as Quart named them: `before_serving` hooks run in order at start-up, then each
    `while_serving` generator up to its `yield`; at shutdown the generators finish (in order),
    then the `after_serving` hooks run. A hook that fails at start-up fails the start-up (the
    server reports the message and does not serve)."""

    def __init__(self, name: str, health: dict[str, HealthProbe] | None = None) -> None:
        self.name = name
        self._probes = dict(health or {})
        self._pages: dict[str, Page] = {}
        self._before: list[Hook] = []
        self._while: list[Callable[[], AsyncGenerator[None, None]]] = []
        self._after: list[Hook] = []
        self._running: list[AsyncGenerator[None, None]] = []

    def before_serving(self, hook: Hook) -> Hook:
        self._before.append(hook)
        return hook

    def while_serving(
        self, generator: Callable[[], AsyncGenerator[None, None]]
    ) -> Callable[[], AsyncGenerator[None, None]]:
        self._while.append(generator)
        return generator

    def after_serving(self, hook: Hook) -> Hook:
        self._after.append(hook)
        return hook

    def add_page(self, path: str, page: Page) -> None:
        """Serve `page()` at GET (and HEAD) `path`."""
        self._pages[path] = page

    async def startup(self) -> None:
        for hook in self._before:
            await hook()
        for generator in self._while:
            running = generator()
            await running.__anext__()
            self._running.append(running)

    async def shutdown(self) -> None:
        running, self._running = self._running, []
        for generator in running:
            with contextlib.suppress(StopAsyncIteration):
                await generator.__anext__()
        for hook in self._after:
            await hook()

    @contextlib.asynccontextmanager
    async def test_app(self) -> AsyncIterator[WebApp]:
        """Serving for the block (tests drive the app over ASGI without a server's lifespan); a
        start-up failure raises as it is."""
        await self.startup()
        try:
            yield self
        finally:
            await self.shutdown()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1000})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as error:  # the server reports it and does not serve
                    log.exception("startup_failed", app=self.name)
                    flush_logs()
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self.shutdown()
                finally:
                    flush_logs()  # server workers may exit without running atexit hooks
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Any, send: Any) -> None:
        clear_context()
        started = time.perf_counter()
        header = next((value for name, value in scope["headers"] if name == b"x-request-id"), None)
        request_id = request_id_from(header.decode("latin-1") if header is not None else None)
        start_request(request_id)
        method, path = scope["method"], scope["path"]
        page = self._pages.get(path)
        if path == "/health" and method in ("GET", "HEAD"):
            status, headers, body = await self._health()
        elif page is None and path != "/health":
            status, headers, body = _json(404, {"error": {"code": "not_found", "message": f"no page at {path}"}})
        elif method not in ("GET", "HEAD"):
            status, headers, body = _json(405, {"error": {"code": "method_not_allowed", "message": "use GET"}})
            headers.append((b"allow", b"GET, HEAD"))
        else:
            assert page is not None
            status, headers, body = page()
        headers = [
            *headers,
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
        log.info(
            "request",
            app=self.name,
            method=method,
            path=path,
            status=status,
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    async def _health(self) -> Response:
        """200 when every probe is healthy, else 503; each probe's details under its name."""
        results = {name: await probe() for name, probe in self._probes.items()}
        healthy = all(ok for ok, _ in results.values())
        body: dict[str, object] = {"app": self.name, "status": "ok" if healthy else "degraded"}
        body.update({name: details for name, (_, details) in results.items()})
        return _json(200 if healthy else 503, body)


def _json(status: int, body: object) -> Response:
    return status, [(b"content-type", b"application/json")], msgspec.json.encode(body)


def new_app(
    name: str, settings: Settings, *, health: dict[str, HealthProbe] | None = None, openapi_file: Path | None = None
) -> WebApp:
    """The non-RPC part of an app: logging configured, GET /health over `health`'s probes, the
    API docs in development, and the log lines of the last loop iteration written when it stops
    serving."""
    configure_logging(settings.resolved_log_format, settings.log_level)
    app = WebApp(name, health)
    if openapi_file is not None and settings.environment == "development":
        add_api_docs(app, f"Blossom {name} API", openapi_file)
    return app


# RapiDoc (MIT), vendored from its npm package: the page works offline and loads nothing from
# another origin. Fonts are the system's, so its Open Sans @font-face is never fetched.
# How to update it: static/api-docs/README.md.
API_DOCS_ASSETS = Path(__file__).parent / "static" / "api-docs"
_DOCS_PAGE = """<!doctype html>
<html>
  <head>
    <title>{title}</title>
    <meta charset="utf-8">
    <script type="module" src="/docs/assets/rapidoc-min.js"></script>
  </head>
  <body>
    <rapi-doc spec-url="/openapi.json" render-style="read" show-header="false" allow-server-selection="false"
      regular-font="system-ui, sans-serif" mono-font="ui-monospace, monospace"></rapi-doc>
  </body>
</html>
"""


_CONTENT_TYPES = {".js": b"text/javascript; charset=utf-8", ".css": b"text/css; charset=utf-8"}


def add_api_docs(app: WebApp, title: str, openapi_file: Path) -> None:
    """GET /openapi.json (the generated document) and GET /docs (an interactive page for it, its
    viewer served from /docs/assets/). Apps mount it in development only. Files are read here,
    once (they are generated or vendored and committed)."""
    document = openapi_file.read_bytes()
    page = _DOCS_PAGE.format(title=html.escape(title)).encode()
    app.add_page("/openapi.json", lambda: (200, [(b"content-type", b"application/json")], document))
    app.add_page("/docs", lambda: (200, [(b"content-type", b"text/html; charset=utf-8")], page))
    for asset in sorted(API_DOCS_ASSETS.iterdir()):  # only the files there: no path from the URL
        if (content_type := _CONTENT_TYPES.get(asset.suffix)) is not None:
            body = asset.read_bytes()
            app.add_page(f"/docs/assets/{asset.name}", _asset(content_type, body))


def _asset(content_type: bytes, body: bytes) -> Page:
    headers = [(b"content-type", content_type), (b"cache-control", b"public, max-age=3600")]
    return lambda: (200, list(headers), body)
