"""The outbox table and its worker: least privilege for the request role, one delivery per row
however many workers claim at once, retries with backoff, and a lost claim that cannot complete."""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt

import asyncpg
import pytest

from database.outbox import Delivery, OutboxWorker, RetryPolicy, enqueue, queries
from database.testing.fixture import T


async def _enqueue(t: T, count: int, kind: str = "note") -> None:
    async with t.db.app_transaction() as conn:
        for n in range(count):
            await enqueue(conn, kind=kind, payload={"n": n, "body": f"secret {n}"}, now=t.clock.now())


async def test_the_request_role_may_queue_but_not_read_change_or_delete_rows(t: T) -> None:
    await _enqueue(t, 1)
    for statement in ("SELECT * FROM outbox", "UPDATE outbox SET attempts = 0", "DELETE FROM outbox"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with t.db.app_transaction() as conn:
                await conn.execute(statement)
    assert await t.db.owner.fetchval("SELECT count(*) FROM outbox") == 1


async def test_only_the_outbox_role_may_claim_complete_or_fail_rows(t: T) -> None:
    """Claiming returns payloads with one-time codes in them: the request role cannot, so code
    running as it (a bug, an injection) cannot read pending codes or mark mail delivered unsent."""
    await _enqueue(t, 1)
    now = t.clock.now()
    calls = [
        "SELECT * FROM app_outbox_claim($1, $1, 10)",
        "SELECT app_outbox_complete('obx_00000000000000000000000000', 1, $1)",
        "SELECT app_outbox_fail('obx_00000000000000000000000000', 1, 'x', $1)",
    ]
    for call in calls:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with t.db.app_transaction() as conn:
                await conn.execute(call, now)
    async with t.db.outbox_transaction() as conn:
        claimed = await queries.claim_outbox(conn, now=now, locked_until=now + dt.timedelta(minutes=5), max_rows=5)
    assert len(claimed) == 1


async def test_a_rolled_back_transaction_queues_nothing(t: T) -> None:
    with pytest.raises(RuntimeError):
        async with t.db.app_transaction() as conn:
            await enqueue(conn, kind="note", payload={}, now=t.clock.now())
            raise RuntimeError("rolled back")
    assert await t.db.owner.fetchval("SELECT count(*) FROM outbox") == 0


async def test_concurrent_claims_skip_locked_rows_and_leased_ones(t: T) -> None:
    await _enqueue(t, 3)
    now = t.clock.now()
    lease = now + dt.timedelta(minutes=5)

    async def claim_in_another_task() -> list[queries.ClaimOutboxRow]:
        async with t.db.outbox_transaction() as second:
            return await queries.claim_outbox(second, now=now, locked_until=lease, max_rows=5)

    async with t.db.outbox_transaction() as first:
        claimed = await queries.claim_outbox(first, now=now, locked_until=lease, max_rows=2)
        # Another worker, while the first still holds its row locks (a task of its own, as a
        # worker in another process would be: it holds no connection yet).
        others = await asyncio.create_task(claim_in_another_task(), context=contextvars.Context())
    assert len(claimed) == 2 and len(others) == 1
    assert {r.id for r in claimed}.isdisjoint({r.id for r in others})
    async with t.db.outbox_transaction() as conn:  # all leased now
        assert await queries.claim_outbox(conn, now=now, locked_until=lease, max_rows=5) == []
        later = lease + dt.timedelta(seconds=1)  # a lease that ran out (its worker died) is claimed again
        again = await queries.claim_outbox(conn, now=later, locked_until=later + dt.timedelta(minutes=5), max_rows=5)
    assert sorted(r.attempts for r in again) == [2, 2, 2]


async def test_a_claim_whose_lease_ran_out_cannot_complete_a_row_claimed_since(t: T) -> None:
    await _enqueue(t, 1)
    now = t.clock.now()
    async with t.db.outbox_transaction() as conn:
        [stale] = await queries.claim_outbox(conn, now=now, locked_until=now, max_rows=1)
        [fresh] = await queries.claim_outbox(conn, now=now, locked_until=now + dt.timedelta(minutes=5), max_rows=1)
        lost = await queries.complete_outbox(conn, id=stale.id, attempts=stale.attempts, now=now)
        won = await queries.complete_outbox(conn, id=fresh.id, attempts=fresh.attempts, now=now)
    assert (lost, won) == (queries.CompleteOutboxRow(False), queries.CompleteOutboxRow(True))


async def test_a_handler_whose_claim_was_lost_commits_none_of_its_writes(t: T) -> None:
    await _enqueue(t, 1)
    now = t.clock.now()

    async def slow_handler(delivery: Delivery) -> None:
        t.clock.advance(seconds=31)  # meanwhile the lease ran out and another worker took the row
        later = t.clock.now()
        async with t.db.outbox_transaction() as conn:
            await queries.claim_outbox(conn, now=later, locked_until=later + dt.timedelta(minutes=5), max_rows=1)
        async with t.db.outbox_transaction() as conn:
            await enqueue(conn, kind="follow_up", payload={}, now=now)
            await delivery.complete_in(conn)

    worker = OutboxWorker(lambda: t.db.outbox, {"note": slow_handler}, clock=t.clock, lease=dt.timedelta(seconds=30))
    await worker.run_once()
    rows = await t.db.owner.fetch("SELECT kind, status::text, attempts FROM outbox")
    assert [tuple(r) for r in rows] == [("note", "pending", 2)]  # no follow-up; the second claim stands


async def test_workers_in_parallel_deliver_every_row_exactly_once(t: T) -> None:
    await _enqueue(t, 30)
    delivered: list[object] = []

    async def handler(delivery: Delivery) -> None:
        await asyncio.sleep(0)  # let the other workers interleave
        delivered.append(delivery.job.payload)

    workers = [OutboxWorker(lambda: t.db.outbox, {"note": handler}, clock=t.clock, batch=3) for _ in range(3)]
    counts = await asyncio.gather(*(w.run_once() for w in workers))
    assert sum(counts) == 30
    assert sorted(p["n"] for p in delivered) == list(range(30))  # type: ignore[index]
    rows = await t.db.owner.fetch("SELECT status::text, attempts, payload FROM outbox")
    assert {(r["status"], r["attempts"]) for r in rows} == {("delivered", 1)}
    assert all("body" not in r["payload"] for r in rows)


async def test_a_kind_no_handler_knows_is_retried_then_given_up(t: T) -> None:
    await _enqueue(t, 1, kind="from_the_future")
    worker = OutboxWorker(lambda: t.db.outbox, {}, clock=t.clock, policy=RetryPolicy(max_attempts=2), jitter=lambda: 0)
    assert await worker.run_once() == 1
    row = await t.db.owner.fetchrow("SELECT status::text, last_error, available_at FROM outbox")
    assert row is not None
    assert row["status"] == "pending"
    assert "no outbox handler for 'from_the_future'" in row["last_error"]
    assert row["available_at"] == t.clock.now() + dt.timedelta(seconds=15)  # half the base: jitter 0
    t.clock.advance(seconds=15)
    assert await worker.run_once() == 1
    assert await t.db.owner.fetchval("SELECT status::text FROM outbox") == "failed"


def test_backoff_doubles_with_jitter_up_to_a_cap_then_gives_up() -> None:
    policy = RetryPolicy(max_attempts=10, base_seconds=30, cap_seconds=600)
    full = [policy.retry_delay(n, 1.0) for n in range(1, 10)]
    assert [d.total_seconds() for d in full if d] == [30, 60, 120, 240, 480, 600, 600, 600, 600]
    assert policy.retry_delay(3, 0.0) == dt.timedelta(seconds=60)  # never less than half
    assert policy.retry_delay(3, 0.5) == dt.timedelta(seconds=90)
    assert policy.retry_delay(10, 1.0) is None


async def test_a_delivery_that_outlasts_its_share_of_the_lease_is_cut_off_and_retried(t: T) -> None:
    await _enqueue(t, 1)

    async def stuck(delivery: Delivery) -> None:
        await asyncio.sleep(5)  # a mail server that answers each command just in time, forever

    lease = dt.timedelta(seconds=0.6)  # batch 2: each delivery gets 0.2 s
    worker = OutboxWorker(lambda: t.db.outbox, {"note": stuck}, clock=t.clock, batch=2, lease=lease, jitter=lambda: 0)
    await asyncio.wait_for(worker.run_once(), 3)
    row = await t.db.owner.fetchrow("SELECT status::text, attempts, last_error FROM outbox")
    assert row is not None
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 1, "TimeoutError")


async def test_rows_left_when_the_lease_runs_out_are_not_sent_by_this_worker(t: T) -> None:
    """A backstop behind the per-delivery cut-off (a loop blocked, a slow write): once 90 % of the
    claim's lease has passed, the rest of the batch is left for the next claim, which another
    worker may make, instead of being sent twice."""
    await _enqueue(t, 3)
    sent: list[object] = []
    elapsed = [0.0]

    async def slow(delivery: Delivery) -> None:
        elapsed[0] += 50.0  # seconds of real time, on the worker's own watch
        sent.append(delivery.job.payload)

    worker = OutboxWorker(
        lambda: t.db.outbox,
        {"note": slow},
        clock=t.clock,
        batch=3,
        lease=dt.timedelta(seconds=100),
        monotonic=lambda: elapsed[0],
    )
    assert await worker.run_once() == 2  # before the third row 100 s of the 100 s lease are gone
    assert len(sent) == 2
    pending = await t.db.owner.fetchval("SELECT count(*) FROM outbox WHERE status = 'pending'")
    assert pending == 1  # left for the next claim once the lease is over


async def test_finished_rows_are_removed_after_the_retention_pending_ones_never(t: T) -> None:
    await _enqueue(t, 2)
    delivered: list[object] = []

    async def handler(delivery: Delivery) -> None:
        delivered.append(delivery.job.payload)

    worker = OutboxWorker(lambda: t.db.outbox, {"note": handler}, clock=t.clock, retention=dt.timedelta(days=14))
    await worker.run_once()
    await _enqueue(t, 1, kind="unknown_kind")  # fails, stays pending for its retry
    await worker.run_once()
    t.clock.advance(days=15)
    await worker.run_once()  # more than an hour since the last pruning: prunes now
    rows = await t.db.owner.fetch("SELECT kind, status::text FROM outbox ORDER BY created_at")
    assert [tuple(r) for r in rows] == [("unknown_kind", "pending")]
    with pytest.raises(asyncpg.InsufficientPrivilegeError):  # the request role cannot prune
        async with t.db.app_transaction() as conn:
            await conn.execute("SELECT app_outbox_prune(now(), 10)")


async def test_expired_idempotency_records_are_pruned_by_the_worker_live_ones_kept(t: T) -> None:
    # Keys sent once would otherwise stay forever (a claim frees only its own expired key).
    await t.db.owner.execute(
        "INSERT INTO idempotency_keys (scope, route, key, body_hash, expires_at)"
        " SELECT 'anonymous::', 'chat.post', 'k' || n, '\\x00', now() - interval '1 hour' FROM generate_series(1, 5) n"
    )
    await t.db.owner.execute(
        "INSERT INTO idempotency_keys (scope, route, key, body_hash)"
        " VALUES ('anonymous::', 'chat.post', 'live', '\\x00')"
    )
    worker = OutboxWorker(lambda: t.db.outbox, {}, clock=t.clock)
    await worker.run_once()
    assert [r["key"] for r in await t.db.owner.fetch("SELECT key FROM idempotency_keys")] == ["live"]
    with pytest.raises(asyncpg.InsufficientPrivilegeError):  # the request role cannot prune
        async with t.db.app_transaction() as conn:
            await conn.execute("SELECT app_idempotency_prune(10)")
