"""The web console's static files: `GET /` answers the page, `GET /console/<file>` its script and
stylesheet, built from `src/` into `static/` (committed; `python -m tools.web` rebuilds them,
panopticon/web/README.md). Everything else the page needs comes from /rpc/.

The page runs no inline script and loads nothing from another origin, so the
Content-Security-Policy allows only this origin's files, and its calls only to this origin
(`connect-src 'self'`): a script injected into the page could neither run nor send anything away.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from quart import Blueprint, Response, abort, request

STATIC = Path(__file__).with_name("static")
ASSETS = {"console.js": "text/javascript; charset=utf-8", "console.css": "text/css; charset=utf-8"}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'none'",  # forms are handled by the script, never submitted
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    # The files change with each deploy under the same names: revalidate, by ETag, every time.
    "Cache-Control": "no-cache",
}


def _read(name: str) -> tuple[bytes, str]:
    """A file's bytes and ETag, read on first request (never at import) and kept until the file
    changes (`just web` under `just dev` is served at the next request, without a restart)."""
    path = STATIC / name
    return _read_version(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _read_version(path: Path, _mtime_ns: int) -> tuple[bytes, str]:
    body = path.read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _file(name: str, content_type: str, if_none_match: str | None) -> Response:
    body, etag = _read(name)
    fresh = if_none_match == etag
    response = Response(b"", status=304) if fresh else Response(body, content_type=content_type)
    response.headers["ETag"] = etag
    response.headers.update(SECURITY_HEADERS)
    return response


def console_blueprint() -> Blueprint:
    blueprint = Blueprint("console", __name__)

    @blueprint.get("/")
    async def page() -> Response:
        return _file("index.html", "text/html; charset=utf-8", request.headers.get("If-None-Match"))

    @blueprint.get("/console/<name>")
    async def asset(name: str) -> Response:
        content_type = ASSETS.get(name)
        if content_type is None:
            abort(404)
        return _file(name, content_type, request.headers.get("If-None-Match"))

    return blueprint
