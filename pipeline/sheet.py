"""`metrics_sheet`: the daily totals and the signup funnel, exported to the metrics spreadsheet
(worksheets `Daily` and `Funnel`, each replaced in one batch update)."""

import asyncio
import datetime as dt

import dagster as dg

from foundation.external.errors import ExternalError
from foundation.external.sheets import SheetsClient
from foundation.time import Clock
from pipeline import queries
from pipeline.activity import org_daily_activity
from pipeline.external import SheetsResource, failure
from pipeline.funnel import signup_funnel
from pipeline.resources import PipelineDatabase

DAYS = 30  # the Daily worksheet's window, ending yesterday (UTC)
DAILY_HEADER = [
    "day",
    "organizations",
    "active organizations",
    "signups",
    "logins",
    "active members",
    "invites sent",
    "invites accepted",
]
FUNNEL_HEADER = ["step", "users"]


def daily_rows(totals: list[queries.DailyTotalsRow]) -> list[list[str | int]]:
    header: list[str | int] = list(DAILY_HEADER)
    return [header] + [
        [
            row.day.isoformat(),
            row.orgs,
            row.active_orgs,
            row.signups,
            row.logins,
            row.active_members,
            row.invites_sent,
            row.invites_accepted,
        ]
        for row in totals
    ]


async def export(client: SheetsClient, spreadsheet_id: str, daily: list, funnel: list) -> None:
    await client.replace_rows(spreadsheet_id, "Daily", daily)
    await client.replace_rows(spreadsheet_id, "Funnel", funnel)


@dg.asset(
    deps=[org_daily_activity, signup_funnel],
    group_name="external",
    kinds={"googlesheets"},
    description=f"The last {DAYS} days' totals over every organization (worksheet Daily) and the signup "
    "funnel (worksheet Funnel), written to the metrics spreadsheet.",
)
def metrics_sheet(
    database: PipelineDatabase, sheets: SheetsResource, clock: dg.ResourceParam[Clock]
) -> dg.MaterializeResult:
    if not sheets.spreadsheet_id:
        raise dg.Failure(description="metrics_sheet: no spreadsheet configured (METRICS_SPREADSHEET_ID)")
    last = clock.now().date() - dt.timedelta(days=1)
    first = last - dt.timedelta(days=DAYS - 1)

    async def read(conn):
        return (
            await queries.daily_totals(conn, first_day=first, last_day=last),
            await queries.signup_funnel(conn),
        )

    totals, steps = database.run(read)
    daily = daily_rows(totals)
    funnel = [FUNNEL_HEADER] + [[row.step, row.users] for row in steps]
    try:
        asyncio.run(export(sheets.client(), sheets.spreadsheet_id, daily, funnel))
    except ExternalError as error:
        raise failure("metrics_sheet", error, "Each worksheet is replaced whole or not at all.") from error
    return dg.MaterializeResult(
        metadata={"days": len(totals), "first_day": first.isoformat(), "last_day": last.isoformat()}
    )
