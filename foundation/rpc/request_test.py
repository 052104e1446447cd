"""`req.db.after_commit`: callbacks run once the request committed, never after a rollback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from foundation.rpc.request import RequestDb


def _db(outcomes: list[str]) -> RequestDb:
    @asynccontextmanager
    async def opener() -> AsyncIterator[Any]:
        try:
            yield object()
        except BaseException:
            outcomes.append("rolled back")
            raise
        outcomes.append("committed")

    return RequestDb(opener)


async def test_after_commit_runs_after_the_commit() -> None:
    outcomes: list[str] = []
    db = _db(outcomes)
    await db.connection()
    db.after_commit(lambda: outcomes.append("callback"))
    await db.finish(None)
    assert outcomes == ["committed", "callback"]
    await db.finish(None)  # once only
    assert outcomes == ["committed", "callback"]


async def test_after_commit_never_runs_after_a_rollback() -> None:
    outcomes: list[str] = []
    db = _db(outcomes)
    await db.connection()
    db.after_commit(lambda: outcomes.append("callback"))
    await db.finish(RuntimeError("handler failed"))
    assert outcomes == ["rolled back"]
