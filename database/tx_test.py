"""Transactions commit or roll back as a whole, and the tenant context never outlives one."""

import contextlib

import asyncpg
import pytest

from database.connect import PgConnection
from database.testing.fixture import T
from database.tx import TransactionAborted, begin_tenant_transaction_where, change_context, tenant_transaction


async def test_context_is_transaction_local_and_never_leaks_to_the_next_user(t: T) -> None:
    org = await t.factory.org()
    await t.factory.note(org)
    async with t.db.app.acquire() as conn:
        pool = _OneConnectionPool(conn)
        async with tenant_transaction(pool, user_id=None, org_id=org.id) as tx:  # type: ignore[arg-type]
            assert await tx.fetchval("SELECT app_current_org_id()") == org.id
            assert await tx.fetchval("SELECT count(*) FROM org_notes") == 1
        # Same physical connection, after COMMIT: no context, no rows.
        assert await conn.fetchval("SELECT app_current_org_id()") is None
        assert await conn.fetchval("SELECT count(*) FROM org_notes") == 0


async def test_error_rolls_back_every_write(t: T) -> None:
    org = await t.factory.org()
    with pytest.raises(RuntimeError, match="boom"):
        async with t.db.tenant(org_id=org.id) as conn:
            await conn.execute("INSERT INTO org_notes (org_id, body) VALUES ($1, 'first')", org.id)
            await conn.execute("INSERT INTO org_notes (org_id, body) VALUES ($1, 'second')", org.id)
            raise RuntimeError("boom")
    assert await t.db.owner.fetchval("SELECT count(*) FROM org_notes") == 0


async def test_a_swallowed_statement_error_does_not_commit_half_the_work(t: T) -> None:
    org = await t.factory.org()
    with pytest.raises(TransactionAborted):
        async with t.db.tenant(org_id=org.id) as conn:
            await conn.execute("INSERT INTO org_notes (org_id, body) VALUES ($1, 'kept?')", org.id)
            with contextlib.suppress(asyncpg.CheckViolationError):
                await conn.execute("INSERT INTO org_notes (org_id, body) VALUES ($1, '')", org.id)  # CHECK fails
    assert await t.db.owner.fetchval("SELECT count(*) FROM org_notes") == 0


async def test_commit_makes_writes_visible_to_others(t: T) -> None:
    org = await t.factory.org()
    async with t.db.tenant(org_id=org.id) as conn:
        await conn.execute("INSERT INTO org_notes (org_id, body) VALUES ($1, 'hello')", org.id)
        # Not yet committed: the owner's separate connection cannot see it.
        assert await t.db.owner.fetchval("SELECT count(*) FROM org_notes") == 0
    assert await t.db.owner.fetchval("SELECT count(*) FROM org_notes") == 1


@pytest.mark.parametrize("bad", ["org_x'; DROP TABLE orgs; --", "usr_01jd8x3k5q9w2m7a4c6e8g0h1n", "", "ORG_X"])
async def test_malformed_context_ids_are_refused_before_reaching_sql(t: T, bad: str) -> None:
    with pytest.raises(ValueError, match="tenant context"):
        async with t.db.tenant(org_id=bad):
            pass


class _OneConnectionPool:
    """Hands out one given connection, so a test can inspect it after the transaction."""

    def __init__(self, conn: PgConnection) -> None:
        self._conn = conn

    def acquire(self, *, timeout: float | None = None) -> "_OneConnectionPool":
        return self

    async def __aenter__(self) -> PgConnection:
        return self._conn

    async def __aexit__(self, *exc: object) -> None:
        return None


async def test_change_context_switches_tenant_inside_the_transaction_only(t: T) -> None:
    org_a, org_b = await t.factory.org(), await t.factory.org()
    await t.factory.note(org_b)
    async with t.db.tenant(org_id=org_a.id) as conn:
        assert await conn.fetchval("SELECT count(*) FROM org_notes") == 0
        await change_context(conn, org_id=org_b.id)
        assert await conn.fetchval("SELECT count(*) FROM org_notes") == 1
    with pytest.raises(ValueError, match="tenant context"):
        async with t.db.tenant(org_id=org_a.id) as conn:
            await change_context(conn, org_id="org_x'; DROP TABLE orgs; --")
    async with t.db.app.acquire() as conn:
        with pytest.raises(RuntimeError, match="open one first"):
            await change_context(conn, org_id=org_a.id)


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
async def test_a_leased_tenant_transaction_takes_its_connection_when_it_begins(t: T, outcome: str) -> None:
    from database.tx import tenant_transaction_leased

    org = await t.factory.org()
    async with t.db.app.acquire() as conn:
        fetched: list[PgConnection] = []

        async def connection() -> PgConnection:
            fetched.append(conn)
            return conn

        transaction = tenant_transaction_leased(connection, user_id=None, org_id=org.id)
        assert fetched == []  # nothing happens until the transaction begins
        with contextlib.suppress(RuntimeError):
            async with transaction as tx:
                assert fetched == [conn]
                assert await tx.fetchval("SELECT app_current_org_id()") == org.id
                await tx.execute("INSERT INTO org_notes (org_id, body) VALUES ($1, 'leased')", org.id)
                if outcome == "rollback":
                    raise RuntimeError("undo")
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT app_current_org_id()") is None
    assert await t.db.owner.fetchval("SELECT count(*) FROM org_notes") == (1 if outcome == "commit" else 0)


async def test_a_leased_transaction_whose_connection_never_came_ends_cleanly() -> None:
    """No connection (pool exhausted past the deadline, server down): the error is the caller's
    to answer, not an AttributeError from ending a transaction that never began."""
    from database.tx import tenant_transaction_leased

    async def no_connection() -> PgConnection:
        raise TimeoutError("no connection in time")

    transaction = tenant_transaction_leased(no_connection, user_id=None, org_id=None)
    with pytest.raises(TimeoutError, match="no connection"):
        await transaction.__aenter__()
    await transaction.__aexit__(TimeoutError, TimeoutError("no connection in time"), None)


async def test_a_checked_begin_sets_the_context_only_when_its_condition_yields_a_row(t: T) -> None:
    org = await t.factory.org()
    await t.factory.note(org)
    async with t.db.app.acquire() as conn:
        refused = await begin_tenant_transaction_where(
            conn, user_id=None, org_id=org.id, condition="(SELECT 1) AS s (x) WHERE s.x = 2"
        )
        assert refused is None
        assert not conn.is_in_transaction()  # rolled back: no context, no rows
        assert await conn.fetchval("SELECT app_current_org_id()") is None
        begun = await begin_tenant_transaction_where(
            conn, user_id=None, org_id=org.id, condition="(SELECT 1) AS s (x) WHERE s.x = 1"
        )
        assert begun is not None and conn.is_in_transaction()
        async with begun as tx:  # continues the open transaction: no second BEGIN
            assert await tx.fetchval("SELECT app_current_org_id()") == org.id
            assert await tx.fetchval("SELECT count(*) FROM org_notes") == 1
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT app_current_org_id()") is None
