import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import psycopg
import pytest
from psycopg import sql

from database.connect import create_pool
from database.connection_pool import ConnectionPool, PoolClosed, PoolTimeout, SecondConnection, ServerDown
from database.outage import is_connection_loss
from database.testing.fixture import T
from foundation.deadlines import Deadlines
from foundation.ids import new_id
from foundation.logging import flush_logs


@pytest.fixture
async def pool(t: T) -> AsyncIterator[ConnectionPool]:
    pool = await create_pool(t.db.target.app, min_size=1, max_size=2)
    yield pool
    await pool.close(timeout=1)


async def _pid(conn) -> int:
    return await conn.fetchval("SELECT pg_backend_pid()")


async def test_it_opens_min_size_at_once_and_more_on_demand_up_to_max_size(pool: ConnectionPool) -> None:
    assert (pool.size, pool.idle) == (1, 1)
    first = await pool.acquire_connection()
    second = await pool.acquire_connection()
    assert await _pid(first) != await _pid(second)
    assert (pool.size, pool.idle) == (2, 0)
    pool.release(first)
    pool.release(second)
    assert (pool.size, pool.idle) == (2, 2)


async def test_when_all_are_lent_callers_wait_first_come_first_served(pool: ConnectionPool) -> None:
    lent = [await pool.acquire_connection(), await pool.acquire_connection()]
    order: list[str] = []

    async def wait(name: str) -> None:
        async with pool.acquire() as conn:
            order.append(name)
            await conn.fetchval("SELECT 1")

    waiting = [asyncio.ensure_future(wait("first")), asyncio.ensure_future(wait("second"))]
    await asyncio.sleep(0.05)
    assert order == []  # nobody gets a third connection
    pool.release(lent[0])
    await asyncio.gather(*waiting)
    assert order == ["first", "second"]
    assert pool.size == 2
    pool.release(lent[1])


async def test_an_acquire_timeout_leaves_the_pool_usable(pool: ConnectionPool) -> None:
    lent = [await pool.acquire_connection(), await pool.acquire_connection()]
    with pytest.raises(PoolTimeout, match=r"no database connection came free within 0\.05 s"):
        await pool.acquire_connection(timeout=0.05)
    pool.release(lent[0])
    async with pool.acquire(timeout=1) as conn:  # the timed-out waiter was skipped, not served
        assert await conn.fetchval("SELECT 1") == 1
    pool.release(lent[1])


async def test_a_connection_returned_inside_a_transaction_is_terminated_not_reused(pool: ConnectionPool) -> None:
    conn = await pool.acquire_connection()
    pid = await _pid(conn)
    await conn.execute("BEGIN; SELECT set_config('app.org_id', 'org_leftover', true)")
    pool.release(conn)
    assert conn.is_closed()
    async with pool.acquire() as fresh:
        assert await _pid(fresh) != pid
        assert not fresh.is_in_transaction()
        assert await fresh.fetchval("SELECT current_setting('app.org_id', true)") in (None, "")


async def test_a_connection_whose_query_was_cancelled_is_not_lent_busy(pool: ConnectionPool) -> None:
    async def slow() -> None:
        async with pool.acquire() as conn:
            await conn.execute("SELECT pg_sleep(5)")

    task = asyncio.ensure_future(slow())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(3):  # whichever connection comes out answers at once
        async with pool.acquire() as conn:
            assert await asyncio.wait_for(conn.fetchval("SELECT 1"), timeout=2) == 1


async def test_a_connection_the_server_closed_is_never_lent(t: T, pool: ConnectionPool) -> None:
    async with pool.acquire() as conn:
        pid = await _pid(conn)
    await t.db.owner.execute("SELECT 1")  # warm
    admin_pool = await create_pool(t.db.target.admin, min_size=1, max_size=1)
    try:
        await admin_pool.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin_pool.close()
    await asyncio.sleep(0.1)  # the event loop notices the closed socket
    async with pool.acquire() as conn:
        assert await _pid(conn) != pid


async def test_a_waiter_gets_a_fresh_connection_when_the_returned_one_is_unusable(pool: ConnectionPool) -> None:
    lent = [await pool.acquire_connection(), await pool.acquire_connection()]
    waiter = asyncio.ensure_future(pool.acquire_connection(timeout=5))
    await asyncio.sleep(0.05)
    await lent[0].execute("BEGIN")
    pool.release(lent[0])  # terminated: the waiter must not wait for the other one
    conn = await waiter
    assert await conn.fetchval("SELECT 1") == 1
    pool.release(conn)
    pool.release(lent[1])


async def test_releasing_twice_does_not_lend_one_connection_to_two_callers(pool: ConnectionPool) -> None:
    conn = await pool.acquire_connection()
    pool.release(conn)
    pool.release(conn)
    first = await pool.acquire_connection()
    second = await pool.acquire_connection()
    assert first is not second


async def test_close_waits_for_lent_connections_then_refuses_to_lend(t: T) -> None:
    pool = await create_pool(t.db.target.app, min_size=1, max_size=2)
    conn = await pool.acquire_connection()
    closing = asyncio.ensure_future(pool.close(timeout=5))
    await asyncio.sleep(0.05)
    assert not closing.done()  # still lent
    assert await conn.fetchval("SELECT 1") == 1
    pool.release(conn)
    await closing
    assert conn.is_closed()
    with pytest.raises(PoolClosed):
        await pool.acquire_connection()


async def test_close_terminates_connections_not_returned_in_time(t: T) -> None:
    pool = await create_pool(t.db.target.app, min_size=1, max_size=1)
    conn = await pool.acquire_connection()
    await pool.close(timeout=0.05)
    assert conn.is_closed()


def test_sizes_are_checked() -> None:
    async def connect():  # never called
        raise AssertionError

    with pytest.raises(ValueError, match="min_size"):
        ConnectionPool(connect, min_size=3, max_size=2)


async def test_a_request_cancelled_mid_transaction_start_leaks_no_transaction(t: T) -> None:
    """Cancelled while its transaction-opening message runs on the server: asyncpg still reads
    the connection as idle (its status arrives with the server's answer), so the pool must not
    trust that; the next caller must never inherit the transaction or its tenant context."""
    pool = await create_pool(t.db.target.app, min_size=1, max_size=1)
    try:

        async def victim() -> None:
            async with pool.acquire() as conn:
                await conn.execute("BEGIN; SELECT set_config('app.user_id', 'usr_victim', true); SELECT pg_sleep(5)")

        task = asyncio.ensure_future(victim())
        await asyncio.sleep(0.2)  # BEGIN and set_config have run; pg_sleep is running
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT current_setting('app.user_id', true)") in (None, "")
            assert not conn.is_in_transaction()
    finally:
        await pool.close(timeout=1)


class _FakeConnection:
    """Enough of a connection for the pool's bookkeeping (no server needed)."""

    class _Protocol:
        cancelling = False

        def _is_cancelling(self) -> bool:
            return self.cancelling

    def __init__(self, answer: BaseException | None = None) -> None:
        self.closed = False
        self.in_transaction = False
        self._protocol = self._Protocol()
        self._answer = answer  # what its first statement raises, as a pooler's does while its server is down

    async def execute(self, query: str) -> str:
        if self._answer is not None:
            self.closed = True
            raise self._answer
        return "SELECT 1"

    def is_closed(self) -> bool:
        return self.closed

    def is_in_transaction(self) -> bool:
        return self.in_transaction

    def terminate(self) -> None:
        self.closed = True

    async def close(self, timeout: float | None = None) -> None:
        self.closed = True


async def test_waiters_hear_a_failed_reconnect_instead_of_waiting_forever() -> None:
    down = False

    async def connect():
        await asyncio.sleep(0.01)
        if down:
            raise OSError("server down")
        return _FakeConnection()

    pool = ConnectionPool(connect, min_size=1, max_size=1)  # type: ignore[arg-type]
    await pool.open()
    held: Any = await pool.acquire_connection()
    waiters = [asyncio.ensure_future(pool.acquire_connection()) for _ in range(2)]
    await asyncio.sleep(0)
    down = True
    held.in_transaction = True
    pool.release(held)  # terminated: its replacement cannot connect
    for waiter in waiters:
        with pytest.raises(OSError, match="server down"):
            await asyncio.wait_for(waiter, timeout=2)
    down = False
    await _until(lambda: pool.available)  # its probe finds the server back
    async with pool.acquire(timeout=2) as conn:  # and the pool recovers when the server does
        assert not conn.is_closed()


async def test_a_waiter_queued_behind_a_cancelled_connect_gets_a_connection() -> None:
    async def connect():
        await asyncio.sleep(0.05)
        return _FakeConnection()

    pool = ConnectionPool(connect, min_size=0, max_size=1)  # type: ignore[arg-type]
    first = asyncio.ensure_future(pool.acquire_connection())
    await asyncio.sleep(0.01)
    second = asyncio.ensure_future(pool.acquire_connection())
    await asyncio.sleep(0.01)
    first.cancel()
    conn = await asyncio.wait_for(second, timeout=2)
    assert not conn.is_closed()
    assert pool.size == 1


async def test_a_connection_still_cancelling_a_command_is_terminated_not_lent() -> None:
    """Its transaction status is stale until the server answers: a cancelled `BEGIN; SELECT
    set_config(...)` may have run while the connection still reads as idle."""

    async def connect():
        return _FakeConnection()

    pool = ConnectionPool(connect, min_size=1, max_size=1)  # type: ignore[arg-type]
    await pool.open()
    conn: Any = await pool.acquire_connection()
    conn._protocol.cancelling = True
    pool.release(conn)
    assert conn.closed
    assert await pool.acquire_connection() is not conn


async def test_a_task_holding_a_connection_cannot_wait_for_a_second_one(pool: ConnectionPool, t: T) -> None:
    """With N tasks each holding one of N connections and waiting for another, nothing moves
    again: the second acquisition fails at once, naming the cause."""
    other = await create_pool(t.db.target.app, min_size=0, max_size=1)
    try:
        async with pool.acquire():
            with pytest.raises(SecondConnection, match="already holds a connection"):
                async with pool.acquire():
                    pass
            async with other.acquire() as conn:  # another pool is another resource
                assert await conn.fetchval("SELECT 1") == 1

            async def elsewhere() -> int:  # a task started before holding is unaffected
                async with pool.acquire() as conn:
                    return await conn.fetchval("SELECT 2")

        assert await asyncio.ensure_future(elsewhere()) == 2
        async with pool.acquire() as conn:  # released: this task may acquire again
            assert await conn.fetchval("SELECT 3") == 3
    finally:
        await other.close(timeout=1)


async def _until(condition: Any, seconds: float = 5) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 (polling the pool's state: it signals nothing)
            await asyncio.sleep(0.01)


def _forget_output(capsys: pytest.CaptureFixture[str]) -> None:
    flush_logs()
    capsys.readouterr()


async def test_the_first_statement_on_a_connection_that_died_idle_is_an_outage_that_ends_at_once(
    t: T, pool: ConnectionPool, capsys: pytest.CaptureFixture[str]
) -> None:
    """A connection whose server ended it while it sat idle, before the event loop noticed: it
    still reads as open, so it is lent, and its first statement fails. That failure reads as a
    lost connection (a 503 in a request, never a 500); the connection is terminated as it goes
    back; the outage it reports is logged once and ends as soon as a probe connects."""
    async with pool.acquire() as conn:
        pid = await _pid(conn)
    _forget_output(capsys)  # forget earlier output
    # Synchronously, so this loop cannot see the server's FATAL message and close before the query.
    with psycopg.connect(t.db.target.admin.render(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
    with pytest.raises(Exception) as raised:  # noqa: PT011 (which one depends on timing; all read as a loss)
        async with pool.acquire() as conn:
            assert not conn.is_closed()
            await conn.fetchval("SELECT 1")
    assert is_connection_loss(raised.value), repr(raised.value)
    assert conn.is_closed()
    await _until(lambda: pool.available)
    async with pool.acquire() as fresh:
        assert await _pid(fresh) != pid
        assert await fresh.fetchval("SELECT 1") == 1
    flush_logs()
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    assert sum("database_unavailable" in line for line in lines) == 1
    assert sum("database_available" in line for line in lines) == 1


async def test_while_the_server_is_down_callers_fail_at_once_and_one_probe_at_a_time_finds_it_back(
    capsys: pytest.CaptureFixture[str],
) -> None:
    attempts = 0
    down = True

    async def connect():
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0.01)
        if down:
            raise ConnectionRefusedError("connection refused")
        return _FakeConnection()

    pool = ConnectionPool(connect, min_size=0, max_size=4)  # type: ignore[arg-type]
    _forget_output(capsys)
    with pytest.raises(ConnectionRefusedError):
        await pool.acquire_connection()
    assert not pool.available
    for _ in range(100):  # no connection attempt per caller: the probe is on it
        with pytest.raises(ServerDown, match="connection refused"):
            await pool.acquire_connection()
    assert attempts == 1
    await _until(lambda: attempts >= 3)  # the probe keeps trying, one attempt at a time
    down = False
    await _until(lambda: pool.available)
    conn: Any = await pool.acquire_connection()
    assert not conn.closed
    assert attempts < 20
    pool.release(conn)
    flush_logs()
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    assert sum("database_unavailable" in line for line in lines) == 1
    assert sum("database_available" in line for line in lines) == 1
    await pool.close(timeout=1)


async def test_behind_a_pooler_the_outage_ends_when_the_server_answers_not_when_the_pooler_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """PgBouncer accepts connections while its server is down, and answers their first statement
    with an error ("server login has been failing"). A probe that took the open connection for
    the server's return would end the outage at once and log it again at the next request, a
    pair of lines per request: it waits for an answer."""
    down = True
    attempts = 0

    async def connect():
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0.01)
        if down:
            return _FakeConnection(
                asyncpg.ConnectionDoesNotExistError(
                    "connection was closed in the middle of operation: server login has been failing, try again later"
                )
            )
        return _FakeConnection()

    pool = ConnectionPool(connect, min_size=0, max_size=4)  # type: ignore[arg-type]
    _forget_output(capsys)
    pool.connection_lost(asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"))
    await _until(lambda: attempts >= 3)
    assert not pool.available  # connections opened, but no statement answered
    down = False
    await _until(lambda: pool.available)
    conn: Any = await pool.acquire_connection()
    assert not conn.closed
    pool.release(conn)
    flush_logs()
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    assert sum("database_unavailable" in line for line in lines) == 1
    assert sum("database_available" in line for line in lines) == 1
    await pool.close(timeout=1)


async def test_connections_lent_when_the_server_went_away_are_terminated_as_they_come_back() -> None:
    async def connect():
        return _FakeConnection()

    pool = ConnectionPool(connect, min_size=2, max_size=2)  # type: ignore[arg-type]
    await pool.open()
    lent: Any = await pool.acquire_connection()
    idle: Any = pool._idle[0]
    pool.connection_lost(ConnectionResetError("connection reset by peer"))
    assert idle.closed  # the idle ones broke with the server (or will, at their first statement)
    assert not lent.closed
    pool.release(lent)
    assert lent.closed
    await _until(lambda: pool.available)
    assert not (await pool.acquire_connection()).is_closed()
    await pool.close(timeout=1)


async def test_a_block_that_fails_with_a_lost_connection_reports_it_and_its_connection_is_not_reused() -> None:
    async def connect():
        return _FakeConnection()

    pool = ConnectionPool(connect, min_size=1, max_size=1)  # type: ignore[arg-type]
    await pool.open()
    conn: Any = None
    with pytest.raises(ConnectionResetError):
        async with pool.acquire() as conn:
            raise ConnectionResetError("connection reset by peer")
    assert conn.is_closed()
    assert not pool.available
    await _until(lambda: pool.available)
    with pytest.raises(ValueError, match="a bug"):
        async with pool.acquire() as conn:
            raise ValueError("a bug, not an outage")
    assert pool.available
    assert not conn.is_closed()
    await pool.close(timeout=1)


async def test_close_stops_the_probe() -> None:
    async def connect():
        raise ConnectionRefusedError("connection refused")

    pool = ConnectionPool(connect, min_size=0, max_size=1)  # type: ignore[arg-type]
    with pytest.raises(ConnectionRefusedError):
        await pool.acquire_connection()
    await pool.close(timeout=1)
    with pytest.raises(PoolClosed):
        await pool.acquire_connection()


@contextlib.asynccontextmanager
async def _capped_role(t: T, limit: int) -> AsyncIterator[Any]:
    """A role that may hold `limit` connections: the server says `too many connections` (SQLSTATE
    53300) past it, as a full `max_connections`, PgBouncer's cap or a managed server's does."""
    role = f"blossom_capped_{new_id('tst').split('_')[1]}"
    name, database = sql.Identifier(role), sql.Identifier(t.db.target.app.database)
    admin = t.db.target.admin
    with psycopg.connect(admin.render(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS CONNECTION LIMIT {}").format(name, sql.Literal(limit))
        )
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, name))
    try:
        yield t.db.target.app.with_user(role)
    finally:
        with psycopg.connect(admin.render(), autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,))
            conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM {}").format(database, name))
            conn.execute(sql.SQL("DROP ROLE {}").format(name))


async def test_at_the_servers_connection_limit_callers_wait_for_the_pools_own_connections(
    t: T, capsys: pytest.CaptureFixture[str]
) -> None:
    async with _capped_role(t, limit=2) as url:
        other_client = await asyncpg.connect(url.render())  # someone else holds one of the two
        pool = await create_pool(url, min_size=1, max_size=6)
        _forget_output(capsys)

        async def use() -> int:
            async with pool.acquire(timeout=10) as conn:
                return await conn.fetchval("SELECT 1 FROM pg_sleep(0.005)")

        results = await asyncio.gather(*(use() for _ in range(60)), return_exceptions=True)
        assert [r for r in results if r != 1] == []  # every caller served: none failed
        assert pool.available  # the limit is not an outage: nothing was dropped or doomed
        flush_logs()
        captured = capsys.readouterr()
        lines = (captured.out + captured.err).splitlines()
        limit_lines = [line for line in lines if "database_connection_limit" in line and "_cleared" not in line]
        assert len(limit_lines) == 1, lines
        assert not any("database_unavailable" in line for line in lines)

        await other_client.close()  # room again: the pool grows to serve the queue

        async def grown() -> None:
            while pool.size < 2:
                await asyncio.gather(*(use() for _ in range(20)))

        await asyncio.wait_for(grown(), timeout=30)
        await pool.close(timeout=1)


async def test_a_pool_with_no_connection_at_the_limit_waits_until_one_can_be_opened(t: T) -> None:
    async with _capped_role(t, limit=1) as url:
        pool = await create_pool(url, min_size=0, max_size=4)
        other_client = await asyncpg.connect(url.render())
        waiting = asyncio.ensure_future(pool.fetchval("SELECT 42", timeout=5))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # waiting, not failed
        await other_client.close()
        assert await asyncio.wait_for(waiting, timeout=5) == 42
        await pool.close(timeout=1)


async def test_a_wait_timeout_and_a_route_deadline_on_the_same_task_each_answer_their_own(pool: ConnectionPool) -> None:
    # The pool's waits and the dispatcher's route timeouts share the deadline ticker's way of
    # cancelling the task: whichever expires is the one that answers, the other is untouched.
    route = Deadlines()
    lent = [await pool.acquire_connection(), await pool.acquire_connection()]

    async def under_route_deadline(route_seconds: float, wait_seconds: float) -> str:
        task = route.watch(route_seconds)
        try:
            await pool.acquire_connection(timeout=wait_seconds)
            return "served"
        except PoolTimeout:
            return "pool timeout"
        except asyncio.CancelledError:
            if route.expired(task):
                return "route timeout"
            raise
        finally:
            route.expired(task)

    assert await asyncio.ensure_future(under_route_deadline(5, 0.05)) == "pool timeout"
    assert await asyncio.ensure_future(under_route_deadline(0.05, 5)) == "route timeout"
    for conn in lent:
        pool.release(conn)
    await asyncio.sleep(0.15)  # past both ticks: nothing cancels anything late
    assert pool.idle == 2
