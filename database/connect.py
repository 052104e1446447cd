"""Connections and pools, with one clear line when the server cannot be reached."""

from __future__ import annotations

import asyncio
import socket
from typing import Any, Protocol, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from database.target import PgUrl
from foundation.errors import ConfigurationError

CONNECT_TIMEOUT_SECONDS = 10


# A real connection: its own, or one borrowed from a pool.
PgConnection: TypeAlias = asyncpg.Connection | PoolConnectionProxy


class DbConnection(Protocol):
    """What query code accepts: an asyncpg connection, one borrowed from a pool, or an RPC
    request's lazily opened transaction (`req.db`)."""

    async def fetch(self, query: str, *args: Any, timeout: float | None = None) -> list[Any]: ...

    async def fetchrow(self, query: str, *args: Any, timeout: float | None = None) -> Any: ...

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str: ...


class DatabaseUnreachable(ConfigurationError):
    """The server, database or role named by a URL did not answer; the message names where."""


def unreachable(url: PgUrl, reason: object) -> DatabaseUnreachable:
    return DatabaseUnreachable(
        f"cannot reach PostgreSQL at {url.where} (database {url.database!r}, user {url.user!r}): {reason}"
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT_SECONDS} s"
    return str(exc).strip() or type(exc).__name__


_CONNECT_ERRORS = (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


async def connect(url: PgUrl, **kwargs: Any) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(url.render(), timeout=CONNECT_TIMEOUT_SECONDS, **kwargs)
    except _CONNECT_ERRORS as exc:
        raise unreachable(url, _reason(exc)) from exc


async def _reset_on_release(conn: asyncpg.Connection) -> None:
    """What a released connection needs before its next user. Our code keeps no session state:
    the tenant context is transaction-local and every transaction ends before release, so the
    round trip asyncpg's default reset spends (`RESET ALL; UNLISTEN *; …`) buys nothing. A
    connection somehow released mid-transaction is rolled back."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def create_pool(url: PgUrl, *, min_size: int = 1, max_size: int = 10, **kwargs: Any) -> asyncpg.Pool:
    try:
        pool = await asyncpg.create_pool(
            url.render(),
            min_size=min_size,
            max_size=max_size,
            timeout=CONNECT_TIMEOUT_SECONDS,
            reset=_reset_on_release,
            **kwargs,
        )
    except _CONNECT_ERRORS as exc:
        raise unreachable(url, _reason(exc)) from exc
    assert pool is not None
    return pool
