import datetime as dt
from pathlib import Path

from database.testing.fixture import T
from foundation.testing.fakes.sheets import FakeSheets
from pipeline.external_testing import SPREADSHEET, materialize_with, sheets_for
from pipeline.funnel import signup_funnel
from pipeline.sheet import DAILY_HEADER, metrics_sheet
from pipeline.summaries_test import failure_message


async def arrange(t: T) -> None:
    a, b = await t.factory.org(), await t.factory.org()
    await t.factory.membership(a, await t.factory.user(verified=True), "owner")
    async with t.db.owner.acquire() as conn:
        await conn.executemany(
            "INSERT INTO analytics.org_daily_activity"
            " (org_id, day, signups, logins, active_members, invites_sent, invites_accepted, materialized_at)"
            " VALUES ($1, $2::text::date, $3, $4, $5, $6, $7, now())",
            [
                (a.id, "2026-01-09", 1, 2, 2, 1, 0),
                (b.id, "2026-01-09", 0, 0, 0, 0, 0),
                (a.id, "2026-01-10", 0, 3, 1, 2, 1),
                (b.id, "2026-01-10", 2, 2, 2, 0, 0),
                (a.id, "2025-12-01", 5, 5, 5, 5, 5),  # outside the 30 days
            ],
        )


async def test_the_sheet_gets_the_daily_totals_and_the_funnel(t: T, fake_sheets: FakeSheets, tmp_path: Path) -> None:
    await arrange(t)
    fake_sheets.add_worksheet(SPREADSHEET, "Daily", [["stale"], ["rows"], ["from before"]])
    fake_sheets.add_worksheet(SPREADSHEET, "Funnel")
    t.clock.set(dt.datetime(2026, 1, 11, 8, tzinfo=dt.UTC))
    resources = {"sheets": sheets_for(fake_sheets, tmp_path)}
    result = await materialize_with(t, [signup_funnel, metrics_sheet], resources)
    assert result.success
    daily = [[str(cell) for cell in row] for row in fake_sheets.worksheet(SPREADSHEET, "Daily").rows]
    assert daily == [
        DAILY_HEADER,
        ["2026-01-09", "2", "1", "1", "2", "2", "1", "0"],
        ["2026-01-10", "2", "2", "2", "5", "3", "2", "1"],
    ]
    funnel = [[str(cell) for cell in row] for row in fake_sheets.worksheet(SPREADSHEET, "Funnel").rows]
    assert funnel == [
        ["step", "users"],
        ["signed_up", "1"],
        ["verified_email", "1"],
        ["joined_an_org", "1"],
        ["invited_someone", "0"],
    ]


async def test_a_sheets_outage_fails_the_run_with_a_clear_message(
    t: T, fake_sheets: FakeSheets, tmp_path: Path
) -> None:
    await arrange(t)
    fake_sheets.add_worksheet(SPREADSHEET, "Daily", [["kept"]])
    fake_sheets.add_worksheet(SPREADSHEET, "Funnel")
    fake_sheets.stall_next(0)  # the token request is answered as usual
    fake_sheets.fail_next(503, times=20)  # then Sheets itself is down
    result = await materialize_with(t, [metrics_sheet], {"sheets": sheets_for(fake_sheets, tmp_path)})
    assert not result.success
    assert failure_message(result).startswith("metrics_sheet: sheets is unavailable: ")
    assert fake_sheets.worksheet(SPREADSHEET, "Daily").rows == [["kept"]]
