"""The trivial route's reference with the access log on: the bare ASGI app of `bare_asgi.py`
(the bytes `demo.ping` returns, nothing else) writing the same JSON access line per request as
the dispatcher does (`foundation.logging.access_log`, with a request id and its latency). What
the route costs beyond it is the framework's share. Served by the same Granian, one worker."""

from __future__ import annotations

import time
from typing import Any

from foundation.logging import access_log, configure_logging
from foundation.web import request_id_from
from tools.bench.bare_asgi import BODY

_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BODY)).encode()),
    (b"cache-control", b"no-store"),
]


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (message := await receive())["type"] != "lifespan.shutdown":
            if message["type"] == "lifespan.startup":
                configure_logging("json", "INFO")
                await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    started = time.perf_counter()
    request_id = request_id_from(None)
    more = scope["method"] == "POST"
    while more:  # drain the request body, as any real handler must
        more = (await receive()).get("more_body", False)
    headers = [*_HEADERS, (b"x-request-id", request_id.encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})
    access_log(request_id, route="demo.ping", status=200, latency_ms=(time.perf_counter() - started) * 1000)
