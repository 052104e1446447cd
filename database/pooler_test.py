"""Through PgBouncer in transaction mode, which hands each transaction whichever server
connection is free: the tenant context is transaction-local, so it never reaches another
client's transaction, and RLS holds with fewer server connections than clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from database.connection_pool import ConnectionPool
from database.pool import create_app_pool
from database.target import PgUrl
from database.testing import pgbouncer
from database.testing.fixture import T
from database.testing.harness import WorkerDatabase
from database.tx import tenant_transaction
from foundation.logging import flush_logs


@pytest.fixture
async def pooled(pooler: PgUrl) -> AsyncIterator[ConnectionPool]:
    pool = await create_app_pool(pooler, max_size=20, behind_pooler=True)  # 20 clients, 3 server connections
    yield pool
    await pool.close(timeout=1)


async def test_the_tenant_context_never_crosses_to_another_clients_transaction(t: T, pooled: ConnectionPool) -> None:
    orgs = [await t.factory.org(name=f"Org {i}") for i in range(4)]
    for org in orgs:
        await t.factory.note(org, body=f"note of {org.id}")

    async def as_tenant(org_id: str, round_: int) -> None:
        async with tenant_transaction(pooled, user_id=None, org_id=org_id) as conn:
            assert await conn.fetchval("SELECT current_setting('app.org_id', true)") == org_id
            await asyncio.sleep(0.001 * (round_ % 3))  # interleave with the other tenants
            bodies = [r["body"] for r in await conn.fetch("SELECT body FROM org_notes")]
            assert bodies == [f"note of {org_id}"]
        async with pooled.acquire() as conn:  # outside a transaction: no context at all
            assert (await conn.fetchval("SELECT current_setting('app.org_id', true)")) in ("", None)
            assert await conn.fetchval("SELECT count(*) FROM org_notes") == 0

    await asyncio.gather(*(as_tenant(orgs[i % 4].id, i) for i in range(200)))


async def test_a_rolled_back_tenant_transaction_leaves_no_context_behind(t: T, pooled: ConnectionPool) -> None:
    org = await t.factory.org()
    for _ in range(20):
        with pytest.raises(asyncpg.DivisionByZeroError):
            async with tenant_transaction(pooled, user_id=None, org_id=org.id) as conn:
                await conn.execute("SELECT 1 / 0")
        async with pooled.acquire() as conn:
            assert (await conn.fetchval("SELECT current_setting('app.org_id', true)")) in ("", None)


async def test_without_the_pooler_setting_prepared_statements_break_behind_pgbouncer(pooler: PgUrl) -> None:
    # Why DATABASE_POOLER=transaction exists: asyncpg's named prepared statements live on one
    # server connection, and the pooler hands the next transaction another one.
    pool = await create_app_pool(pooler, max_size=10)
    try:
        results = await asyncio.gather(
            *(pool.fetchval("SELECT $1::int + 0 * pg_backend_pid()", i) for i in range(200)), return_exceptions=True
        )
        assert any(isinstance(r, asyncpg.PostgresError | asyncpg.InterfaceError) for r in results)
    finally:
        await pool.close(timeout=1)


async def test_at_pgbouncers_client_cap_callers_wait_instead_of_an_outage(
    worker_database: WorkerDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    # PgBouncer refuses a client over max_client_conn with 08P01 "no more connections allowed":
    # the pooler is up and the pool's own connections work, so that is the limit, not an outage.
    if pgbouncer.executable() is None:
        pytest.skip(pgbouncer.SKIP_REASON)
    with pgbouncer.pgbouncer(worker_database.target.app, pool_size=2, max_clients=2) as url:
        other_client = await asyncpg.connect(url.render(), statement_cache_size=0)  # one of the two slots
        pool = await create_app_pool(url, min_size=1, max_size=6, behind_pooler=True)
        try:
            results = await asyncio.gather(*(pool.fetchval("SELECT 1", timeout=10) for _ in range(40)))
            assert results == [1] * 40
            assert pool.available
            flush_logs()
            captured = capsys.readouterr()
            assert "database_unavailable" not in captured.out + captured.err
            assert "database_connection_limit" in captured.out + captured.err
        finally:
            await pool.close(timeout=1)
            await other_client.close()
