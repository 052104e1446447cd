"""Login and enrolment limits, as product's (product/accounts/rate_limit.py) but in panopticon's
own table (`admin_rate_limits`): fixed windows per bucket, the SHA-256 of (action, subject).

Hits are counted in a short transaction of their own (`req.db.transaction()`) committed before
the route's work, so a failed attempt still counts. Login is limited per address; per (account,
address) pair, which a success resets; and per account from addresses that never logged in to it
(the owner's own addresses are trusted for 30 days after a success, so strangers cannot lock
them out).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any, NoReturn

from database.connect import DbConnection
from foundation.errors import RateLimited
from foundation.ids import new_id
from foundation.rate_limits import Limit, bucket, window_start
from foundation.rpc import Request
from panopticon.admins import queries
from panopticon.services import PanopticonServices

AnyReq = Request[Any, Any, PanopticonServices]


LOGIN_PER_PAIR = Limit("admin_login:pair", 10, dt.timedelta(minutes=15))
LOGIN_PER_ADDRESS = Limit("admin_login:address", 50, dt.timedelta(minutes=15))
LOGIN_PER_ACCOUNT_FROM_UNKNOWN = Limit("admin_login:account", 30, dt.timedelta(hours=1))
LOGIN_TRUSTED = Limit("admin_login:trusted", 1, dt.timedelta(days=30))  # a mark, not a limit
ENROL_PER_ADDRESS = Limit("admin_enrol:address", 20, dt.timedelta(hours=1))

PRUNE_EVERY = 256
PRUNE_ROWS = 1000
_hits_since_pruning = 0


async def _hit(conn: DbConnection, limit: Limit, subject: str, now: dt.datetime) -> int | None:
    """Count a hit; the seconds until the window ends when the budget is spent, else None."""
    global _hits_since_pruning
    start, window_end = window_start(limit, now)
    row = await queries.hit_rate_limit(
        conn,
        id=new_id("adl"),
        bucket=bucket(limit, subject),
        window_start=start,
        expires_at=start + 2 * limit.window,
    )
    _hits_since_pruning += 1
    if _hits_since_pruning >= PRUNE_EVERY:
        _hits_since_pruning = 0
        await queries.prune_rate_limits(conn, now=now, max_rows=PRUNE_ROWS)
        await queries.prune_sessions(conn, now=now, max_rows=PRUNE_ROWS)
    if row is not None and row.hits > limit.max_hits:
        return max(1, window_end - int(now.timestamp()))
    return None


def _raise(retry_after: int) -> NoReturn:
    raise RateLimited("too many attempts; try again later", retry_after_seconds=retry_after)


def address_of(req: AnyReq) -> str:
    """An IPv4 address itself (also IPv4-mapped); an IPv6 address stands for its /64."""
    if ":" not in req.client:
        return req.client
    try:
        address = ipaddress.IPv6Address(req.client)
    except ValueError:
        return req.client
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.IPv6Network((address, 64), strict=False))


def _pair(email: str, address: str) -> str:
    return f"{email}\0{address}"


async def hit(req: AnyReq, limit: Limit, subject: str) -> None:
    if req.services.settings.disable_rate_limits:
        return
    async with req.db.transaction() as conn:
        retry_after = await _hit(conn, limit, subject, req.services.clock.now())
    if retry_after is not None:
        _raise(retry_after)


async def hit_login(req: AnyReq, email: str) -> None:
    """Per address, then per pair, then per account (unless this pair is trusted); an attempt
    refused by one limit counts in none after it."""
    if req.services.settings.disable_rate_limits:
        return
    now = req.services.clock.now()
    address = address_of(req)
    pair = _pair(email, address)
    async with req.db.transaction() as conn:
        retry_after = await _hit(conn, LOGIN_PER_ADDRESS, address, now)
        if retry_after is None:
            retry_after = await _hit(conn, LOGIN_PER_PAIR, pair, now)
        if retry_after is None:
            since = window_start(LOGIN_TRUSTED, now)[0] - LOGIN_TRUSTED.window
            seen = await queries.rate_limit_seen(conn, bucket=bucket(LOGIN_TRUSTED, pair), since=since)
            if not (seen is not None and seen.seen):
                retry_after = await _hit(conn, LOGIN_PER_ACCOUNT_FROM_UNKNOWN, email, now)
    if retry_after is not None:
        _raise(retry_after)


async def login_succeeded(conn: DbConnection, req: AnyReq, email: str) -> None:
    """Reset the pair's count and trust this address for this account (in the login's transaction)."""
    pair = _pair(email, address_of(req))
    await queries.reset_rate_limit(conn, bucket=bucket(LOGIN_PER_PAIR, pair))
    await _hit(conn, LOGIN_TRUSTED, pair, req.services.clock.now())
