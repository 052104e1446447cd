import dagster as dg

from database.testing.fixture import T
from pipeline import queries
from pipeline.funnel import signup_funnel, signup_funnel_is_consistent
from pipeline.testing import materialize


async def funnel(t: T) -> list[tuple[str, int]]:
    async with t.db.owner.acquire() as conn:
        return [(row.step, row.users) for row in await queries.signup_funnel(conn)]


async def arrange(t: T) -> None:
    """Five users: one never verified, one verified only, one verified in an org, two verified in
    an org who invited someone; and an unverified member who invited someone (counts at step 1)."""
    org = await t.factory.org()
    await t.factory.user()
    await t.factory.user(verified=True)
    member = await t.factory.user(verified=True)
    await t.factory.membership(org, member, "owner")
    for _ in range(2):
        inviter = await t.factory.user(verified=True)
        await t.factory.membership(org, inviter)
        await t.factory.invite(org, invited_by=inviter)
    unverified = await t.factory.user()
    await t.factory.membership(org, unverified)
    await t.factory.invite(org, invited_by=unverified)


async def test_the_funnel_counts_each_step_within_the_one_before(t: T) -> None:
    await arrange(t)
    result = await materialize(t, [signup_funnel, signup_funnel_is_consistent])
    assert result.success
    assert await funnel(t) == [("signed_up", 6), ("verified_email", 4), ("joined_an_org", 3), ("invited_someone", 2)]
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed
    # Rerun: the table is replaced, not appended to.
    await t.factory.user()
    assert (await materialize(t, [signup_funnel])).success
    assert (await funnel(t))[0] == ("signed_up", 7)
    assert len(await funnel(t)) == 4


async def test_the_check_fails_on_an_inconsistent_funnel(t: T) -> None:
    await arrange(t)
    assert (await materialize(t, [signup_funnel])).success
    async with t.db.owner.acquire() as conn:
        await conn.execute("UPDATE analytics.signup_funnel SET users = 5 WHERE step = 'invited_someone'")
        await conn.execute("UPDATE analytics.signup_funnel SET users = -1 WHERE step = 'verified_email'")
    result = await materialize(
        t, [signup_funnel, signup_funnel_is_consistent], selection=dg.AssetSelection.checks(signup_funnel_is_consistent)
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.description == (
        "verified_email is negative (-1); joined_an_org (3) exceeds verified_email (-1); "
        "invited_someone (5) exceeds joined_an_org (3)"
    )


async def test_the_check_fails_when_users_went_missing(t: T) -> None:
    await arrange(t)
    assert (await materialize(t, [signup_funnel])).success
    await t.factory.user()  # the funnel no longer counts every user
    result = await materialize(
        t, [signup_funnel, signup_funnel_is_consistent], selection=dg.AssetSelection.checks(signup_funnel_is_consistent)
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.description == "signed_up is 6, but there are 7 users"
