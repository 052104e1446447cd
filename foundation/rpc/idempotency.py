"""Idempotent routes: `@router.route(..., idempotent=True)` lets a client send an
`Idempotency-Key` header; a retry with the same key and the same body gets the first answer
again without the handler running twice, and the same key with another body is a 409
`idempotency_key_reused` (declared on every idempotent route by registration).

The record lives in the database, in the route's own transaction: when the handler first
touches `req.db`, the key is claimed (a unique insert) before anything else happens in that
transaction, and the encoded answer is stored before it commits. So the answer and the route's
writes commit together or not at all (a failed request leaves no record, and may be retried),
and two concurrent retries meet at the unique index: the second waits for the first's commit,
then replays its answer. A route that never touches `req.db` writes nothing, so it keeps no
record either. Keys are scoped by caller (user and organization; anonymous callers share one
scope, where the body, which carries whatever credential the route takes, must match too).

The store is the app's (`database/idempotency.py`); the dispatcher's hook is `guard_for`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Protocol

from foundation.errors import Conflict
from foundation.rpc.errors import FieldError, ValidationFailed

HEADER = b"idempotency-key"
_KEY = re.compile(rb"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces


class IdempotencyKeyReused(Conflict):
    """This Idempotency-Key was used before with another body."""

    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Claim:
    claimed: bool  # True: this request holds the key and runs
    body_hash: bytes
    response: bytes | None


class IdempotencyStore(Protocol):
    async def claim(self, conn: Any, *, scope: str, route: str, key: str, body_hash: bytes) -> Claim: ...

    async def complete(self, conn: Any, *, scope: str, route: str, key: str, response: bytes) -> None: ...


class Replayed(Exception):
    def __init__(self, response: bytes) -> None:
        super().__init__("idempotent replay")
        self.response = response


class Guard:
    """One request's key: `begin` on the transaction's first use, `finish` before its commit."""

    __slots__ = ("body_hash", "claimed", "key", "route", "scope", "store")

    def __init__(self, store: IdempotencyStore, scope: str, route: str, key: str, body_hash: bytes) -> None:
        self.store, self.scope, self.route, self.key, self.body_hash = store, scope, route, key, body_hash
        self.claimed = False

    async def begin(self, conn: Any) -> None:
        claim = await self.store.claim(conn, scope=self.scope, route=self.route, key=self.key, body_hash=self.body_hash)
        if claim.claimed:
            self.claimed = True
            return
        if claim.body_hash != self.body_hash:
            raise IdempotencyKeyReused("this Idempotency-Key was used with another body")
        if claim.response is None:  # committed without an answer: cannot happen through `finish`
            raise IdempotencyKeyReused("this Idempotency-Key's first request has no answer to replay")
        raise Replayed(claim.response)

    async def finish(self, conn: Any, response: bytes) -> None:
        if self.claimed:
            await self.store.complete(conn, scope=self.scope, route=self.route, key=self.key, response=response)


def guard_for(
    store: IdempotencyStore | None, route: str, headers: dict[bytes, bytes], principal: Any, raw: bytes
) -> Guard | None:
    """The request's guard when it sent a key to an idempotent route of an app with a store."""
    value = headers.get(HEADER)
    if value is None or store is None:
        return None
    if not _KEY.match(value):
        raise ValidationFailed(
            [FieldError("Idempotency-Key", "1 to 200 printable ASCII characters")], message="invalid Idempotency-Key"
        )
    scope = f"{principal.kind}:{principal.user_id or ''}:{principal.org_id or ''}"
    if principal.api_key is not None:  # a key's retries are its own, not its maker's session's
        scope += f":{principal.api_key.id}"
    return Guard(store, scope, route, value.decode("ascii"), hashlib.sha256(raw).digest())
