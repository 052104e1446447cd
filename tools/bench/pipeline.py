"""The pipeline's daily partition at scale: `org_daily_activity` for one day over 10,000
organizations and 1,000,000 activity rows (memberships, sessions, invitations), materialized
through Dagster as the pipeline role, beside the same two statements run bare."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import dagster as dg

from database.connect import connect
from database.target import DatabaseTarget
from database.testing.harness import create_worker_database
from foundation.testing.clock import ManualClock
from pipeline import queries
from pipeline.activity import (
    day_bounds,
    org_daily_activity,
    org_daily_activity_matches_source,
    org_daily_activity_no_negative_counts,
)
from pipeline.resources import PipelineDatabase
from tools.bench.stats import heading, median, ms, row

ORGS = 10_000
USERS = 200_000
MEMBERSHIPS = 200_000  # one organization per user, 20 per organization
SESSIONS = 600_000
INVITES = 200_000
DAYS = 30  # activity spread evenly over these days
FIRST_DAY = dt.date(2026, 6, 1)
DAY = dt.date(2026, 6, 15)  # the partition measured
RUNS = 5

# Ids in the app's format (digits are in its alphabet), rows made by the server in bulk.
_SEED = f"""
INSERT INTO orgs (id, name, created_at)
SELECT 'org_' || lpad(i::text, 26, '0'), 'Org ' || i, timestamptz '{FIRST_DAY}' - interval '30 days'
FROM generate_series(0, {ORGS - 1}) i;

INSERT INTO users (id, email, display_name, password_hash, created_at, email_verified_at)
SELECT 'usr_' || lpad(i::text, 26, '0'), 'u' || i || '@bench.test', 'User ' || i, '!',
       timestamptz '{FIRST_DAY}' + (i % {DAYS}) * interval '1 day' + (i % 86400) * interval '1 second',
       CASE WHEN i % 2 = 0 THEN timestamptz '{FIRST_DAY}' + (i % {DAYS}) * interval '1 day' END
FROM generate_series(0, {USERS - 1}) i;

INSERT INTO memberships (id, org_id, user_id, role, created_at)
SELECT 'mem_' || lpad(i::text, 26, '0'), 'org_' || lpad((i % {ORGS})::text, 26, '0'),
       'usr_' || lpad(i::text, 26, '0'), CASE WHEN i < {ORGS} THEN 'owner' ELSE 'member' END::org_role,
       timestamptz '{FIRST_DAY}' + (i % {DAYS}) * interval '1 day' + (i % 86400) * interval '1 second'
FROM generate_series(0, {MEMBERSHIPS - 1}) i;

INSERT INTO sessions (id, user_id, token_hash, active_org_id, created_at, last_seen_at, expires_at)
SELECT 'ses_' || lpad(i::text, 26, '0'), 'usr_' || lpad((i % {USERS})::text, 26, '0'),
       sha256(('s' || i)::bytea), 'org_' || lpad((i % {USERS} % {ORGS})::text, 26, '0'),
       c, c + (i % 7200) * interval '1 second', c + interval '30 days'
FROM generate_series(0, {SESSIONS - 1}) i,
     LATERAL (SELECT timestamptz '{FIRST_DAY}' + (i % {DAYS}) * interval '1 day'
                     + (i % 80000) * interval '1 second' AS c) t;

INSERT INTO invites (id, org_id, email, role, token_hash, status, created_at, expires_at)
SELECT 'inv_' || lpad(i::text, 26, '0'), 'org_' || lpad((i % {ORGS})::text, 26, '0'), 'i' || i || '@bench.test',
       'member', sha256(('i' || i)::bytea), CASE WHEN i % 3 = 0 THEN 'accepted' ELSE 'pending' END::invite_status,
       c, c + interval '7 days'
FROM generate_series(0, {INVITES - 1}) i,
     LATERAL (SELECT timestamptz '{FIRST_DAY}' + (i % {DAYS}) * interval '1 day'
                     + (i % 86400) * interval '1 second' AS c) t;

ANALYZE;
"""


async def _seed(target: DatabaseTarget) -> float:
    conn = await connect(target.owner)
    try:
        started = time.perf_counter()
        await conn.execute(_SEED)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def _bare_sql(target: DatabaseTarget, now: dt.datetime) -> tuple[float, int]:
    """The asset's two statements in one transaction, as the pipeline role, without Dagster."""
    conn = await connect(target.pipeline)
    try:
        started = time.perf_counter()
        async with conn.transaction():
            await queries.delete_org_daily_activity(conn, day=DAY)
            rows = await queries.insert_org_daily_activity(conn, day=DAY, now=now, **day_bounds(DAY))
        return time.perf_counter() - started, rows
    finally:
        await conn.close()


def _materialize(resources: dict[str, object], assets: list) -> float:
    started = time.perf_counter()
    result = dg.materialize(assets, resources=resources, partition_key=DAY.isoformat())
    elapsed = time.perf_counter() - started
    assert result.success
    return elapsed


def run_all() -> None:
    worker = create_worker_database("bench_pipeline")
    try:
        seconds = asyncio.run(_seed(worker.target))
        clock = ManualClock(dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(1), tzinfo=dt.UTC))
        resources = {"database": PipelineDatabase(url=worker.target.pipeline.render()), "clock": clock}
        checks = [org_daily_activity, org_daily_activity_matches_source, org_daily_activity_no_negative_counts]
        timings: dict[str, list[float]] = {"bare": [], "asset": [], "checks": []}
        rows = 0
        _materialize(resources, [org_daily_activity])  # warm: caches, the first partition write
        for _ in range(RUNS):  # interleaved, so each sees the same noise
            elapsed, rows = asyncio.run(_bare_sql(worker.target, clock.now()))
            timings["bare"].append(elapsed)
            timings["asset"].append(_materialize(resources, [org_daily_activity]))
            timings["checks"].append(_materialize(resources, checks))
    finally:
        worker.drop()

    activity = MEMBERSHIPS + SESSIONS + INVITES
    heading(
        f"org_daily_activity, one day: {ORGS:,} orgs, {activity:,} activity rows over {DAYS} days "
        f"(seeded in {seconds:.1f} s), median of {RUNS}"
    )
    row("", "median", "max", "rows")
    row("SQL alone: delete + insert, one transaction", ms(median(timings["bare"])), ms(max(timings["bare"])), str(rows))
    row("dg.materialize, the asset", ms(median(timings["asset"])), ms(max(timings["asset"])), str(rows))
    row("dg.materialize, asset + 2 blocking checks", ms(median(timings["checks"])), ms(max(timings["checks"])), "")
    row("Dagster's overhead over bare SQL (median)", ms(median(timings["asset"]) - median(timings["bare"])), "", "")
