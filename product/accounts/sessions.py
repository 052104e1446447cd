"""Session cookies: a random 256-bit token signed with the app's secret (so a forged or random
cookie is refused without a database round trip) in an HttpOnly, SameSite=Lax, Secure cookie
(Secure except in development: `Settings.secure_cookies`); only its SHA-256 is stored. Idle and
absolute expiry; the authentication hook turns a cookie into a Principal.

A session this worker has seen is checked again on every request, in the database, in the same
round trip that begins the request's transaction and sets its tenant context (one statement:
the context is set only if the session still names that user, organization and role and has
not expired); see `SessionAuthenticator`."""

from __future__ import annotations

import datetime as dt
import re

from database.connect import DbConnection
from database.tx import begin_tenant_transaction_where
from foundation.crypto import new_signed_token, signed_by, token_digest
from foundation.ids import is_valid_id, new_id
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


class _Seen:
    """A session as this worker last found it: what the next request's check compares with."""

    __slots__ = ("check", "context", "expires_at", "last_seen_at", "principal")

    def __init__(self, principal: Principal, check: str, last_seen_at: dt.datetime, expires_at: dt.datetime) -> None:
        self.principal = principal
        self.context = (principal.user_id, principal.org_id)
        self.check = check  # `... WHERE app_session_unchanged(...`, without the clock's arguments
        self.last_seen_at = last_seen_at
        self.expires_at = expires_at


_ROLE = re.compile(r"[a-z_]{1,32}")
SEEN_SESSIONS = 10_000  # per worker; all forgotten at once when full (cheaper than tracking use)


class SessionAuthenticator:
    """The product's authentication hook: the session cookie, else `fallback` (anonymous, or the
    test header in test mode). A cookie we did not sign costs no query; a signed one, one query on
    the request's own connection (its transaction reuses it); a write at most once a minute.

    A session seen before (by its token's digest: this worker keeps no token) costs no round trip
    of its own: the statement that begins the request's transaction checks, in the database, that
    it still names the same user, active organization and role, has not expired, is not an
    impersonation and belongs to an enabled user (`app_session_unchanged`, migration 0022), and
    sets the tenant context only then (`begin_tenant_transaction_where`); the request's `req.db` continues
    that transaction. When the check fails (logged out, another organization, another role,
    expired) it is rolled back and the session looked up again; when its touch is due, too."""

    __slots__ = ("_clock", "_fallback", "_key", "_seen")

    def __init__(self, clock: Clock, key: bytes, *, fallback: Authenticate) -> None:
        self._clock = clock
        self._key = key
        self._fallback = fallback
        self._seen: dict[bytes, _Seen] = {}

    async def __call__(self, headers: Headers, lease: Lease | None) -> Principal:
        token = token_from_headers(headers)
        if token is None or lease is None:
            return await self._fallback(headers, lease)
        digest = token_digest(token)
        # Seen: its signature was checked when it was first seen. Read, not taken out: the other
        # requests of a page, in flight at the same time with the same cookie, use it too.
        seen = self._seen.get(digest)
        if seen is None and not signed_by(self._key, token):
            return await self._fallback(headers, lease)
        conn = await lease.connection()
        if seen is not None:
            now = self._clock.now()
            if seen.expires_at > now and seen.last_seen_at > now - TOUCH_INTERVAL:
                user_id, org_id = seen.context
                condition = f"{seen.check}'{now.isoformat()}', '{(now - IDLE_TIMEOUT).isoformat()}')"
                begun = await begin_tenant_transaction_where(conn, user_id=user_id, org_id=org_id, condition=condition)
                if begun is not None:
                    lease.hold_begun(seen.context, begun)
                    return seen.principal
            if self._seen.get(digest) is seen:  # changed, expired or due a touch: look it up again
                del self._seen[digest]
        return await self._principal_for(conn, digest)

    async def _principal_for(self, conn: DbConnection, digest: bytes) -> Principal:
        session = await queries.session_for_token(conn, token_hash=digest)
        now = self._clock.now()
        if session is None or session.expires_at <= now or session.last_seen_at + IDLE_TIMEOUT <= now:
            return ANONYMOUS
        last_seen_at = session.last_seen_at
        if last_seen_at <= now - TOUCH_INTERVAL:  # idle expiry needs minutes, not every request
            await queries.touch_session(conn, session_id=session.session_id, now=now)
            last_seen_at = now
        impersonation = (
            Impersonation(id=session.impersonation_id, admin_id=session.impersonated_by, read_only=session.read_only)
            if session.impersonation_id is not None and session.impersonated_by is not None
            else None
        )
        principal: Principal
        if session.active_org_id is not None and session.role is not None:  # still a member there
            principal = OrgPrincipal(
                user_id=session.user_id,
                org_id=session.active_org_id,
                role=session.role,
                via_cookie=True,
                session_id=session.session_id,
                impersonation=impersonation,
            )
        else:
            principal = UserPrincipal(
                user_id=session.user_id, via_cookie=True, session_id=session.session_id, impersonation=impersonation
            )
        # An impersonation is looked up on every request (they are few): its read-only transactions
        # must begin READ ONLY, which the seen-session statement does not.
        check = _check(digest, session.session_id, session.user_id, session.active_org_id, session.role)
        if check is not None and impersonation is None:
            if len(self._seen) >= SEEN_SESSIONS:
                self._seen.clear()
            self._seen[digest] = _Seen(principal, check, last_seen_at, session.expires_at)
        return principal


def _check(digest: bytes, session_id: str, user_id: str, org_id: str | None, role: str | None) -> str | None:
    """The session still as found (its expiry is added per request): a condition of validated
    literals only, or None when a value is not one (never expected: such a session is then
    looked up on every request)."""
    if not (is_valid_id(session_id, "ses") and is_valid_id(user_id, "usr")):
        return None
    if org_id is not None and not is_valid_id(org_id, "org"):
        return None
    if role is not None and not _ROLE.fullmatch(role):
        return None
    org = "NULL" if org_id is None else f"'{org_id}'"
    member = "NULL" if role is None else f"'{role}'"
    # A PL/pgSQL function (migration 0022): its plan is cached per connection, where this
    # statement is parsed and planned on every request. The clock's two arguments follow.
    return (
        f"(SELECT) AS s WHERE app_session_unchanged(decode('{digest.hex()}', 'hex'),"
        f" '{session_id}', '{user_id}', {org}, {member}, "
    )
