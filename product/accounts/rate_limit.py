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
import hashlib
from dataclasses import dataclass
from typing import Any

from database.connect import DbConnection
from foundation.errors import RateLimited
from foundation.rpc import Req
from product.accounts import queries
from product.services import services


@dataclass(frozen=True)
class Limit:
    action: str
    max_hits: int
    window: dt.timedelta


LOGIN_PER_PAIR = Limit("login:pair", 10, dt.timedelta(minutes=15))
LOGIN_PER_ADDRESS = Limit("login:address", 100, dt.timedelta(minutes=15))
LOGIN_PER_ACCOUNT_FROM_UNKNOWN = Limit("login:account", 50, dt.timedelta(hours=1))
LOGIN_TRUSTED = Limit("login:trusted", 1, dt.timedelta(days=30))  # a mark, not a limit
SIGNUP_PER_ADDRESS = Limit("signup:address", 20, dt.timedelta(hours=1))
RESET_PER_ACCOUNT = Limit("reset:account", 5, dt.timedelta(hours=1))
RESET_PER_ADDRESS = Limit("reset:address", 20, dt.timedelta(hours=1))


def bucket(limit: Limit, subject: str) -> bytes:
    return hashlib.sha256(f"{limit.action}\0{subject.lower()}".encode()).digest()


def _window_start(limit: Limit, now: dt.datetime) -> tuple[dt.datetime, int]:
    window_seconds = int(limit.window.total_seconds())
    start_epoch = int(now.timestamp()) // window_seconds * window_seconds
    return dt.datetime.fromtimestamp(start_epoch, dt.UTC), start_epoch + window_seconds


async def _hit(conn: DbConnection, limit: Limit, subject: str, now: dt.datetime) -> int | None:
    """Count a hit; the seconds until the window ends when the budget is spent, else None."""
    window_start, window_end = _window_start(limit, now)
    row = await queries.hit_rate_limit(conn, bucket=bucket(limit, subject), window_start=window_start)
    if row is not None and row.hits > limit.max_hits:
        return max(1, window_end - int(now.timestamp()))
    return None


def _raise_if_over(retry_afters: list[int | None]) -> None:
    over = [seconds for seconds in retry_afters if seconds is not None]
    if over:
        raise RateLimited("too many attempts; try again later", retry_after_seconds=max(over))


async def hit(req: Req[Any], limit: Limit, subject: str) -> None:
    """Count a hit (committed at once); raise RateLimited (429, Retry-After) once the window's
    budget is spent."""
    svc = services(req)
    if svc.settings.disable_rate_limits:
        return
    async with req.db.transaction() as conn:
        retry_after = await _hit(conn, limit, subject, svc.clock.now())
    _raise_if_over([retry_after])


def _pair(email: str, address: str) -> str:
    return f"{email}\0{address}"


async def hit_login(req: Req[Any], email: str) -> None:
    svc = services(req)
    if svc.settings.disable_rate_limits:
        return
    now = svc.clock.now()
    pair = _pair(email, req.client)
    async with req.db.transaction() as conn:
        results = [await _hit(conn, LOGIN_PER_PAIR, pair, now), await _hit(conn, LOGIN_PER_ADDRESS, req.client, now)]
        # A success in this window or the one before: trusted for 30 to 60 days after it.
        trusted_since = _window_start(LOGIN_TRUSTED, now)[0] - LOGIN_TRUSTED.window
        trusted = await queries.rate_limit_seen(conn, bucket=bucket(LOGIN_TRUSTED, pair), since=trusted_since)
        if trusted is None or not trusted.seen:
            results.append(await _hit(conn, LOGIN_PER_ACCOUNT_FROM_UNKNOWN, email, now))
    _raise_if_over(results)


async def login_succeeded(conn: DbConnection, req: Req[Any], email: str) -> None:
    """Reset the pair's count and trust this address for this account (in the login's transaction)."""
    pair = _pair(email, req.client)
    await queries.reset_rate_limit(conn, bucket=bucket(LOGIN_PER_PAIR, pair))
    window_start, _ = _window_start(LOGIN_TRUSTED, services(req).clock.now())
    await queries.hit_rate_limit(conn, bucket=bucket(LOGIN_TRUSTED, pair), window_start=window_start)
