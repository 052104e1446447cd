"""The RPC layer's idempotency records (foundation/rpc/idempotency.py) in PostgreSQL: the table
`idempotency_keys`, reached by the app role only through two SECURITY DEFINER functions
(migration 0011)."""

from __future__ import annotations

from typing import Any

from database import queries
from foundation.rpc.idempotency import Claim


class PgIdempotencyStore:
    async def claim(self, conn: Any, *, scope: str, route: str, key: str, body_hash: bytes) -> Claim:
        row = await queries.idempotency_claim(conn, scope=scope, route=route, key=key, body_hash=body_hash)
        assert row is not None  # the function returns the inserted row or the one there
        return Claim(row.claimed, row.body_hash, row.response)

    async def complete(self, conn: Any, *, scope: str, route: str, key: str, response: bytes) -> None:
        await queries.idempotency_complete(conn, scope=scope, route=route, key=key, response=response)
