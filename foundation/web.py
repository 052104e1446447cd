"""What every Quart app gets: a request id (accepted from `X-Request-ID` or generated) that is
echoed in the response and carried by every log line, and one structured access-log line per
request."""

from __future__ import annotations

import html
import itertools
import os
import re
import secrets
import time
from pathlib import Path
from typing import Protocol

from quart import Blueprint, Quart, Response, g, jsonify, request

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


def install_request_context(app: Quart) -> None:
    @app.before_request
    async def _start() -> None:
        clear_context()
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        g.started = time.perf_counter()
        start_request(g.request_id)

    @app.after_request
    async def _finish(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = g.request_id
        log.info(
            "request",
            app=app.name,
            method=request.method,
            path=request.path,
            status=response.status_code,
            latency_ms=round((time.perf_counter() - g.started) * 1000, 2),
        )
        return response


def new_app(
    name: str, settings: Settings, *, health: dict[str, HealthProbe] | None = None, openapi_file: Path | None = None
) -> Quart:
    """The Quart part of an app: logging configured, the request context, GET /health over
    `health`'s probes, the API docs in development, and the log lines of the last loop iteration
    written when it stops serving (server workers may exit without running atexit hooks)."""
    configure_logging(settings.resolved_log_format, settings.log_level)
    app = Quart(name)
    install_request_context(app)
    app.register_blueprint(health_blueprint(name, health or {}))
    if openapi_file is not None and settings.environment == "development":
        app.register_blueprint(api_docs_blueprint(f"Blossom {name} API", openapi_file))
    app.after_serving(_flush_log_lines)
    return app


async def _flush_log_lines() -> None:
    flush_logs()


class HealthProbe(Protocol):
    """Checks a dependency: (healthy, details for the response body)."""

    async def __call__(self) -> tuple[bool, dict[str, object]]: ...


def health_blueprint(app_name: str, probes: dict[str, HealthProbe]) -> Blueprint:
    """GET /health: 200 when every probe is healthy, else 503; each probe's details under its name."""
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/health")
    async def health() -> tuple[Response, int]:
        results = {name: await probe() for name, probe in probes.items()}
        healthy = all(ok for ok, _ in results.values())
        body: dict[str, object] = {"app": app_name, "status": "ok" if healthy else "degraded"}
        body.update({name: details for name, (_, details) in results.items()})
        return jsonify(body), 200 if healthy else 503

    return blueprint


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


def api_docs_blueprint(title: str, openapi_file: Path) -> Blueprint:
    """GET /openapi.json (the generated document) and GET /docs (an interactive page for it, its
    viewer served from /docs/assets/). Apps mount it in development only."""
    blueprint = Blueprint("api_docs", __name__, static_folder=API_DOCS_ASSETS, static_url_path="/docs/assets")
    document = openapi_file.read_bytes()  # generated and committed: read once
    page = _DOCS_PAGE.format(title=html.escape(title))

    @blueprint.get("/openapi.json")
    async def openapi() -> Response:
        return Response(document, content_type="application/json")

    @blueprint.get("/docs")
    async def docs() -> Response:
        return Response(page, content_type="text/html; charset=utf-8")

    return blueprint
