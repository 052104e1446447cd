"""Session cookies: a random 256-bit token signed with the app's secret (so a forged or random
cookie is refused without a database round trip) in an HttpOnly, SameSite=Lax, Secure cookie
(Secure except in development: `Settings.secure_cookies`); only its SHA-256 is stored. Idle and
absolute expiry; the authentication hook turns a cookie into a Principal."""

from __future__ import annotations

import datetime as dt
import re

from database.connect import DbConnection
from foundation.crypto import new_signed_token, signed_by, token_digest
from foundation.ids import new_id
from foundation.rpc import ANONYMOUS, Impersonation, OrgPrincipal, Principal, UserPrincipal
from foundation.rpc.dispatch import Authenticate, Headers
from foundation.rpc.request import Lease
from foundation.time import Clock
from product.accounts import queries

COOKIE_NAME = "blossom_session"
_COOKIE_BYTES = COOKIE_NAME.encode()
_TOKEN_CHARS = re.compile(rb"[A-Za-z0-9_-]{16,200}")
IDLE_TIMEOUT = dt.timedelta(days=14)
ABSOLUTE_LIFETIME = dt.timedelta(days=30)
TOUCH_INTERVAL = dt.timedelta(minutes=1)


def cookie_header(token: str, *, secure: bool, max_age: int) -> str:
    attributes = [f"{COOKIE_NAME}={token}", "Path=/", "HttpOnly", "SameSite=Lax", f"Max-Age={max_age}"]
    if secure:
        attributes.append("Secure")
    return "; ".join(attributes)


def set_session_cookie(token: str, *, secure: bool) -> str:
    return cookie_header(token, secure=secure, max_age=int(ABSOLUTE_LIFETIME.total_seconds()))


def clear_session_cookie(*, secure: bool) -> str:
    return cookie_header("", secure=secure, max_age=0)


def token_from_headers(headers: Headers) -> str | None:
    """The session token from the Cookie header. A plain scan: this runs on every request, and
    `http.cookies` costs more than the rest of authentication."""
    raw = headers.get(b"cookie")
    if not raw:
        return None
    for part in raw.split(b";"):
        name, _, value = part.strip().partition(b"=")
        if name == _COOKIE_BYTES:
            token = value.strip(b'"')
            return token.decode("ascii", "replace") if token and _TOKEN_CHARS.fullmatch(token) else None
    return None


async def create_session(
    conn: DbConnection, key: bytes, *, user_id: str, active_org_id: str | None, user_agent: str, now: dt.datetime
) -> tuple[str, str]:
    """(session id, token) for a new session; the caller sets the cookie. `key` signs the token."""
    token = new_signed_token(key)
    session_id = new_id("ses")
    await queries.insert_session(
        conn,
        id=session_id,
        user_id=user_id,
        token_hash=token_digest(token),
        active_org_id=active_org_id,
        user_agent=user_agent.replace("\x00", "")[:500],
        now=now,
        expires_at=now + ABSOLUTE_LIFETIME,
    )
    return session_id, token


class SessionAuthenticator:
    """The product's authentication hook: the session cookie, else `fallback` (anonymous, or the
    test header in test mode). A cookie we did not sign costs no query; a signed one, one query on
    the request's own connection (its transaction reuses it); a write at most once a minute."""

    __slots__ = ("_clock", "_fallback", "_key")

    def __init__(self, clock: Clock, key: bytes, *, fallback: Authenticate) -> None:
        self._clock = clock
        self._key = key
        self._fallback = fallback

    async def __call__(self, headers: Headers, lease: Lease | None) -> Principal:
        token = token_from_headers(headers)
        if token is None or lease is None or not signed_by(self._key, token):
            return await self._fallback(headers, lease)
        return await self._principal_for(await lease.connection(), token)

    async def _principal_for(self, conn: DbConnection, token: str) -> Principal:
        session = await queries.session_for_token(conn, token_hash=token_digest(token))
        now = self._clock.now()
        if session is None or session.expires_at <= now or session.last_seen_at + IDLE_TIMEOUT <= now:
            return ANONYMOUS
        if session.last_seen_at <= now - TOUCH_INTERVAL:  # idle expiry needs minutes, not every request
            await queries.touch_session(conn, session_id=session.session_id, now=now)
        impersonation = (
            Impersonation(id=session.impersonation_id, admin_id=session.impersonated_by, read_only=session.read_only)
            if session.impersonation_id is not None and session.impersonated_by is not None
            else None
        )
        if session.active_org_id is not None and session.role is not None:  # still a member there
            return OrgPrincipal(
                user_id=session.user_id,
                org_id=session.active_org_id,
                role=session.role,
                via_cookie=True,
                session_id=session.session_id,
                impersonation=impersonation,
            )
        return UserPrincipal(
            user_id=session.user_id, via_cookie=True, session_id=session.session_id, impersonation=impersonation
        )
