"""Authentication by API key: `Authorization: Bearer bk_...` on /rpc/ and /jsonrpc.

A key is `bk_` and a signed random token (256 bits from `secrets`, with a 128-bit HMAC tag under
a key derived from BLOSSOM_SECRET_KEY, as session tokens are): a token we did not issue is
refused without a database round trip, so junk keys cost no connection. A signed one costs one
query on the request's own connection (`app_api_key_for_token`, SECURITY DEFINER: the lookup
happens before any tenant context exists) and, at most once a minute per key, a write of its
last use. Nothing is cached: a revoked or expired key is refused at its next call.

- An organization key acts in its organization as the user who created it, while that user is
  still an owner or admin there (a key never outlives its maker's right to make it): a write key
  with the creator's role, a read key as a member. The RLS context is (creator, organization).
- A personal access token acts as its user: a UserPrincipal, or, when the call names one of the
  user's organizations in the `Blossom-Org` header, an OrgPrincipal there (role as for an
  organization key).

Calls are limited per key, in this process (`ProductServices.api_key_calls_per_minute`, a fixed
window per minute): a limit kept in PostgreSQL would cost a write per call.
"""

from __future__ import annotations

import datetime as dt
import re

from database.connect import DbConnection
from foundation.crypto import purpose_key, signed_by, token_digest
from foundation.errors import RateLimited, Unauthenticated
from foundation.logging import bind_context
from foundation.rpc import OrgPrincipal, Principal, UserPrincipal
from foundation.rpc.api_keys import TOKEN_PREFIX, bearer_token
from foundation.rpc.dispatch import Authenticate, Headers
from foundation.rpc.principal import ApiKey
from foundation.rpc.request import Lease
from foundation.settings import Settings
from product.api_keys import queries
from product.services import ProductServices

ORG_HEADER = b"blossom-org"  # which of the user's organizations a personal token's call acts in
_ORG_ID = re.compile(rb"org_[0-9a-hjkmnp-tv-z]{26}")
TOUCH_INTERVAL = dt.timedelta(minutes=1)
MANAGERS = ("owner", "admin")
INVALID = "the API key is unknown, revoked or expired"
_WINDOWS_KEPT = 100_000  # keys counted at once; the table is dropped when full (a window is a minute)


def signing_key(settings: Settings) -> bytes:
    return purpose_key(settings.signing_secret, "api key")


def acting_role(role: str, scope: str) -> str:
    """What a key may do in its organization: its maker's role when it may write, a member's when
    it only reads."""
    return role if scope == "write" else "member"


class BearerAuthenticator:
    """The hook for `Authorization: Bearer`; anything else goes to `fallback`. Installed as the
    session authenticator's fallback, so a call with a session cookie never gets here."""

    __slots__ = ("_fallback", "_key", "_services", "_windows")

    def __init__(self, services: ProductServices, *, fallback: Authenticate) -> None:
        self._services = services
        self._key = signing_key(services.settings)
        self._fallback = fallback
        self._windows: dict[str, tuple[int, int]] = {}  # key id -> (minute, calls in it)

    async def __call__(self, headers: Headers, lease: Lease | None) -> Principal:
        token = bearer_token(headers.get(b"authorization"))
        if token is None:
            return await self._fallback(headers, lease)
        if lease is None or not token.startswith(TOKEN_PREFIX) or not signed_by(self._key, token[3:]):
            raise Unauthenticated(INVALID)
        org = headers.get(ORG_HEADER)
        org_id = org.decode() if org is not None and _ORG_ID.fullmatch(org) else None
        return await self._principal_for(await lease.connection(), token, org_id)

    async def _principal_for(self, conn: DbConnection, token: str, org_id: str | None) -> Principal:
        row = await queries.key_for_token(conn, token_hash=token_digest(token), org_id=org_id)
        now = self._services.clock.now()
        if row is None or (row.expires_at is not None and row.expires_at <= now):
            raise Unauthenticated(INVALID)
        if not row.personal and row.role not in MANAGERS:
            raise Unauthenticated("the API key's creator no longer manages its organization")
        self._count(row.key_id, now)
        if row.last_used_at is None or row.last_used_at <= now - TOUCH_INTERVAL:
            await queries.touch_key(conn, key_id=row.key_id, org_id=None if row.personal else row.org_id, now=now)
        bind_context(api_key_id=row.key_id)
        key = ApiKey(id=row.key_id, personal=row.personal, scope=row.scope)
        if row.org_id is not None and row.role is not None:
            return OrgPrincipal(
                user_id=row.user_id, org_id=row.org_id, role=acting_role(row.role, row.scope), api_key=key
            )
        return UserPrincipal(user_id=row.user_id, api_key=key)

    def _count(self, key_id: str, now: dt.datetime) -> None:
        services = self._services
        if services.settings.disable_rate_limits:
            return
        epoch = int(now.timestamp())
        minute = epoch // 60
        windows = self._windows
        seen_minute, calls = windows.get(key_id, (minute, 0))
        calls = calls + 1 if seen_minute == minute else 1
        if len(windows) >= _WINDOWS_KEPT and key_id not in windows:
            windows.clear()
        windows[key_id] = (minute, calls)
        if calls > services.api_key_calls_per_minute:
            raise RateLimited("too many calls with this API key", retry_after_seconds=max(1, 60 - epoch % 60))
