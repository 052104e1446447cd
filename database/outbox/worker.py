"""The outbox worker: delivers what transactions wrote to the outbox, after they committed.

One runs inside each app process (`attach(app)`: started when the app starts serving, after the
pool opens; stopped before the pool closes). It wakes when the doorbell rings (a request that
wrote to the outbox has committed) and every `poll_seconds` besides (rows from other processes,
rows whose retry came due, rows a crashed worker had leased).

A pass claims due rows in a short transaction of its own (`app_outbox_claim`: a lease, taken
with FOR UPDATE SKIP LOCKED), gives the connection back, runs each row's handler (the mail server
is talked to holding no connection), then completes or fails the row in another short
transaction. A failure is retried after an exponential backoff with jitter, up to
`RetryPolicy.max_attempts`; the last error is kept on the row.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass

from database import queries as shared_queries
from database.connect import DatabaseUnreachable, PgConnection
from database.connection_pool import ConnectionPool, PoolClosed, ServerDown
from database.outage import is_connection_loss
from database.outbox import queries
from database.tx import transaction
from foundation.logging import get_logger
from foundation.time import Clock
from foundation.web import WebApp

log = get_logger("blossom.outbox")
PRUNE_INTERVAL = dt.timedelta(hours=1)
PRUNE_ROWS = 1000


@dataclass(frozen=True)
class Job:
    """A claimed outbox row. `attempts` counts this one; with `id` it names the claim."""

    id: str
    kind: str
    payload: object
    attempts: int


@dataclass(frozen=True)
class Delivery:
    """What a handler gets: the job, the pool for short transactions of its own, and the time."""

    job: Job
    pool: ConnectionPool
    now: dt.datetime

    async def complete_in(self, conn: PgConnection) -> None:
        """Mark this job delivered inside the caller's transaction, so that the handler's own
        writes (a token, a follow-up row) and the completion commit together or not at all.
        Raises ClaimLost (rolling those writes back) when another worker has claimed it since."""
        done = await queries.complete_outbox(conn, id=self.job.id, attempts=self.job.attempts, now=self.now)
        if done is None or not done.completed:
            raise ClaimLost(f"outbox row {self.job.id} was claimed again after this claim's lease ran out")


class ClaimLost(RuntimeError):
    """The lease ran out and the row was claimed again: this claim's work must not commit."""


# Raises to fail the attempt (retried later); returns when the side effect happened.
Handler = Callable[[Delivery], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with "equal jitter": attempt n waits between half and all of
    min(cap, base * 2**(n-1)), so retries of many rows spread out instead of stampeding."""

    max_attempts: int = 8
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0

    def retry_delay(self, attempts: int, jitter: float) -> dt.timedelta | None:
        """`jitter` in [0, 1]; None once `attempts` reached the maximum (give up)."""
        if attempts >= self.max_attempts:
            return None
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** (attempts - 1))
        return dt.timedelta(seconds=ceiling / 2 + jitter * ceiling / 2)


class Doorbell:
    """Rung after a commit that wrote to the outbox; the worker waits on it between passes."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ring(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        self._event.clear()


class OutboxWorker:
    def __init__(
        self,
        pool: Callable[[], ConnectionPool],
        handlers: Mapping[str, Handler],
        *,
        clock: Clock,
        doorbell: Doorbell | None = None,
        policy: RetryPolicy | None = None,
        poll_seconds: float = 5.0,
        batch: int = 5,
        lease: dt.timedelta = dt.timedelta(minutes=5),
        jitter: Callable[[], float] = random.random,
        monotonic: Callable[[], float] = time.monotonic,
        retention: dt.timedelta = dt.timedelta(days=14),
    ) -> None:
        """`pool()`: the outbox role's pool once it is open. Each delivery is cut off after
        lease / (batch + 1), so a whole batch ends inside its claim's lease."""
        self._pool = pool
        self._handlers = dict(handlers)
        self._clock = clock
        self.doorbell = doorbell or Doorbell()
        self.policy = policy or RetryPolicy()
        self._poll_seconds = poll_seconds
        self._batch = batch
        self._lease = lease
        self._jitter = jitter
        self._monotonic = monotonic  # how long a batch has been held (real time, not business time)
        # Finished rows (recipient and subject; the body is already cleared) are removed after
        # `retention`, a bounded batch at most once an hour.
        self._retention = retention
        self._pruned_at: dt.datetime | None = None
        self._pass = asyncio.Lock()  # one pass at a time per worker (the loop, or a test's drain)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def run_once(self) -> int:
        """Deliver every row due now, until none is left (rows a handler queued included); how
        many rows were handled."""
        async with self._pass:
            handled = 0
            while not self._stopping:
                claimed_at = self._monotonic()
                jobs = await self._claim()
                if not jobs:
                    break
                for index, job in enumerate(jobs):
                    if self._monotonic() - claimed_at > self._lease.total_seconds() * 0.9:
                        # Too close to the lease's end: another worker may claim the rest now, and
                        # sending them too could deliver a message twice. They come back later.
                        log.warning("outbox_lease_running_out", left=len(jobs) - index)
                        return handled + index
                    await self._handle(job)
                handled += len(jobs)
            await self._prune_now_and_then()
            return handled

    async def _prune_now_and_then(self) -> None:
        now = self._clock.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_INTERVAL:
            return
        self._pruned_at = now
        async with transaction(self._pool()) as conn:
            pruned = await queries.prune_outbox(conn, before=now - self._retention, max_rows=PRUNE_ROWS)
            # Expired idempotency records too: the same kind of chore, for the same role.
            expired = await shared_queries.prune_idempotency_keys(conn, max_rows=PRUNE_ROWS)
        if pruned is not None and pruned.removed:
            log.info("outbox_pruned", rows=pruned.removed)
        if expired is not None and expired.removed:
            log.info("idempotency_keys_pruned", rows=expired.removed)

    async def _claim(self) -> list[Job]:
        now = self._clock.now()
        async with transaction(self._pool()) as conn:
            rows = await queries.claim_outbox(conn, now=now, locked_until=now + self._lease, max_rows=self._batch)
        return [Job(r.id, r.kind, r.payload, r.attempts) for r in rows]

    async def _handle(self, job: Job) -> None:
        handler = self._handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no outbox handler for {job.kind!r} in this process")
            # The whole delivery is bounded (an SMTP timeout bounds each command, not a message).
            async with asyncio.timeout(self._lease.total_seconds() / (self._batch + 1)):
                await handler(Delivery(job, self._pool(), self._clock.now()))
        except Exception as error:  # noqa: BLE001 (any failure is recorded on the row and retried)
            await self._fail(job, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
            return
        async with transaction(self._pool()) as conn:
            done = await queries.complete_outbox(conn, id=job.id, attempts=job.attempts, now=self._clock.now())
        if done is None or not done.completed:
            log.warning("outbox_lost_claim", id=job.id, kind=job.kind, attempts=job.attempts)
            return
        log.info("outbox_delivered", id=job.id, kind=job.kind, attempts=job.attempts)

    async def _fail(self, job: Job, error: str) -> None:
        delay = self.policy.retry_delay(job.attempts, self._jitter())
        retry_at = None if delay is None else self._clock.now() + delay
        async with transaction(self._pool()) as conn:
            await queries.fail_outbox(conn, id=job.id, attempts=job.attempts, error=error, retry_at=retry_at)
        if retry_at is None:
            log.error("outbox_gave_up", id=job.id, kind=job.kind, attempts=job.attempts, error=error)
        else:
            log.warning("outbox_retry", id=job.id, kind=job.kind, attempts=job.attempts, error=error, at=retry_at)

    # --- running in the background ----------------------------------------------------------------

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                await self.run_once()
            except Exception as error:
                # During a database outage the pool logs it once; a line per poll would not help.
                if not (isinstance(error, ServerDown | PoolClosed | DatabaseUnreachable) or is_connection_loss(error)):
                    log.exception("outbox_pass_failed")
            if not self._stopping:
                await self.doorbell.wait(self._poll_seconds)

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._loop(), name="outbox worker")

    async def stop(self, timeout: float = 10.0) -> None:
        """Let the delivery in hand finish (up to `timeout`), then end the loop."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self.doorbell.ring()
        try:
            await asyncio.wait_for(task, timeout)
        except TimeoutError:
            log.warning("outbox_stop_timeout")  # cancelled: the row's lease runs out; it is retried

    def attach(self, app: WebApp) -> None:
        """Run in the background while `app` serves: it starts after the before-serving hooks
        (the pool is open) and stops before the after-serving ones (the pool closes)."""

        @app.while_serving
        async def _serve() -> AsyncGenerator[None, None]:
            await self.start()
            yield
            await self.stop()
