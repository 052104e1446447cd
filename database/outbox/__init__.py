"""The transactional outbox: side effects written in the caller's transaction, delivered after
it commits (migration 0006, `worker.py`). README.md in this folder has the whole design."""

from __future__ import annotations

import datetime as dt

from database.connect import DbConnection
from database.json import JsonValue
from database.outbox import queries
from database.outbox.worker import Delivery, Doorbell, Handler, Job, OutboxWorker, RetryPolicy

__all__ = ["Delivery", "Doorbell", "Handler", "Job", "OutboxWorker", "RetryPolicy", "enqueue"]


async def enqueue(conn: DbConnection, *, kind: str, payload: JsonValue, now: dt.datetime) -> None:
    """Write a side effect for the worker to deliver once the transaction of `conn` commits (a
    request's `req.db`, or a handler's own transaction). Nothing is sent if it rolls back."""
    await queries.enqueue_outbox(conn, kind=kind, payload=payload, now=now)
