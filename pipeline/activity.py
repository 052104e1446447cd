"""`org_daily_activity`: per organization per UTC day, what its members did; and its checks.

Each partition (a day) replaces its rows in one transaction: delete the day, insert it again
from one set-based statement. A failure leaves the previous rows as they were.
"""

import datetime as dt

import dagster as dg

from foundation.time import Clock
from pipeline import queries
from pipeline.resources import PipelineDatabase

# The first day with data worth keeping; a backfill starts here.
START_DATE = "2026-01-01"
# Older than this, and yesterday's partition is missing: the daily schedule did not run or failed.
FRESHNESS_LAG = dt.timedelta(days=1)

daily_partitions = dg.DailyPartitionsDefinition(start_date=START_DATE, timezone="UTC")


def partition_day(key: str) -> dt.date:
    return dt.date.fromisoformat(key)


def day_bounds(day: dt.date) -> dict[str, dt.datetime]:
    """The UTC day as the queries' `starts_at` and `ends_at` (exclusive)."""
    starts_at = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return {"starts_at": starts_at, "ends_at": starts_at + dt.timedelta(days=1)}


def checked_day(context: dg.AssetCheckExecutionContext, database: PipelineDatabase) -> dt.date | None:
    """The day a check looks at: its run's partition, or (run on its own) the newest day held.

    The checks are not partitioned themselves (partitioned checks are a Dagster preview, and a
    check-only run of one cannot take a partition), so they read the run's partition key."""
    if context.has_partition_key:
        return partition_day(context.partition_key)
    newest = database.run(queries.newest_activity_day)
    return newest.day if newest else None


@dg.asset(
    partitions_def=daily_partitions,
    group_name="analytics",
    kinds={"postgres"},
    description="Per organization per UTC day: signups (members who joined), logins, active members, "
    "invites sent and accepted. Table analytics.org_daily_activity.",
)
def org_daily_activity(
    context: dg.AssetExecutionContext, database: PipelineDatabase, clock: dg.ResourceParam[Clock]
) -> dg.MaterializeResult:
    day = partition_day(context.partition_key)

    async def replace(conn) -> tuple[int, int]:
        removed = await queries.delete_org_daily_activity(conn, day=day)
        written = await queries.insert_org_daily_activity(conn, day=day, now=clock.now(), **day_bounds(day))
        return removed, written

    removed, written = database.run(replace)
    context.log.info(f"org_daily_activity {day}: replaced {removed} rows with {written}")
    return dg.MaterializeResult(metadata={"day": day.isoformat(), "rows": written, "replaced_rows": removed})


@dg.asset_check(
    asset=org_daily_activity,
    blocking=True,
    description="The day's rows are one per organization, and their totals match the product's tables "
    "(the run's partition; on its own, the newest day).",
)
def org_daily_activity_matches_source(
    context: dg.AssetCheckExecutionContext, database: PipelineDatabase
) -> dg.AssetCheckResult:
    day = checked_day(context, database)
    if day is None:
        return dg.AssetCheckResult(passed=True, description="no day materialized yet")

    async def totals(conn):
        return (
            await queries.org_daily_activity_totals(conn, day=day),
            await queries.source_daily_totals(conn, **day_bounds(day)),
        )

    written, source = database.run(totals)
    assert written is not None
    assert source is not None
    pairs = {
        "org_rows": (written.org_rows, source.orgs),
        "signups": (written.signups, source.signups),
        "invites_sent": (written.invites_sent, source.invites_sent),
        "invites_accepted": (written.invites_accepted, source.invites_accepted),
    }
    mismatched = {name: f"{mine} != {theirs}" for name, (mine, theirs) in pairs.items() if mine != theirs}
    return dg.AssetCheckResult(
        passed=not mismatched,
        description=f"{day}: " + (", ".join(f"{k} {v}" for k, v in mismatched.items()) or "every total matches"),
        metadata={f"{name}_written": mine for name, (mine, _) in pairs.items()}
        | {f"{name}_source": theirs for name, (_, theirs) in pairs.items()},
    )


@dg.asset_check(
    asset=org_daily_activity,
    blocking=True,
    description="No count of the day is negative (the run's partition; on its own, the newest day).",
)
def org_daily_activity_no_negative_counts(
    context: dg.AssetCheckExecutionContext, database: PipelineDatabase
) -> dg.AssetCheckResult:
    day = checked_day(context, database)
    if day is None:
        return dg.AssetCheckResult(passed=True, description="no day materialized yet")
    written = database.run(lambda conn: queries.org_daily_activity_totals(conn, day=day))
    assert written is not None
    return dg.AssetCheckResult(
        passed=written.negative_rows == 0,
        description=f"{day}: {written.negative_rows} rows with a negative count",
        metadata={"negative_rows": written.negative_rows},
    )


@dg.asset_check(
    asset=org_daily_activity,
    description=f"The newest day held is at most {FRESHNESS_LAG.days} day old (yesterday, UTC).",
)
def org_daily_activity_fresh(database: PipelineDatabase, clock: dg.ResourceParam[Clock]) -> dg.AssetCheckResult:
    expected = clock.now().date() - FRESHNESS_LAG

    async def read(conn):
        return await queries.newest_activity_day(conn), await queries.source_daily_totals(conn, **day_bounds(expected))

    newest, source = database.run(read)
    newest_day = newest.day if newest else None
    nothing_to_hold = newest_day is None and source is not None and source.orgs == 0  # no organization yet
    passed = nothing_to_hold or (newest_day is not None and newest_day >= expected)
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"newest day {newest_day or 'none'}, expected {expected} or later"
        + (" (no organization yet)" if nothing_to_hold else ""),
        metadata={"newest_day": str(newest_day), "expected_day": expected.isoformat()},
    )
