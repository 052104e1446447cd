"""Generated query functions against the same SQL hand-written with asyncpg (returning Records),
side by side on one connection, interleaved so both see the same noise."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from database import queries
from database.connect import DbConnection, connect
from database.testing.harness import create_worker_database
from tools.bench.stats import heading, median, percentile, row, us

CALLS = 3000
MANY_ROWS = 100


async def _measure(calls: dict[str, Callable[[], Awaitable[object]]]) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for _ in range(50):  # warm the statement cache and the interpreter
        for call in calls.values():
            await call()
    for i in range(CALLS):
        for name in names if i % 2 else reversed(names):
            started = time.perf_counter()
            await calls[name]()
            timings[name].append(time.perf_counter() - started)
    return timings


def _report(title: str, timings: dict[str, list[float]], baseline: str, candidate: str) -> None:
    heading(title)
    row("", "median", "p95")
    for name, samples in timings.items():
        row(name, us(median(samples)), us(percentile(samples, 0.95)))
    overhead = median(timings[candidate]) / median(timings[baseline]) - 1
    row("generated overhead (median)", f"{overhead * 100:+.1f} %", "")


async def _bench() -> None:
    worker = create_worker_database("bench_queries")
    try:
        conn: DbConnection = await connect(worker.target.owner)
        try:
            org = await queries.create_org(conn, name="Bench")
            assert org is not None
            for n in range(MANY_ROWS):
                await queries.create_org_note(conn, org_id=org.id, body=f"note {n}")

            one = await _measure(
                {
                    "asyncpg fetchrow -> Record": lambda: conn.fetchrow(queries.GET_ORG_SQL, org.id),
                    "generated get_org -> Org": lambda: queries.get_org(conn, id=org.id),
                }
            )
            many = await _measure(
                {
                    "asyncpg fetch -> list[Record]": lambda: conn.fetch(queries.LIST_ORG_NOTES_SQL, MANY_ROWS),
                    "generated list_org_notes -> list[OrgNote]": lambda: queries.list_org_notes(
                        conn, max_rows=MANY_ROWS
                    ),
                }
            )
        finally:
            await conn.close()
    finally:
        worker.drop()
    _report(f":one, {CALLS} calls each", one, "asyncpg fetchrow -> Record", "generated get_org -> Org")
    _report(
        f":many returning {MANY_ROWS} rows, {CALLS} calls each",
        many,
        "asyncpg fetch -> list[Record]",
        "generated list_org_notes -> list[OrgNote]",
    )


def run_all() -> None:
    asyncio.run(_bench())
