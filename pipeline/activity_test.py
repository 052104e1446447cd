import datetime as dt
from typing import Any

import dagster as dg

from database.testing.fixture import T
from pipeline import queries
from pipeline.activity import (
    daily_partitions,
    org_daily_activity,
    org_daily_activity_fresh,
    org_daily_activity_matches_source,
    org_daily_activity_no_negative_counts,
)
from pipeline.testing import materialize

DAY0, DAY1, DAY2 = "2026-01-01", "2026-01-02", "2026-01-03"
ACTIVITY = [
    org_daily_activity,
    org_daily_activity_matches_source,
    org_daily_activity_no_negative_counts,
    org_daily_activity_fresh,
]


def at(day: str, hour: int) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


async def arrange(t: T) -> dict[str, str]:
    """Two organizations busy on DAY1 and a third created on DAY2; see each test's numbers."""
    t.clock.set(at(DAY0, 10))
    a, b = await t.factory.org(name="A"), await t.factory.org(name="B")
    alice, carol = await t.factory.user(), await t.factory.user()
    await t.factory.membership(a, alice, "owner")
    await t.factory.membership(b, carol, "owner")
    await t.factory.session(carol, org=b, last_seen_at=at(DAY1, 9))  # logs in on DAY0, seen on DAY1

    t.clock.set(at(DAY1, 10))
    bob, dave = await t.factory.user(), await t.factory.user()
    await t.factory.membership(a, bob)
    await t.factory.membership(b, dave)
    for user, org in ((alice, a), (alice, a), (bob, a), (dave, b)):
        await t.factory.session(user, org=org)
    for status in ("pending", "pending", "accepted"):
        await t.factory.invite(a, invited_by=alice, status=status)
    await t.factory.invite(b, invited_by=carol, status="declined")

    t.clock.set(at(DAY2, 10))
    c = await t.factory.org(name="C")
    await t.factory.session(alice, org=a)
    return {"A": a.id, "B": b.id, "C": c.id}


async def rows(t: T, day: str) -> dict[str, tuple[int, int, int, int, int]]:
    async with t.db.owner.acquire() as conn:
        found = await queries.org_daily_activity_for_day(conn, day=dt.date.fromisoformat(day))
    return {r.org_id: (r.signups, r.logins, r.active_members, r.invites_sent, r.invites_accepted) for r in found}


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


async def test_a_day_counts_each_organizations_activity(t: T) -> None:
    orgs = await arrange(t)
    t.clock.set(at(DAY2, 1))
    result = await materialize(t, ACTIVITY, partition_key=DAY1)
    assert result.success
    assert await rows(t, DAY1) == {
        # signups, logins, active members, invites sent, invites accepted
        orgs["A"]: (1, 3, 2, 3, 1),  # bob joined; alice twice and bob; 3 invitations, 1 accepted
        orgs["B"]: (1, 1, 2, 1, 0),  # dave joined and logged in; carol was seen; 1 declined
    }  # C did not exist yet
    assert check_results(result) == {
        "org_daily_activity_matches_source": True,
        "org_daily_activity_no_negative_counts": True,
        "org_daily_activity_fresh": True,
    }
    (materialization,) = result.asset_materializations_for_node("org_daily_activity")
    assert materialization.metadata["rows"] == dg.IntMetadataValue(2)


async def test_a_backfill_materializes_each_partition(t: T) -> None:
    orgs = await arrange(t)
    keys = daily_partitions.get_partition_keys_in_range(dg.PartitionKeyRange(DAY0, DAY2))
    assert keys == [DAY0, DAY1, DAY2]
    for key in keys:  # one run per partition, as a backfill launches them
        assert (await materialize(t, ACTIVITY, partition_key=key)).success
    assert await rows(t, DAY0) == {orgs["A"]: (1, 0, 0, 0, 0), orgs["B"]: (1, 1, 1, 0, 0)}
    assert len(await rows(t, DAY1)) == 2
    assert await rows(t, DAY2) == {
        orgs["A"]: (0, 1, 1, 0, 0),
        orgs["B"]: (0, 0, 0, 0, 0),
        orgs["C"]: (0, 0, 0, 0, 0),
    }


async def test_rerunning_a_partition_replaces_its_rows(t: T) -> None:
    orgs = await arrange(t)
    assert (await materialize(t, [org_daily_activity], partition_key=DAY1)).success
    assert (await materialize(t, [org_daily_activity], partition_key=DAY0)).success
    first = await rows(t, DAY1)
    again = await materialize(t, [org_daily_activity], partition_key=DAY1)
    assert again.success
    assert await rows(t, DAY1) == first
    (materialization,) = again.asset_materializations_for_node("org_daily_activity")
    assert materialization.metadata["replaced_rows"] == dg.IntMetadataValue(2)

    t.clock.set(at(DAY1, 23))
    await t.factory.session(await t.factory.user(), org=None)  # a login by someone in no org: no row moves
    (user,) = [await t.factory.user()]
    async with t.db.owner.acquire() as conn:
        await conn.execute(
            "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, 'member', $3)",
            orgs["B"],
            user.id,
            at(DAY1, 23),
        )
    await t.factory.session(user)
    assert (await materialize(t, [org_daily_activity], partition_key=DAY1)).success
    assert await rows(t, DAY1) == {orgs["A"]: first[orgs["A"]], orgs["B"]: (2, 2, 3, 1, 0)}
    assert len(await rows(t, DAY0)) == 2  # other partitions untouched


async def test_a_failed_partition_keeps_its_previous_rows(t: T) -> None:
    orgs = await arrange(t)
    assert (await materialize(t, [org_daily_activity], partition_key=DAY1)).success
    before = await rows(t, DAY1)
    t.clock.set(at(DAY2, 23))
    await t.factory.session(await t.factory.user())  # something new, so a rerun would differ
    async with t.db.owner.acquire() as conn:
        await conn.execute(
            "INSERT INTO memberships (org_id, user_id, role, created_at)"
            " SELECT $1, id, 'member', $2 FROM users WHERE id NOT IN (SELECT user_id FROM memberships)",
            orgs["A"],
            at(DAY1, 12),
        )
        # The insert fails at its last organization, after the day's rows were deleted.
        await conn.execute(f"""
            CREATE FUNCTION analytics.refuse_b() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.org_id = '{orgs["B"]}' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_b BEFORE INSERT ON analytics.org_daily_activity
                FOR EACH ROW EXECUTE FUNCTION analytics.refuse_b();
        """)
    try:
        result = await materialize(t, [org_daily_activity], partition_key=DAY1)
    finally:
        async with t.db.owner.acquire() as conn:
            await conn.execute("DROP FUNCTION analytics.refuse_b() CASCADE")
    assert not result.success
    assert await rows(t, DAY1) == before


async def test_the_source_check_fails_on_a_partial_partition(t: T) -> None:
    orgs = await arrange(t)
    assert (await materialize(t, ACTIVITY, partition_key=DAY1)).success
    async with t.db.owner.acquire() as conn:
        await conn.execute("DELETE FROM analytics.org_daily_activity WHERE org_id = $1", orgs["B"])
    result = await materialize(
        t,
        [org_daily_activity, org_daily_activity_matches_source],
        selection=dg.AssetSelection.checks(org_daily_activity_matches_source),
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.description == "2026-01-02: org_rows 1 != 2, signups 1 != 2, invites_sent 3 != 4"


async def test_the_negative_count_check_fails_on_a_negative_count(t: T) -> None:
    orgs = await arrange(t)
    assert (await materialize(t, ACTIVITY, partition_key=DAY1)).success
    async with t.db.owner.acquire() as conn:
        await conn.execute("UPDATE analytics.org_daily_activity SET active_members = -1 WHERE org_id = $1", orgs["A"])
    result = await materialize(
        t,
        [org_daily_activity, org_daily_activity_no_negative_counts],
        selection=dg.AssetSelection.checks(org_daily_activity_no_negative_counts),
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["negative_rows"] == dg.IntMetadataValue(1)


async def test_the_freshness_check_fails_when_yesterday_is_missing(t: T) -> None:
    defs = [org_daily_activity, org_daily_activity_fresh]
    only_check: dict[str, Any] = {"selection": dg.AssetSelection.checks(org_daily_activity_fresh)}
    t.clock.set(at(DAY2, 6))
    assert check_results(await materialize(t, defs, **only_check)) == {"org_daily_activity_fresh": True}  # no org yet
    await arrange(t)
    t.clock.set(at(DAY2, 6))
    assert check_results(await materialize(t, defs, **only_check)) == {"org_daily_activity_fresh": False}
    assert (await materialize(t, [org_daily_activity], partition_key=DAY1)).success
    assert check_results(await materialize(t, defs, **only_check)) == {"org_daily_activity_fresh": True}
    t.clock.set(at("2026-01-05", 6))
    result = await materialize(t, defs, **only_check)
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.description == "newest day 2026-01-02, expected 2026-01-04 or later"
