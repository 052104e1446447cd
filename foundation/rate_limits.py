"""Fixed-window rate limits, the arithmetic both apps share: a `Limit` (an action, its budget,
its window), the bucket a hit is counted in (the SHA-256 of action and subject, so no email or
address is stored), and the window a moment falls in. Where the hits are counted is each app's:
product's `rate_limits` table (product/accounts/rate_limit.py), panopticon's
`admin_rate_limits` (panopticon/admins/rate_limit.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    action: str
    max_hits: int
    window: dt.timedelta


def bucket(limit: Limit, subject: str) -> bytes:
    return hashlib.sha256(f"{limit.action}\0{subject.lower()}".encode()).digest()


def window_start(limit: Limit, now: dt.datetime) -> tuple[dt.datetime, int]:
    """(the window's start, its end in epoch seconds) for the window `now` falls in."""
    window_seconds = int(limit.window.total_seconds())
    start_epoch = int(now.timestamp()) // window_seconds * window_seconds
    return dt.datetime.fromtimestamp(start_epoch, dt.UTC), start_epoch + window_seconds
