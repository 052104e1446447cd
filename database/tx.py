"""Transactions, and transactions that carry the tenant context RLS policies read.

The context is set with `set_config(name, value, true)`: transaction-local, so it vanishes at
COMMIT or ROLLBACK and a pooled connection can never carry it into the next request. BEGIN and
the context travel in one simple-query message, so a tenant transaction costs no extra round
trip over a plain one. That is safe because both values are validated ids before being quoted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType

import asyncpg

from database.connect import PgConnection
from database.connection_pool import ConnectionPool
from foundation.ids import is_valid_id

USER_SETTING = "app.user_id"
ORG_SETTING = "app.org_id"


class TransactionAborted(RuntimeError):
    """COMMIT turned into ROLLBACK: a statement failed and its error was swallowed."""


def _context_literal(value: str | None, prefix: str) -> str:
    if value is None:
        return "''"
    if not is_valid_id(value, prefix):
        raise ValueError(f"tenant context needs a {prefix}_ id, got {value!r}")
    return f"'{value}'"  # ids are [a-z0-9_] only: nothing to escape


def _begin_sql(user_id: str | None, org_id: str | None, read_only: bool = False) -> str:
    """`read_only`: BEGIN READ ONLY (a read-only impersonation: PostgreSQL refuses any write)."""
    key = (user_id, org_id, read_only)
    sql = _begin_sql_cache.get(key)
    if sql is None:
        sql = ("BEGIN READ ONLY; SELECT" if read_only else "BEGIN; SELECT") + (
            f" set_config('{USER_SETTING}', {_context_literal(user_id, 'usr')}, true),"
            f" set_config('{ORG_SETTING}', {_context_literal(org_id, 'org')}, true)"
        )
        if len(_begin_sql_cache) >= _BEGIN_SQL_CACHE_SIZE:
            _begin_sql_cache.clear()
        _begin_sql_cache[key] = sql
    return sql


# Validated and rendered once per (user, org) pair that keeps coming back, not on every request.
# Only validated ids get in; the whole cache is dropped when full (cheaper than tracking use).
_BEGIN_SQL_CACHE_SIZE = 10_000
_begin_sql_cache: dict[tuple[str | None, str | None, bool], str] = {}


class _Transaction:
    """BEGIN (with the context) on enter; COMMIT on a clean exit, ROLLBACK on an exception.
    The connection is one the caller holds, or one `connection()` returns on enter (an RPC
    request's lease). `begin` None: the transaction is open already (`begin_tenant_transaction_where`)
    and this continues it. A class rather than a generator: it runs on every request that
    touches the database."""

    __slots__ = ("_begin", "_conn", "_connection")

    def __init__(
        self,
        conn: PgConnection | None,
        begin: str | None,
        connection: Callable[[], Awaitable[PgConnection]] | None = None,
    ) -> None:
        self._conn = conn
        self._begin = begin
        self._connection = connection

    async def __aenter__(self) -> PgConnection:
        conn = self._conn
        if conn is None:
            assert self._connection is not None
            conn = self._conn = await self._connection()
        if self._begin is None:
            return conn  # begun already, with its context
        if conn.is_in_transaction():
            raise RuntimeError("already in a transaction: nest with savepoints (conn.transaction()) instead")
        await conn.execute(self._begin)
        return conn

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn = self._conn
        if conn is None:  # no connection could be had, so nothing began
            return
        if exc_type is not None:
            if not conn.is_closed():
                try:
                    await conn.execute("ROLLBACK")
                except (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError):
                    # (InternalClientError: the server sent a FATAL error and is closing the connection.)
                    conn.terminate()  # the pool replaces it; never reuse a connection in an unknown state
            return
        status = await conn.execute("COMMIT")
        if status != "COMMIT":
            raise TransactionAborted("the transaction was rolled back because a statement in it failed")


def tenant_transaction_leased(
    connection: Callable[[], Awaitable[PgConnection]],
    *,
    user_id: str | None,
    org_id: str | None,
    read_only: bool = False,
) -> AbstractAsyncContextManager[PgConnection]:
    """A tenant transaction on the connection `connection()` returns when the transaction begins
    (`read_only`: BEGIN READ ONLY)."""
    return _Transaction(None, _begin_sql(user_id, org_id, read_only), connection)


async def begin_tenant_transaction_where(
    conn: PgConnection, *, user_id: str | None, org_id: str | None, condition: str
) -> AbstractAsyncContextManager[PgConnection] | None:
    """BEGIN and the tenant context in one round trip, the context set only if `condition` (a
    `source WHERE ...` for a FROM clause, yielding at most one row) yields a row: the open
    transaction, for an `async with` to continue (committed or rolled back like any), else None
    (rolled back). One statement checks and sets the context, so it is never set when the check
    fails. `condition` travels as text, like the context: every value in it must be a
    validated literal (ids, timestamps we render, hex digests), never a caller's text."""
    status = await conn.execute(f"{_begin_sql(user_id, org_id)} FROM {condition}")
    if status == "SELECT 1":
        return _Transaction(conn, None)
    await conn.execute("ROLLBACK")
    return None


def _transaction(conn: PgConnection, begin: str) -> _Transaction:
    return _Transaction(conn, begin)


@asynccontextmanager
async def transaction(pool: ConnectionPool) -> AsyncIterator[PgConnection]:
    """A plain transaction on a pooled connection: committed on success, rolled back on error."""
    async with pool.acquire() as conn, _transaction(conn, "BEGIN") as tx:
        yield tx


async def change_context(conn: PgConnection, *, user_id: str | None = None, org_id: str | None = None) -> None:
    """Inside an open transaction, act for another user or organization from here on (a public
    route acting for the user it just identified; creating an organization). Transaction-local
    like the context BEGIN set; the ids are validated the same way."""
    if not conn.is_in_transaction():
        raise RuntimeError("the tenant context lives in a transaction: open one first")
    if user_id is not None:
        await conn.execute(f"SELECT set_config('{USER_SETTING}', {_context_literal(user_id, 'usr')}, true)")
    if org_id is not None:
        await conn.execute(f"SELECT set_config('{ORG_SETTING}', {_context_literal(org_id, 'org')}, true)")


def tenant_transaction_on(
    conn: PgConnection, *, user_id: str | None, org_id: str | None
) -> AbstractAsyncContextManager[PgConnection]:
    """A tenant transaction on a connection the caller already holds (the request's lease)."""
    return _transaction(conn, _begin_sql(user_id, org_id))


@asynccontextmanager
async def tenant_transaction(
    pool: ConnectionPool,
    *,
    user_id: str | None,
    org_id: str | None,
    timeout: float | None = None,
    read_only: bool = False,
) -> AsyncIterator[PgConnection]:
    """A transaction whose RLS context is `user_id` and `org_id` (None: no such context);
    `timeout`: how long to wait for a connection (`PoolTimeout` after it); `read_only`: BEGIN
    READ ONLY."""
    begin = _begin_sql(user_id, org_id, read_only)
    async with pool.acquire(timeout=timeout) as conn, _transaction(conn, begin) as tx:
        yield tx
