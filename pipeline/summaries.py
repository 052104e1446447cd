"""`org_summaries`: each week, one paragraph per active organization, written by the LLM
(through the cache) from the week's `org_daily_activity`.

Every answer is asked for before anything is written: an outage, a 429 storm, a cache miss in
replay mode or a malformed answer fails the run and leaves the week's previous summaries as they
were; then the week is replaced in one transaction.
"""

import asyncio
import datetime as dt
from typing import Annotated

import dagster as dg
import msgspec

from foundation.external.errors import ExternalError
from foundation.external.llm_cache import LLMCache, LLMCacheMiss
from foundation.external.openai import ChatMessage, ChatRequest
from foundation.time import Clock
from pipeline import queries
from pipeline.activity import org_daily_activity
from pipeline.external import LLMResource, failure
from pipeline.resources import PipelineDatabase

weekly_partitions = dg.WeeklyPartitionsDefinition(start_date="2026-01-05", timezone="UTC", day_offset=1)  # Mondays
CONCURRENCY = 4  # requests in flight at once: the provider's rate limit, not ours, is the bound

SYSTEM_PROMPT = (
    "You write for a SaaS company's account managers. Given one organization's numbers for one week, "
    "write one short paragraph (at most 80 words) on how the organization used the product: growth, "
    "engagement, invitations. Plain prose, no lists, no invented facts. "
    'Answer as JSON: {"summary": "..."}.'
)


class OrgWeekSummary(msgspec.Struct, frozen=True):
    # What the table's CHECK allows: an answer outside it is refused naming `$.summary` (and not
    # kept in the cache), instead of failing the week's insert for every organization.
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


def prompt(row: queries.WeekActivityRow, week_start: dt.date) -> ChatRequest:
    """The request for one organization's week: the same numbers, the same request (and key)."""
    week_end = week_start + dt.timedelta(days=6)
    facts = (
        f"Organization: {row.name}\n"
        f"Week: {week_start.isoformat()} to {week_end.isoformat()} ({row.days} days of data)\n"
        f"Members who joined: {row.signups}\n"
        f"Logins: {row.logins}\n"
        f"Most members active on one day: {row.peak_active_members}\n"
        f"Invitations sent: {row.invites_sent}, accepted so far: {row.invites_accepted}"
    )
    return ChatRequest(
        messages=[ChatMessage(role="system", content=SYSTEM_PROMPT), ChatMessage(role="user", content=facts)],
        temperature=0.0,
    )


async def summarize(llm: LLMCache, rows: list[queries.WeekActivityRow], week_start: dt.date) -> list[str]:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(row: queries.WeekActivityRow) -> str:
        async with gate:
            answer = await llm.structured(prompt(row, week_start), OrgWeekSummary)
        return answer.summary.strip()

    try:
        return list(await asyncio.gather(*(one(row) for row in rows)))
    finally:
        await llm.llm.close()


@dg.asset(
    partitions_def=weekly_partitions,
    deps=[org_daily_activity],
    group_name="external",
    kinds={"openai", "postgres"},
    description="Each week (Monday to Sunday, UTC), one LLM-written paragraph per organization with any "
    "activity, from org_daily_activity, through the LLM cache. Table analytics.org_summaries.",
)
def org_summaries(
    context: dg.AssetExecutionContext, database: PipelineDatabase, llm: LLMResource, clock: dg.ResourceParam[Clock]
) -> dg.MaterializeResult:
    week_start = dt.date.fromisoformat(context.partition_key)
    week_end = week_start + dt.timedelta(days=7)
    rows = database.run(lambda conn: queries.week_activity(conn, starts_on=week_start, ends_on=week_end))
    client = llm.client()
    try:
        summaries = asyncio.run(summarize(client, rows, week_start))
    except (ExternalError, LLMCacheMiss) as error:
        raise failure(
            f"org_summaries {week_start}", error, "No summary was written; the week's previous summaries stay."
        ) from error
    model = client.llm.settings.openai_model

    async def replace(conn) -> int:
        await queries.delete_org_summaries(conn, week_start=week_start)
        return await queries.insert_org_summaries(
            conn,
            week_start=week_start,
            model=model,
            now=clock.now(),
            org_ids=[row.org_id for row in rows],
            summaries=summaries,
        )

    written = database.run(replace)
    context.log.info(f"org_summaries {week_start}: {written} organizations summarized")
    return dg.MaterializeResult(metadata={"week_start": week_start.isoformat(), "organizations": written})
