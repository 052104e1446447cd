"""The web console's static files: `GET /` answers the page, `GET /console/console.js` and
`/console/console.css` its script and stylesheet, built from `src/` into `static/` (committed;
`just web` rebuilds them, panopticon/web/README.md). Everything else the page needs comes from
/rpc/.

The page runs no inline script and loads nothing from another origin, so the
Content-Security-Policy allows only this origin's files, and its calls only to this origin
(`connect-src 'self'`): a script injected into the page could neither run nor send anything away.
"""

from __future__ import annotations

import functools
from pathlib import Path

from foundation.web import Page, Response, WebApp

STATIC = Path(__file__).with_name("static")
FILES = {  # URL path -> (file in static/, content type)
    "/": ("index.html", b"text/html; charset=utf-8"),
    "/console/console.js": ("console.js", b"text/javascript; charset=utf-8"),
    "/console/console.css": ("console.css", b"text/css; charset=utf-8"),
}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # the enrolment page's QR code is a data: image
        "connect-src 'self'",
        "form-action 'none'",  # forms are handled by the script, never submitted
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    # The files change with each deploy under the same names: never kept without asking again.
    (b"cache-control", b"no-cache"),
]


def add_console(app: WebApp) -> None:
    """Serve the console's files on `app` (the app's pages: GET and HEAD)."""
    for path, (name, content_type) in FILES.items():
        app.add_page(path, _page(name, content_type))


def _page(name: str, content_type: bytes) -> Page:
    def page() -> Response:
        return 200, [(b"content-type", content_type), *SECURITY_HEADERS], _read(STATIC / name)

    return page


def _read(path: Path) -> bytes:
    """A file's bytes, read on first request (never at import) and kept until the file changes
    (so `just web` under `just dev` is served at the next request, without a restart)."""
    return _read_version(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_version(path: Path, _mtime_ns: int) -> bytes:
    return path.read_bytes()
