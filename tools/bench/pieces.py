"""The hand-rolled pieces on the request's hot path, each against the library it replaces, in
one run (CLAUDE.md: a hand-rolled piece keeps a row here showing what it wins, or gives way):

- `database.connection_pool.ConnectionPool` vs asyncpg's pool: acquire, one query, release;
- `foundation.deadlines.Deadlines` vs `asyncio.timeout` around a request's handler;
- the access log's fast path vs the same line through structlog.

Interleaved batches on uvloop; medians of per-operation times.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import uvloop

from database.connect import create_pool
from database.target import PgUrl
from database.testing.harness import create_worker_database
from foundation.deadlines import Deadlines
from foundation.logging import access_log, configure_logging, flush_logs, get_logger
from tools.bench.stats import heading, row

BATCHES = 15
CONCURRENCY = 32


async def _per_op(batch: Callable[[], Awaitable[int]]) -> float:
    started = time.perf_counter()
    operations = await batch()
    return (time.perf_counter() - started) / operations


async def _interleaved(sides: dict[str, Callable[[], Awaitable[int]]]) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for batch in sides.values():  # warm up
        await batch()
    for index in range(BATCHES):
        for name in list(sides) if index % 2 else reversed(list(sides)):
            samples[name].append(await _per_op(sides[name]))
    return {name: statistics.median(values) for name, values in samples.items()}


async def _pools(url: str) -> dict[str, float]:
    ours = await create_pool_from_url(url)
    theirs = await asyncpg.create_pool(url, min_size=10, max_size=10, reset=_no_reset)

    def batch(pool: Any) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            async def one() -> None:
                for _ in range(50):
                    async with pool.acquire() as conn:
                        await conn.fetchval("SELECT 1")

            await asyncio.gather(*(one() for _ in range(CONCURRENCY)))
            return 50 * CONCURRENCY

        return run

    try:
        return await _interleaved({"asyncpg's pool": batch(theirs), "Blossom's ConnectionPool": batch(ours)})
    finally:
        await theirs.close()
        await ours.close()


async def _no_reset(conn: asyncpg.Connection) -> None:
    pass


async def create_pool_from_url(url: str) -> Any:
    return await create_pool(PgUrl.parse(url), min_size=10, max_size=10)


async def _handler() -> None:
    await asyncio.sleep(0)


async def _timeouts() -> dict[str, float]:
    deadlines = Deadlines()

    async def with_library() -> None:
        async with asyncio.timeout(10):
            await _handler()

    async def with_ticker() -> None:
        task = deadlines.watch(10)
        try:
            await _handler()
        finally:
            deadlines.expired(task)

    def batch(one: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            async def requests() -> None:
                for _ in range(200):
                    await one()

            await asyncio.gather(*(requests() for _ in range(CONCURRENCY)))
            return 200 * CONCURRENCY

        return run

    return await _interleaved({"asyncio.timeout": batch(with_library), "Deadlines (one ticker)": batch(with_ticker)})


async def _access_lines() -> dict[str, float]:
    configure_logging("json", "INFO")
    structlog_line = get_logger("bench.access")

    def batch(write: Callable[[int], None]) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            for n in range(2000):
                write(n)
            flush_logs()
            return 2000

        return run

    def fast(n: int) -> None:
        access_log("req_bench", route="demo.ping", status=200, latency_ms=0.5)

    def slow(n: int) -> None:
        structlog_line.info("rpc", request_id="req_bench", route="demo.ping", status=200, latency_ms=0.5)

    with contextlib.redirect_stderr(_Discard()):  # pyright: ignore[reportArgumentType]
        return await _interleaved({"structlog, same line": batch(slow), "access_log fast path": batch(fast)})


class _NullBuffer:
    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass


class _Discard:
    """A stderr that drops what it is given (the log sink writes bytes to `.buffer`)."""

    buffer = _NullBuffer()

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _report(title: str, results: dict[str, float]) -> None:
    (library, library_time), (ours, our_time) = results.items()
    row(title, "per operation", "vs library")
    row(library, f"{library_time * 1e6:.2f} µs", "")
    row(ours, f"{our_time * 1e6:.2f} µs", f"{(our_time / library_time - 1) * 100:+.0f} %")


def run_all() -> None:
    heading(f"Hand-rolled hot-path pieces vs the library each replaces (uvloop; {BATCHES} interleaved batches)")
    worker = create_worker_database("bench_pieces")
    try:
        pools = uvloop.run(_pools(worker.target.app.render()))
    finally:
        worker.drop()
    _report(f"acquire + SELECT 1 + release, {CONCURRENCY} tasks", pools)
    _report(f"a request's timeout around its handler, {CONCURRENCY} tasks", uvloop.run(_timeouts()))
    _report("one JSON access line", uvloop.run(_access_lines()))
    sys.stdout.flush()
