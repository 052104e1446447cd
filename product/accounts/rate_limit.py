"""Rate limits kept in PostgreSQL, so they hold across processes: fixed windows per bucket.

A bucket is the SHA-256 of (action, subject): no email or address is stored. Hits are counted in
a short transaction of their own on the request's connection (`req.db.transaction()`), committed
before the route's own work, so a failed attempt still counts.

Login is limited three ways so that nobody can lock an account's owner out: per (account,
address) pair, which a success resets; per address, across accounts; and per account from
addresses that never logged in to it successfully (a slower limit, against attackers spread over
many addresses; the owner's own addresses are trusted for 30 days after a success).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any, NoReturn

from database.connect import DbConnection
from foundation.errors import RateLimited
from foundation.rate_limits import Limit, bucket, window_start
from product.accounts import queries
from product.rpc import Req

LOGIN_PER_PAIR = Limit("login:pair", 10, dt.timedelta(minutes=15))
LOGIN_PER_ADDRESS = Limit("login:address", 100, dt.timedelta(minutes=15))
LOGIN_PER_ACCOUNT_FROM_UNKNOWN = Limit("login:account", 50, dt.timedelta(hours=1))
LOGIN_TRUSTED = Limit("login:trusted", 1, dt.timedelta(days=30))  # a mark, not a limit
SIGNUP_PER_ADDRESS = Limit("signup:address", 20, dt.timedelta(hours=1))
RESET_PER_PAIR = Limit("reset:pair", 5, dt.timedelta(hours=1))
RESET_PER_ACCOUNT = Limit("reset:account", 20, dt.timedelta(hours=1))
RESET_PER_ADDRESS = Limit("reset:address", 20, dt.timedelta(hours=1))
# Each attempt costs a full password hash, and a stolen session must not guess the password.
PASSWORD_CHANGE_PER_USER = Limit("password_change:user", 10, dt.timedelta(minutes=15))


async def _hit(conn: DbConnection, limit: Limit, subject: str, now: dt.datetime) -> int | None:
    """Count a hit; the seconds until the window ends when the budget is spent, else None."""
    start, window_end = window_start(limit, now)
    row = await queries.hit_rate_limit(
        conn, bucket=bucket(limit, subject), window_start=start, expires_at=start + 2 * limit.window
    )
    await _prune_now_and_then(conn, now)
    if row is not None and row.hits > limit.max_hits:
        return max(1, window_end - int(now.timestamp()))
    return None


PRUNE_EVERY = 256  # hits per process between prunings
PRUNE_ROWS = 1000
_hits_since_pruning = 0


async def _prune_now_and_then(conn: DbConnection, now: dt.datetime) -> None:
    """Windows that no longer matter are deleted, a bounded batch every PRUNE_EVERY hits."""
    global _hits_since_pruning
    _hits_since_pruning += 1
    if _hits_since_pruning >= PRUNE_EVERY:
        _hits_since_pruning = 0
        await queries.prune_rate_limits(conn, now=now, max_rows=PRUNE_ROWS)


async def _trusted(conn: DbConnection, pair: str, now: dt.datetime) -> bool:
    """Whether this (account, address) pair logged in successfully in this trust window or the
    one before: trusted for 30 to 60 days after a success."""
    since = window_start(LOGIN_TRUSTED, now)[0] - LOGIN_TRUSTED.window
    seen = await queries.rate_limit_seen(conn, bucket=bucket(LOGIN_TRUSTED, pair), since=since)
    return seen is not None and seen.seen


def _raise(retry_after: int) -> NoReturn:
    raise RateLimited("too many attempts; try again later", retry_after_seconds=retry_after)


def address_of(req: Req[Any]) -> str:
    """The caller's address as rate limits see it: an IPv4 address itself (also when a dual-stack
    listener reports it IPv4-mapped, ::ffff:a.b.c.d); an IPv6 address stands for its /64 (one
    subscriber's network; anyone holding one holds them all)."""
    if ":" not in req.client:
        return req.client
    try:
        address = ipaddress.IPv6Address(req.client)
    except ValueError:
        return req.client
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.IPv6Network((address, 64), strict=False))


async def hit(req: Req[Any], limit: Limit, subject: str) -> None:
    """Count a hit (committed at once); raise RateLimited (429, Retry-After) once the window's
    budget is spent."""
    svc = req.services
    if svc.settings.disable_rate_limits:
        return
    async with req.db.transaction() as conn:
        retry_after = await _hit(conn, limit, subject, svc.clock.now())
    if retry_after is not None:
        _raise(retry_after)


def _pair(email: str, address: str) -> str:
    return f"{email}\0{address}"


async def hit_login(req: Req[Any], email: str) -> None:
    """Count a login attempt: per address, then per (account, address) pair, then per account. An
    attempt refused by one limit counts in none after it: one address that spent its own budget
    cannot spend the account's, which would lock the owner out of every address they have not
    logged in from yet."""
    svc = req.services
    if svc.settings.disable_rate_limits:
        return
    now = svc.clock.now()
    address = address_of(req)
    pair = _pair(email, address)
    retry_after = None
    async with req.db.transaction() as conn:
        # The address first: an address past its budget adds no row for each new email it tries.
        retry_after = await _hit(conn, LOGIN_PER_ADDRESS, address, now)
        if retry_after is None:
            retry_after = await _hit(conn, LOGIN_PER_PAIR, pair, now)
        if retry_after is None and not await _trusted(conn, pair, now):
            retry_after = await _hit(conn, LOGIN_PER_ACCOUNT_FROM_UNKNOWN, email, now)
    if retry_after is not None:
        _raise(retry_after)


async def login_succeeded(conn: DbConnection, req: Req[Any], email: str) -> None:
    """Reset the pair's count and trust this address for this account (in the login's transaction)."""
    pair = _pair(email, address_of(req))
    await queries.reset_rate_limit(conn, bucket=bucket(LOGIN_PER_PAIR, pair))
    await _hit(conn, LOGIN_TRUSTED, pair, req.services.clock.now())


async def hit_reset(req: Req[Any], email: str) -> bool:
    """Count a reset request; whether to send anything. Past the caller's address budget the
    answer is 429. Past the (account, address) pair's or the account's, the request is answered as
    usual and nothing is sent: mail to one person stays bounded. The account-wide cap does not
    apply from addresses the owner has logged in from, so strangers cannot spend it for them."""
    svc = req.services
    if svc.settings.disable_rate_limits:
        return True
    now = svc.clock.now()
    address = address_of(req)
    async with req.db.transaction() as conn:
        over_address = await _hit(conn, RESET_PER_ADDRESS, address, now)
        over_pair = over_account = None
        if over_address is None:
            over_pair = await _hit(conn, RESET_PER_PAIR, _pair(email, address), now)
        if over_address is None and over_pair is None and not await _trusted(conn, _pair(email, address), now):
            over_account = await _hit(conn, RESET_PER_ACCOUNT, email, now)
    if over_address is not None:
        _raise(over_address)
    return over_pair is None and over_account is None
