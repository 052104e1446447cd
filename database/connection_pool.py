"""A fixed-size pool of asyncpg connections, lean on the path every request takes.

Why not asyncpg's own pool: counted with callgrind, its acquire and release cost about 120,000
instructions per request (a task per release for `asyncio.shield`, a proxy object per acquire,
an inactivity timer re-armed on every release, a reset hook), a third of everything a cheap
organization route does in-process. This pool hands out the connections themselves: acquire pops
an idle one, release is synchronous.

Rules:
- at most `max_size` connections, `min_size` opened by `open()`, more opened on demand;
- when all are in use, callers wait first come, first served (with an optional timeout, kept by
  the shared deadline ticker of foundation/deadlines.py: no loop timer per wait, up to 50 ms late);
- a connection that comes back closed or inside a transaction is terminated, never reused; a
  waiting caller gets a fresh one;
- connections carry no session state (the tenant context is transaction-local), so nothing is
  reset on release;
- a task that holds a connection (`async with pool.acquire()`) cannot acquire a second one from
  the same pool: with N tasks each holding one of N connections and waiting for another, nothing
  moves again. It raises `SecondConnection` at once instead;
- when the server goes away (a connection cannot be opened, or one breaks: `connection_lost`),
  the pool logs it once (`database.outage`), drops its idle connections and terminates the lent
  ones as they come back (all broke with the server, or will fail at their first statement),
  and probes for the server's return in the background, one attempt at a time with a short
  backoff. Meanwhile a caller that needs a new connection gets `ServerDown` at once. The first
  probe that connects ends the outage (logged once) and its connection serves the next caller;
- when the server refuses a new connection because it has no slot left (SQLSTATE 53300: its
  `max_connections`, a role's or database's limit, a pooler's cap), that is no outage: the
  pool's own connections still work. The caller waits for one of them to come back (bounded by
  its timeout or the request's deadline), the limit is logged once, and while callers wait one
  background attempt at a time (with backoff) opens a new connection for them when a slot frees.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections import deque
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import asyncpg

from database.outage import (
    FIRST_PROBE_DELAY_SECONDS,
    MAX_PROBE_DELAY_SECONDS,
    ConnectionLimit,
    Outage,
    at_connection_limit,
    is_connection_loss,
)
from foundation.deadlines import Deadlines

Connect = Callable[[], Awaitable[asyncpg.Connection]]


class PoolClosed(asyncpg.InterfaceError):
    pass


class ServerDown(ConnectionError):
    """The pool's server is unreachable: no connection is attempted for the caller while the pool
    probes for its return (the reason is the last failure's)."""


class PoolTimeout(TimeoutError):
    """No connection came free within the caller's timeout (every one busy, or the server full)."""


class SecondConnection(RuntimeError):
    """A task asked for a second connection from a pool it already holds one of (a bug)."""


# The pools whose connections the current task holds through `acquire()` (usually none or one).
_held: contextvars.ContextVar[tuple[ConnectionPool, ...]] = contextvars.ContextVar("blossom_pools_held", default=())


def _unsafe_to_reuse(conn: asyncpg.Connection) -> bool:
    # A command cancelled mid-flight (its task was cancelled) leaves the protocol waiting for the
    # server's answer, and asyncpg's transaction status stale: a cancelled `BEGIN; SELECT
    # set_config(...)` may have run on the server while the connection still reads as idle, and
    # the next caller would inherit that transaction and its tenant context. asyncpg has no
    # public check for this state; its own pool waits it out and resets, we terminate.
    return (
        conn.is_closed() or conn.is_in_transaction() or conn._protocol._is_cancelling()  # pyright: ignore[reportAttributeAccessIssue]
    )


class ConnectionPool:
    __slots__ = (
        "_all_back",
        "_closed",
        "_connect",
        "_deadlines",
        "_doomed",
        "_idle",
        "_lent",
        "_limit",
        "_max_size",
        "_min_size",
        "_opening",
        "_outage",
        "_prober",
        "_replacing",
        "_retrier",
        "_waiters",
    )

    def __init__(self, connect: Connect, *, min_size: int = 1, max_size: int = 10, server: str = "database") -> None:
        """`server` names where `connect` goes, for the outage log lines."""
        if max_size < 1 or not 0 <= min_size <= max_size:
            raise ValueError(f"need 0 <= min_size <= max_size and max_size >= 1, got {min_size} and {max_size}")
        self._connect = connect
        self._min_size = min_size
        self._max_size = max_size
        self._idle: deque[asyncpg.Connection] = deque()
        self._lent: set[asyncpg.Connection] = set()
        self._opening = 0
        self._waiters: deque[asyncio.Future[asyncpg.Connection]] = deque()
        self._deadlines = Deadlines()  # the waits with a timeout (a pool serves one event loop)
        self._closed = False
        self._replacing: set[asyncio.Task[None]] = set()
        self._all_back: asyncio.Event | None = None  # set when the last lent connection is back after close()
        self._outage = Outage(server)
        self._prober: asyncio.Task[None] | None = None  # while the server is down
        self._doomed: set[asyncpg.Connection] = set()  # lent when the server went away: terminate on return
        self._limit = ConnectionLimit(server)
        self._retrier: asyncio.Task[None] | None = None  # while callers wait at the connection limit

    @property
    def size(self) -> int:
        """Connections open or being opened."""
        return len(self._idle) + len(self._lent) + self._opening

    @property
    def idle(self) -> int:
        return len(self._idle)

    @property
    def available(self) -> bool:
        """False from a lost connection until a probe connects again."""
        return not self._outage.down

    async def open(self) -> None:
        """Open `min_size` connections; on failure close what was opened and raise."""
        try:
            for _ in range(self._min_size):
                self._opening += 1
                try:
                    self._idle.append(await self._connect())
                finally:
                    self._opening -= 1
        except BaseException:
            self.terminate()
            raise

    async def _new(self) -> asyncpg.Connection:
        if self._outage.down:
            raise self._server_down()
        self._opening += 1
        try:
            return await self._connect()
        except Exception as error:
            if not at_connection_limit(error):
                self.connection_lost(error)
            raise
        finally:
            self._opening -= 1

    def _server_down(self) -> ServerDown:
        return ServerDown(f"the database is unreachable ({self._outage.reason}); retrying in the background")

    def acquire(self, *, timeout: float | None = None) -> _Acquire:
        """`async with pool.acquire() as conn:`; released when the block ends."""
        return _Acquire(self, timeout)

    async def acquire_connection(self, *, timeout: float | None = None) -> asyncpg.Connection:
        """A connection for the caller alone, until it hands it back with `release`."""
        if self._closed:
            raise PoolClosed("the connection pool is closed")
        idle = self._idle
        while idle:
            conn = idle.pop()  # the most recently used: its caches and the server's are warm
            if not conn.is_closed():
                self._lent.add(conn)
                return conn
        if self.size < self._max_size and not self._waiters and not self._limit.reached:
            try:
                conn = await self._new()
            except Exception as error:
                if not at_connection_limit(error):
                    self._wake_waiters()  # someone may have queued behind this connection
                    raise
                self._limit_reached(error)  # wait below for one of ours, or a slot
            except BaseException:
                self._wake_waiters()
                raise
            else:
                if self._closed:
                    conn.terminate()
                    raise PoolClosed("the connection pool is closed")
                self._lent.add(conn)
                return conn
        waiter: asyncio.Future[asyncpg.Connection] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._wake_waiters()  # room for another connection: open it for the queue
        try:
            if timeout is None:
                return await waiter
            # Under load most requests wait here: a shared ticker, not a loop timer per wait.
            task = self._deadlines.watch(timeout)
            try:
                return await waiter
            except asyncio.CancelledError:
                if self._deadlines.expired(task):
                    raise PoolTimeout(f"no database connection came free within {timeout} s") from None
                raise
            finally:
                self._deadlines.expired(task)
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release(waiter.result())  # handed over just as we gave up: pass it on
            else:
                waiter.cancel()  # skipped by whoever would have served it
            raise

    def release(self, conn: asyncpg.Connection) -> None:
        """Hand a connection back: to the longest waiting caller, else to the idle set."""
        if conn not in self._lent:
            return  # released twice, or the pool was terminated meanwhile (and it with it)
        self._lent.remove(conn)
        if self._closed and not self._lent and self._all_back is not None:
            self._all_back.set()
        if self._closed or _unsafe_to_reuse(conn) or (self._doomed and conn in self._doomed):
            self._doomed.discard(conn)
            conn.terminate()
            self._wake_waiters()
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._lent.add(conn)
                waiter.set_result(conn)
                return
        self._idle.append(conn)

    def _wake_waiters(self) -> None:
        """Open connections for waiting callers while there is room: waiters are otherwise woken
        only by releases, and a connection terminated or never opened releases nothing."""
        if self._closed or self.size >= self._max_size:  # the usual case: wait for a release
            return
        if self._outage.down:  # no connection until a probe gets one: answer now, not at a timeout
            self._fail_waiters(self._server_down())
            return
        if self._limit.reached:  # one attempt at a time, in the background, while callers wait
            self._start_retrier()
            return
        waiting = sum(1 for waiter in self._waiters if not waiter.done())
        for _ in range(min(waiting - len(self._replacing), self._max_size - self.size)):
            self._opening += 1  # counted at once, so the next check sees it
            task = asyncio.get_running_loop().create_task(self._open_for_waiter())
            self._replacing.add(task)  # the loop keeps only a weak reference to a task
            task.add_done_callback(self._replacing.discard)

    async def _open_for_waiter(self) -> None:
        try:
            conn = await self._connect()
        except Exception as error:  # noqa: BLE001 (not swallowed: every waiter raises it)
            self._opening -= 1
            if at_connection_limit(error):  # the server is full, not gone: the waiters keep waiting
                self._limit_reached(error)
                return
            # The server is unreachable: waiting callers hear it now instead of waiting for a
            # release that may never come.
            self.connection_lost(error)
            self._fail_waiters(error)
            return
        except BaseException:
            self._opening -= 1
            raise
        self._opening -= 1
        self._lent.add(conn)
        self.release(conn)

    def _limit_reached(self, error: BaseException) -> None:
        self._limit.hit(error, holding=len(self._idle) + len(self._lent))
        self._start_retrier()

    def _start_retrier(self) -> None:
        if self._retrier is None and not self._closed:
            # A context of its own: its log lines are not the request's that started it.
            self._retrier = asyncio.get_running_loop().create_task(
                self._retry_at_limit(), context=contextvars.Context()
            )

    async def _retry_at_limit(self) -> None:
        """While callers wait at the connection limit, try one connection at a time (waiting longer
        after each refusal) until one opens; it goes to the longest waiting caller."""
        delay = FIRST_PROBE_DELAY_SECONDS
        try:
            while True:
                await asyncio.sleep(delay)
                if self._closed or self.size >= self._max_size or not any(not w.done() for w in self._waiters):
                    return  # nobody needs a new connection now (the limit stays noted)
                self._opening += 1
                try:
                    conn = await self._connect()
                except Exception as error:  # noqa: BLE001 (a refusal is the limit; anything else an outage)
                    self._opening -= 1
                    if at_connection_limit(error):
                        delay = min(delay * 2, MAX_PROBE_DELAY_SECONDS)
                        continue
                    self._limit.forget()
                    self.connection_lost(error)
                    self._fail_waiters(error)
                    return
                except BaseException:
                    self._opening -= 1
                    raise
                self._opening -= 1
                break
        finally:
            self._retrier = None
        self._limit.cleared()
        if self._closed:
            conn.terminate()
            return
        self._lent.add(conn)
        self.release(conn)  # to the longest waiting caller
        self._wake_waiters()  # more may be waiting: open for them while there is room

    def _fail_waiters(self, error: BaseException) -> None:
        waiters, self._waiters = self._waiters, deque()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(error)

    def connection_lost(self, error: BaseException) -> None:
        """Report a failure that may mean the server is gone (`is_connection_loss`, or a failed
        connection attempt). The first report of an outage logs it, drops the idle connections,
        marks the lent ones for termination when they come back, and starts probing for the
        server; later reports only update the reason. Callers of `acquire` need not report: a
        block that raises such an error reports it itself."""
        if self._closed or not self._outage.failed(error):
            return
        self._limit.forget()  # whatever limit there was went with the server
        idle, self._idle = self._idle, deque()
        for conn in idle:
            conn.terminate()
        self._doomed.update(self._lent)
        # A context of its own: the probe's log lines are not the reporting request's.
        self._prober = asyncio.get_running_loop().create_task(self._probe(), context=contextvars.Context())

    async def _probe(self) -> None:
        """Try one connection at a time until one opens and answers; then the outage is over. (A
        pooler such as PgBouncer accepts connections while its server is down: only an answer
        says the server is back.)"""
        delay = FIRST_PROBE_DELAY_SECONDS
        while True:
            await asyncio.sleep(delay)
            if self._closed:
                return
            self._opening += 1
            try:
                conn = await self._connect()
                try:
                    await conn.execute("SELECT 1")  # the simple query protocol: no statement left behind
                except BaseException:
                    conn.terminate()
                    raise
            except Exception as error:  # noqa: BLE001 (recorded as the outage's reason)
                self._outage.failed(error)
                delay = min(delay * 2, MAX_PROBE_DELAY_SECONDS)
                continue
            finally:
                self._opening -= 1
            break
        self._prober = None
        self._outage.recovered()
        if self._closed or self.size >= self._max_size:
            conn.terminate()
            return
        self._lent.add(conn)
        self.release(conn)  # to a waiter, else idle for the next caller
        self._wake_waiters()

    async def close(self, *, timeout: float = 10) -> None:
        """Stop lending; close idle connections, wait up to `timeout` seconds for lent ones to
        come back (they are closed as they do), then terminate the rest."""
        self._closed = True
        self._fail_waiters(PoolClosed("the connection pool is closed"))
        for task in (self._prober, self._retrier):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._prober = self._retrier = None
        idle, self._idle = list(self._idle), deque()
        await asyncio.gather(*(conn.close(timeout=timeout) for conn in idle), return_exceptions=True)
        if self._lent:
            if self._all_back is None:  # a second close() waits on the same event
                self._all_back = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._all_back.wait()
        self.terminate()

    def terminate(self) -> None:
        """Close every connection now, lent or idle, without waiting."""
        self._closed = True
        for task in (self._prober, self._retrier):
            if task is not None:
                task.cancel()
        self._prober = self._retrier = None
        for conn in [*self._idle, *self._lent]:
            conn.terminate()
        self._idle.clear()
        self._lent.clear()
        self._doomed.clear()

    # Single statements on a connection of their own (tests, scripts).
    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        async with self.acquire() as conn:
            return await conn.execute(query, *args, timeout=timeout)

    async def fetch(self, query: str, *args: Any, timeout: float | None = None) -> list[asyncpg.Record]:
        async with self.acquire() as conn:
            return await conn.fetch(query, *args, timeout=timeout)

    async def fetchrow(self, query: str, *args: Any, timeout: float | None = None) -> asyncpg.Record | None:
        async with self.acquire() as conn:
            return await conn.fetchrow(query, *args, timeout=timeout)

    async def fetchval(self, query: str, *args: Any, column: int = 0, timeout: float | None = None) -> Any:
        async with self.acquire() as conn:
            return await conn.fetchval(query, *args, column=column, timeout=timeout)


class _Acquire:
    """The `async with` of `ConnectionPool.acquire`: a class, not a generator, since every
    request enters one."""

    __slots__ = ("_conn", "_pool", "_timeout", "_token")

    def __init__(self, pool: ConnectionPool, timeout: float | None) -> None:
        self._pool = pool
        self._timeout = timeout
        self._conn: asyncpg.Connection | None = None
        self._token: contextvars.Token[tuple[ConnectionPool, ...]] | None = None

    async def __aenter__(self) -> asyncpg.Connection:
        held = _held.get()
        if self._pool in held:
            raise SecondConnection(
                "this task already holds a connection from this pool; use that one (in a request: req.db). "
                "Waiting for a second can deadlock the pool"
            )
        self._conn = await self._pool.acquire_connection(timeout=self._timeout)
        self._token = _held.set((*held, self._pool))
        return self._conn

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn, self._conn = self._conn, None
        token, self._token = self._token, None
        if token is not None:
            try:
                _held.reset(token)
            except ValueError:  # released from another context than it was acquired in
                _held.set(tuple(p for p in _held.get() if p is not self._pool))
        if conn is not None:
            if exc is not None and is_connection_loss(exc):
                self._pool.connection_lost(exc)  # this connection is terminated as it goes back
            self._pool.release(conn)
