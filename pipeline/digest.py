"""The Slack digest: yesterday's numbers over every organization, posted each morning."""

import asyncio
import datetime as dt

import dagster as dg

from foundation.external.errors import ExternalError
from foundation.external.slack import SlackClient, context, header, section
from foundation.time import Clock
from pipeline import queries
from pipeline.external import SlackResource, failure
from pipeline.resources import PipelineDatabase


def digest_text(day: dt.date, totals: queries.DailyTotalsRow | None) -> str:
    if totals is None:
        return f"Blossom on {day.isoformat()}: no org_daily_activity for that day yet (was it materialized?)"
    return (
        f"Blossom on {day.isoformat()}: {totals.signups} members joined, {totals.logins} logins, "
        f"{totals.active_members} active members in {totals.active_orgs} of {totals.orgs} organizations, "
        f"{totals.invites_sent} invitations sent ({totals.invites_accepted} accepted so far)."
    )


async def post(client: SlackClient, channel: str, day: dt.date, text: str) -> str:
    posted = await client.post_message(
        channel,
        text,
        blocks=[header(f"Blossom, {day.isoformat()}"), section(text), context("From the pipeline's daily digest")],
    )
    return posted.ts


@dg.op(description="Post yesterday's (UTC) totals over every organization to the Slack channel.")
def post_daily_digest(
    context: dg.OpExecutionContext, database: PipelineDatabase, slack: SlackResource, clock: dg.ResourceParam[Clock]
) -> None:
    day = clock.now().date() - dt.timedelta(days=1)
    rows = database.run(lambda conn: queries.daily_totals(conn, first_day=day, last_day=day))
    text = digest_text(day, rows[0] if rows else None)
    try:
        ts = asyncio.run(post(slack.client(), slack.channel, day, text))
    except ExternalError as error:
        raise failure(f"slack digest {day}", error, "Nothing was posted.") from error
    context.log.info(f"digest for {day} posted to {slack.channel} (ts {ts})")


@dg.job(description="Post yesterday's numbers to Slack.")
def slack_digest_job() -> None:
    post_daily_digest()


# After the daily run (01:00) and the freshness check (06:00).
slack_digest_schedule = dg.ScheduleDefinition(
    name="slack_digest_schedule", job=slack_digest_job, cron_schedule="0 7 * * *", execution_timezone="UTC"
)
