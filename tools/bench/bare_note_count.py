"""A reference for the product benchmark: the organization route's work (session lookup by
cookie, tenant transaction, the generated count query) as a bare ASGI app with no framework, on
the same pool and Granian. Its distance from the plain loop is what HTTP alone costs; its
distance from the real route is what the framework costs."""

from __future__ import annotations

import os
from typing import Any

import msgspec

from database import queries
from database.connect import create_pool
from database.connection_pool import ConnectionPool
from database.target import PgUrl
from database.tx import tenant_transaction_on
from foundation.crypto import token_digest
from product.accounts import queries as account_queries

_pool: ConnectionPool | None = None


async def _lifespan(receive: Any, send: Any) -> None:
    global _pool
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            size = int(os.environ.get("DATABASE_POOL_SIZE", "10"))
            _pool = await create_pool(PgUrl.parse(os.environ["APP_DATABASE_URL"]), min_size=size, max_size=size)
            await send({"type": "lifespan.startup.complete"})
        else:
            if _pool is not None:
                await _pool.close()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _respond(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    more = scope["method"] == "POST"
    while more:
        more = (await receive()).get("more_body", False)
    cookie = dict(scope["headers"]).get(b"cookie", b"")
    if not cookie.startswith(b"blossom_session=") or _pool is None:
        await _respond(send, 200, b"{}")  # the health probe before the benchmark starts
        return
    async with _pool.acquire() as conn:
        session = await account_queries.session_for_token(conn, token_hash=token_digest(cookie[16:].decode()))
        assert session is not None
        async with tenant_transaction_on(conn, user_id=session.user_id, org_id=session.active_org_id) as tx:
            row = await queries.count_org_notes(tx)
    assert row is not None
    await _respond(send, 200, msgspec.json.encode({"org_id": session.active_org_id, "notes": row.notes}))
