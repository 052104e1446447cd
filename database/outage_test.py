"""Which failures read as a lost server (503, logged once) and which as a bug (500)."""

import asyncpg
import pytest

from database.app_database import AppDatabase
from database.connect import DatabaseUnreachable
from database.connection_pool import PoolClosed, PoolTimeout, ServerDown
from database.outage import at_connection_limit, is_connection_loss
from foundation.settings import load_settings


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.CrashShutdownError("terminating connection because of crash of another server process"),
        asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
        asyncpg.InternalClientError("cannot switch to state 11; another operation (2) is in progress"),
        ConnectionRefusedError(111, "Connection refused"),
        ConnectionResetError(104, "Connection reset by peer"),
        BrokenPipeError(32, "Broken pipe"),
        ServerDown("the database is unreachable"),
    ],
)
def test_a_lost_server_reads_as_a_connection_loss(error: BaseException) -> None:
    assert is_connection_loss(error)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.UniqueViolationError("duplicate key"),
        asyncpg.QueryCanceledError("canceling statement due to statement timeout"),  # 57014, not 57P
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),  # misuse
        asyncpg.OutdatedSchemaCacheError("cache lookup failed"),
        PoolClosed("the connection pool is closed"),  # shutting down: 503 too, but no outage
        TimeoutError(),  # a pool acquire that waited too long: busy, not gone
        RuntimeError("a bug"),
    ],
)
def test_a_failed_statement_or_a_bug_does_not(error: BaseException) -> None:
    assert not is_connection_loss(error)


def test_a_refused_connection_for_want_of_a_slot_is_the_limit_not_an_outage() -> None:
    refused = asyncpg.TooManyConnectionsError('too many connections for role "x"')
    wrapped = DatabaseUnreachable("cannot reach PostgreSQL at ...: too many connections")
    wrapped.__cause__ = refused  # as database.connect raises it
    assert at_connection_limit(refused) and at_connection_limit(wrapped)
    assert not is_connection_loss(refused)
    assert not at_connection_limit(ConnectionRefusedError(111, "Connection refused"))


def test_a_request_that_waited_too_long_for_a_connection_is_503_busy_and_reports_no_outage() -> None:
    database = AppDatabase(load_settings({}))
    answer = database.unavailable(PoolTimeout("no database connection came free within 10.0 s"))
    assert answer is not None and answer.status == 503 and answer.message == "the database is busy"
