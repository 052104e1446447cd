import asyncio
import datetime as dt
from pathlib import Path

import dagster as dg

from database.testing.fixture import T
from foundation.testing.fakes.openai import FakeOpenAI
from foundation.testing.fakes.slack import FakeSlack
from pipeline import queries
from pipeline.alerts import slack_on_run_failure
from pipeline.external_testing import CHANNEL, llm_for, materialize_with, slack_for
from pipeline.summaries import org_summaries

WEEK = "2026-01-05"  # a Monday


async def arrange(t: T) -> dict[str, str]:
    """A busy in the week, B idle all week, C busy only the week after."""
    a, b, c = [await t.factory.org(name=name) for name in ("Acme", "Bistro", "Corner")]
    async with t.db.owner.acquire() as conn:
        rows = [(a.id, "2026-01-05", 2, 5, 3, 1, 1), (a.id, "2026-01-07", 1, 4, 4, 2, 0)]
        rows += [(b.id, f"2026-01-0{d}", 0, 0, 0, 0, 0) for d in range(5, 10)]
        rows += [(c.id, "2026-01-12", 9, 9, 9, 9, 9)]
        await conn.executemany(
            "INSERT INTO analytics.org_daily_activity"
            " (org_id, day, signups, logins, active_members, invites_sent, invites_accepted, materialized_at)"
            " VALUES ($1, $2::text::date, $3, $4, $5, $6, $7, now())",
            rows,
        )
    return {"A": a.id, "B": b.id, "C": c.id}


async def summaries(t: T) -> dict[str, tuple[str, str]]:
    async with t.db.owner.acquire() as conn:
        found = await queries.org_summaries_for_week(conn, week_start=dt.date.fromisoformat(WEEK))
    return {row.org_id: (row.summary, row.model) for row in found}


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    (event,) = [e for e in result.all_events if e.is_step_failure]
    data = event.step_failure_data
    return data.user_failure_data.description if data.user_failure_data else data.error.message  # type: ignore[union-attr]


async def test_each_active_organization_gets_a_paragraph_through_the_cache(
    t: T, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    orgs = await arrange(t)
    fake_openai.reply('{"summary": "Acme grew by three members and sent three invitations."}')
    resources = {"llm": llm_for(fake_openai, tmp_path)}
    result = await materialize_with(t, [org_summaries], resources, partition_key=WEEK)
    assert result.success
    assert await summaries(t) == {orgs["A"]: ("Acme grew by three members and sent three invitations.", "gpt-4o-mini")}
    (request,) = fake_openai.completions()
    facts = request.json()["messages"][1]["content"]
    assert "Organization: Acme\nWeek: 2026-01-05 to 2026-01-11 (2 days of data)" in facts
    assert "Members who joined: 3\nLogins: 9\nMost members active on one day: 4" in facts
    assert request.json()["response_format"]["type"] == "json_schema"

    # A rerun replays the stored answer: no call out, the same rows (replaced, not duplicated).
    again = await materialize_with(t, [org_summaries], resources, partition_key=WEEK)
    assert again.success
    assert len(fake_openai.completions()) == 1
    assert list(await summaries(t)) == [orgs["A"]]


async def test_an_outage_fails_the_run_keeps_the_old_summaries_and_alerts_slack(
    t: T, fake_openai: FakeOpenAI, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    orgs = await arrange(t)
    fake_openai.reply('{"summary": "Before."}')
    resources = {"llm": llm_for(fake_openai, tmp_path)}
    assert (await materialize_with(t, [org_summaries], resources, partition_key=WEEK)).success
    async with t.db.owner.acquire() as conn:  # new numbers: a new request, not in the cache
        await conn.execute("UPDATE analytics.org_daily_activity SET logins = logins + 1 WHERE org_id = $1", orgs["A"])
        await conn.execute("UPDATE analytics.org_daily_activity SET logins = 1 WHERE org_id = $1", orgs["B"])
    fake_openai.fail_next(500, times=10)
    instance = dg.DagsterInstance.ephemeral()
    result = await materialize_with(t, [org_summaries], resources, partition_key=WEEK, instance=instance)
    assert not result.success
    message = failure_message(result)
    assert message.startswith("org_summaries 2026-01-05: openai is unavailable: ")
    assert message.endswith("No summary was written; the week's previous summaries stay.")
    assert await summaries(t) == {orgs["A"]: ("Before.", "gpt-4o-mini")}

    context = dg.build_run_status_sensor_context(
        sensor_name="slack_on_run_failure",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
        resources={"slack": slack_for(fake_slack)},
    ).for_run_failure()
    await asyncio.to_thread(slack_on_run_failure, context)
    (posted,) = fake_slack.posted
    assert posted["channel"] == CHANNEL
    assert posted["text"].startswith(
        ":rotating_light: __ephemeral_asset_job__ (partition 2026-01-05) failed: "
        "org_summaries 2026-01-05: openai is unavailable"
    )
    assert posted["text"].endswith(f"(run {result.run_id})")


async def test_a_429_storm_fails_with_when_to_come_back(t: T, fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    await arrange(t)
    fake_openai.fail_next(429, retry_after=120, times=10)
    result = await materialize_with(t, [org_summaries], {"llm": llm_for(fake_openai, tmp_path)}, partition_key=WEEK)
    assert not result.success
    assert failure_message(result).startswith("org_summaries 2026-01-05: openai kept rate-limiting, retry after 120 s")
    assert await summaries(t) == {}


async def test_a_malformed_answer_names_the_field(t: T, fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    await arrange(t)
    fake_openai.reply('{"summary": 42}')
    result = await materialize_with(t, [org_summaries], {"llm": llm_for(fake_openai, tmp_path)}, partition_key=WEEK)
    assert not result.success
    assert "openai rejected the request (malformed_answer at $.summary)" in failure_message(result)
    assert await summaries(t) == {}


async def test_replay_mode_never_calls_out(t: T, fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    await arrange(t)
    resources = {"llm": llm_for(fake_openai, tmp_path, mode="replay")}
    result = await materialize_with(t, [org_summaries], resources, partition_key=WEEK)
    assert not result.success
    assert "the LLM cache has no answer (replay mode)" in failure_message(result)
    assert fake_openai.completions() == []
