"""Connections and pools, with one clear line when the server cannot be reached."""

from __future__ import annotations

import asyncio
import socket
from typing import Any, Protocol, TypeAlias

import asyncpg

from database.connection_pool import ConnectionPool
from database.target import PgUrl
from foundation.errors import ConfigurationError

CONNECT_TIMEOUT_SECONDS = 10


# A real connection: its own, or one borrowed from a pool (pools lend connections themselves).
PgConnection: TypeAlias = asyncpg.Connection


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


async def create_pool(url: PgUrl, *, min_size: int = 1, max_size: int = 10, **kwargs: Any) -> ConnectionPool:
    """An open pool of connections to `url` (`kwargs` go to every `asyncpg.connect`)."""
    pool = ConnectionPool(
        lambda: connect(url, **kwargs), min_size=min_size, max_size=max_size, server=f"{url.where} {url.database}"
    )
    await pool.open()
    return pool
