"""Database outages: telling a lost server from a bug (or from a full one), and saying so once.

While PostgreSQL is unreachable every request that needs it fails the same way; logging each
one (with its traceback) buried everything else. A pool keeps an `Outage` beside it instead:
the first failure logs `database_unavailable` (with the reason), the first connection that
works again logs `database_available` (with how long it lasted), and nothing in between.
"""

from __future__ import annotations

import time

import asyncpg

from foundation.logging import get_logger

# What a 503 tells clients to wait before trying again. The pool probes for the server's return
# at least every `MAX_PROBE_DELAY_SECONDS`, so a client waiting this long finds it back.
RETRY_AFTER_SECONDS = 1
# While the server is down the pool tries one connection at a time, waiting longer after each
# failure (so a dead server is not hammered) but never longer than this (so a server that is
# back is used again within a second).
FIRST_PROBE_DELAY_SECONDS = 0.05
MAX_PROBE_DELAY_SECONDS = 0.5

log = get_logger("blossom.database")


def is_connection_loss(error: BaseException) -> bool:
    """True when `error` says the connection broke or the server went away, not that a statement
    failed or the code is wrong: the server shutting down or restarting (SQLSTATE class 57P), a
    connection exception (class 08: refused, reset, closed mid-operation), a socket error, a
    connection already closed, or a connection left mid-protocol by a FATAL message the server
    sent just before closing it ("another operation is in progress")."""
    if isinstance(error, asyncpg.PostgresError):
        sqlstate = getattr(error, "sqlstate", None) or ""
        return sqlstate.startswith(("08", "57P"))
    if isinstance(error, asyncpg.InterfaceError):
        return str(error).endswith("connection is closed")
    if isinstance(error, asyncpg.InternalClientError):
        return "another operation" in str(error)
    if isinstance(error, OSError):
        # asyncio's own timeouts (an acquire that waited too long) are TimeoutErrors without an
        # errno: a busy pool, not a lost server.
        return not (isinstance(error, TimeoutError) and error.errno is None)
    return False


# SQLSTATE 53300: the server (max_connections), the role or the database has no connection slot
# left, as managed servers with a connection cap answer too. PgBouncer refuses a client over its
# max_client_conn (or a per-database or per-user cap) with a protocol violation (08P01) and a
# message of its own instead.
_TOO_MANY_CONNECTIONS = "53300"
_POOLER_FULL = ("no more connections allowed", "client connections exceeded")


def at_connection_limit(error: BaseException) -> bool:
    """True when a connection attempt failed only because the server has no slot for it: the
    server is up and the pool's own connections still work, so callers should wait for one."""
    seen: BaseException | None = error
    while seen is not None:
        sqlstate = getattr(seen, "sqlstate", None)
        if sqlstate == _TOO_MANY_CONNECTIONS:
            return True
        if sqlstate == "08P01" and str(seen).lower().startswith(_POOLER_FULL):
            return True
        seen = seen.__cause__
    return False


def describe(error: BaseException) -> str:
    if isinstance(error, asyncpg.InternalClientError):
        return f"the server ended the connection ({error})"
    return str(error).strip() or type(error).__name__


class Outage:
    """Whether the server of one pool answers; one log line per change of mind."""

    __slots__ = ("_server", "reason", "since")

    def __init__(self, server: str) -> None:
        self._server = server
        self.since: float | None = None  # time.monotonic() of the first failure; None: up
        self.reason = ""

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException) -> bool:
        """Record a failure; True when it starts an outage (and was logged)."""
        self.reason = describe(error)
        if self.since is not None:
            return False
        self.since = time.monotonic()
        log.warning("database_unavailable", server=self._server, reason=self.reason)
        return True

    def recovered(self) -> None:
        if self.since is None:
            return
        seconds = time.monotonic() - self.since
        self.since = None
        log.info("database_available", server=self._server, outage_seconds=round(seconds, 3))


class ConnectionLimit:
    """Whether the pool's server refuses it more connections; one log line when it starts (with
    how many the pool holds) and one when a new connection opens again, nothing in between."""

    __slots__ = ("_server", "since")

    def __init__(self, server: str) -> None:
        self._server = server
        self.since: float | None = None

    @property
    def reached(self) -> bool:
        return self.since is not None

    def hit(self, error: BaseException, *, holding: int) -> bool:
        """Record a refused connection; True when it starts an episode (and was logged)."""
        if self.since is not None:
            return False
        self.since = time.monotonic()
        log.warning("database_connection_limit", server=self._server, reason=describe(error), holding=holding)
        return True

    def forget(self) -> None:
        """The server went away instead (an outage, logged as such)."""
        self.since = None

    def cleared(self) -> None:
        if self.since is None:
            return
        seconds = time.monotonic() - self.since
        self.since = None
        log.info("database_connection_limit_cleared", server=self._server, seconds=round(seconds, 3))
