"""Administrator sessions: a random 256-bit token signed with panopticon's own key (a product
token, or a forged one, is refused without a database round trip), only its SHA-256 stored in
`admin_sessions`, a 30-minute idle timeout and a 12-hour absolute lifetime.

The cookie is `__Host-blossom_admin`: Secure, HttpOnly, Path=/, no Domain, SameSite=Strict, and no
Max-Age (it ends with the browser). Browsers accept a `__Host-` cookie only with Secure, and a
Secure cookie set over plain http is dropped by some (Safari; Chrome and Firefox make an exception
for http://localhost) and never sent back by HTTP clients such as curl or httpx. So where cookies
are not Secure (`Settings.secure_cookies`: development's plain http, or
BLOSSOM_INSECURE_COOKIES=1) the same cookie is named `blossom_admin_insecure`, without the prefix;
a server with Secure cookies reads only the `__Host-` name.

Product's cookie (`blossom_session`) is another name, signed with another key and looked up in
another table: it never authenticates here, and this one never authenticates in product.
"""

from __future__ import annotations

import datetime as dt
import re

from database.connect import DbConnection
from foundation.crypto import new_signed_token, signed_by, token_digest
from foundation.ids import new_id
from foundation.rpc import ANONYMOUS, AdminPrincipal, Principal
from foundation.rpc.dispatch import Authenticate, Headers
from foundation.rpc.request import Lease
from foundation.time import Clock
from panopticon.admins import queries

SECURE_COOKIE_NAME = "__Host-blossom_admin"
INSECURE_COOKIE_NAME = "blossom_admin_insecure"
IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_LIFETIME = dt.timedelta(hours=12)
TOUCH_INTERVAL = dt.timedelta(minutes=1)
_TOKEN_CHARS = re.compile(rb"[A-Za-z0-9_-]{16,200}")


def cookie_name(*, secure: bool) -> str:
    return SECURE_COOKIE_NAME if secure else INSECURE_COOKIE_NAME


def cookie_header(token: str, *, secure: bool) -> str:
    attributes = [f"{cookie_name(secure=secure)}={token}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if secure:
        attributes.append("Secure")
    return "; ".join(attributes)


def clear_cookie_header(*, secure: bool) -> str:
    return cookie_header("", secure=secure) + "; Max-Age=0"


def token_from_headers(headers: Headers, name: bytes) -> str | None:
    raw = headers.get(b"cookie")
    if not raw:
        return None
    for part in raw.split(b";"):
        key, _, value = part.strip().partition(b"=")
        if key == name:
            token = value.strip(b'"')
            return token.decode("ascii", "replace") if token and _TOKEN_CHARS.fullmatch(token) else None
    return None


async def create_session(
    conn: DbConnection, key: bytes, *, admin_id: str, user_agent: str, now: dt.datetime
) -> tuple[str, str]:
    """(session id, token); the caller sets the cookie."""
    token = new_signed_token(key)
    session_id = new_id("ads")
    await queries.insert_session(
        conn,
        id=session_id,
        admin_id=admin_id,
        token_hash=token_digest(token),
        user_agent=user_agent.replace("\x00", "")[:500],
        now=now,
        expires_at=now + ABSOLUTE_LIFETIME,
    )
    return session_id, token


class AdminSessionAuthenticator:
    """Panopticon's authentication hook: its session cookie, else `fallback` (anonymous, or the
    test header in test mode only). A cookie we did not sign costs no query; a signed one, one
    query on the request's connection (which also reads the administrator's current role, so a
    demotion or a disablement applies to the very next request); a write at most once a minute."""

    __slots__ = ("_clock", "_fallback", "_key", "_name")

    def __init__(self, clock: Clock, key: bytes, *, secure: bool, fallback: Authenticate) -> None:
        self._clock = clock
        self._key = key
        self._name = cookie_name(secure=secure).encode()
        self._fallback = fallback

    async def __call__(self, headers: Headers, lease: Lease | None) -> Principal:
        token = token_from_headers(headers, self._name)
        if token is None or lease is None or not signed_by(self._key, token):
            return await self._fallback(headers, lease)
        conn = await lease.connection()
        session = await queries.session_for_token(conn, token_hash=token_digest(token))
        now = self._clock.now()
        if session is None or session.expires_at <= now or session.last_seen_at + IDLE_TIMEOUT <= now:
            return ANONYMOUS
        if session.last_seen_at <= now - TOUCH_INTERVAL:
            await queries.touch_session(conn, id=session.session_id, now=now)
        return AdminPrincipal(
            admin_id=session.admin_id, role=session.role, session_id=session.session_id, via_cookie=True
        )
