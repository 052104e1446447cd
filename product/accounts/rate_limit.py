"""Rate limits kept in PostgreSQL, so they hold across processes: fixed windows per bucket.

A bucket is the SHA-256 of (action, subject): no email or address is stored. Hits are counted
on their own connection, outside the request's transaction, so a failed attempt still counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from foundation.errors import RateLimited
from product.accounts import queries
from product.services import ProductServices


@dataclass(frozen=True)
class Limit:
    action: str
    max_hits: int
    window: dt.timedelta


LOGIN_PER_ACCOUNT = Limit("login:account", 10, dt.timedelta(minutes=15))
LOGIN_PER_ADDRESS = Limit("login:address", 50, dt.timedelta(minutes=15))
SIGNUP_PER_ADDRESS = Limit("signup:address", 20, dt.timedelta(hours=1))
RESET_PER_ACCOUNT = Limit("reset:account", 5, dt.timedelta(hours=1))
RESET_PER_ADDRESS = Limit("reset:address", 20, dt.timedelta(hours=1))


async def hit(services: ProductServices, limit: Limit, subject: str) -> None:
    """Count a hit; raise RateLimited (429, Retry-After) once the window's budget is spent."""
    if services.settings.disable_rate_limits:
        return
    now = services.clock.now()
    window_seconds = int(limit.window.total_seconds())
    start_epoch = int(now.timestamp()) // window_seconds * window_seconds
    window_start = dt.datetime.fromtimestamp(start_epoch, dt.UTC)
    bucket = hashlib.sha256(f"{limit.action}\0{subject.lower()}".encode()).digest()
    async with services.database.pool.acquire() as conn:
        row = await queries.hit_rate_limit(conn, bucket=bucket, window_start=window_start)
    assert row is not None
    if row.hits > limit.max_hits:
        retry_after = max(1, start_epoch + window_seconds - int(now.timestamp()))
        raise RateLimited("too many attempts; try again later", retry_after_seconds=retry_after)
