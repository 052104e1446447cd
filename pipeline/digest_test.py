import asyncio
import datetime as dt

import dagster as dg

from database.testing.fixture import T
from foundation.testing.fakes.slack import FakeSlack
from pipeline.digest import slack_digest_job
from pipeline.external_testing import CHANNEL, slack_for
from pipeline.testing import resources_for


async def run_digest(t: T, fake_slack: FakeSlack) -> dg.ExecuteInProcessResult:
    resources = resources_for(t) | {"slack": slack_for(fake_slack)}
    return await asyncio.to_thread(slack_digest_job.execute_in_process, resources=resources, raise_on_error=False)


async def test_the_digest_posts_yesterdays_numbers(t: T, fake_slack: FakeSlack) -> None:
    a, b = await t.factory.org(), await t.factory.org()
    async with t.db.owner.acquire() as conn:
        await conn.executemany(
            "INSERT INTO analytics.org_daily_activity"
            " (org_id, day, signups, logins, active_members, invites_sent, invites_accepted, materialized_at)"
            " VALUES ($1, $2::text::date, $3, $4, $5, $6, $7, now())",
            [
                (a.id, "2026-01-09", 1, 2, 2, 1, 0),
                (b.id, "2026-01-09", 0, 0, 0, 0, 0),
                (a.id, "2026-01-08", 9, 9, 9, 9, 9),
            ],
        )
    t.clock.set(dt.datetime(2026, 1, 10, 7, tzinfo=dt.UTC))
    assert (await run_digest(t, fake_slack)).success
    (posted,) = fake_slack.posted
    assert posted["channel"] == CHANNEL
    assert posted["text"] == (
        "Blossom on 2026-01-09: 1 members joined, 2 logins, 2 active members in 1 of 2 organizations, "
        "1 invitations sent (0 accepted so far)."
    )


async def test_a_day_not_materialized_says_so(t: T, fake_slack: FakeSlack) -> None:
    t.clock.set(dt.datetime(2026, 1, 10, 7, tzinfo=dt.UTC))
    assert (await run_digest(t, fake_slack)).success
    (posted,) = fake_slack.posted
    assert posted["text"] == "Blossom on 2026-01-09: no org_daily_activity for that day yet (was it materialized?)"


async def test_a_rate_limited_slack_fails_the_run_clearly(t: T, fake_slack: FakeSlack) -> None:
    fake_slack.ratelimit_next(120, times=10)
    result = await run_digest(t, fake_slack)
    assert not result.success
    (event,) = [e for e in result.all_events if e.is_step_failure]
    failure = event.step_failure_data.user_failure_data
    assert failure is not None and failure.description is not None
    assert failure.description.startswith("slack digest 2025-12-31: slack kept rate-limiting, retry after 120 s")
    assert fake_slack.posted == []
