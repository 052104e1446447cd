import datetime as dt

import dagster as dg

from pipeline.definitions import (
    daily_activity_schedule,
    defs,
    freshness_schedule,
    signup_funnel_schedule,
)

REPOSITORY = defs.get_repository_def()


def test_the_daily_schedule_requests_yesterdays_partition() -> None:
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC), repository_def=REPOSITORY
    )
    result = daily_activity_schedule.evaluate_tick(context)
    assert [request.partition_key for request in result.run_requests or []] == ["2026-03-09"]
    assert [request.run_key for request in result.run_requests or []] == ["org_daily_activity:2026-03-09"]
    assert daily_activity_schedule.cron_schedule == "0 1 * * *"
    assert daily_activity_schedule.execution_timezone == "UTC"


def test_the_first_of_the_month_requests_the_last_day_of_the_month_before() -> None:
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.UTC), repository_def=REPOSITORY
    )
    result = daily_activity_schedule.evaluate_tick(context)
    assert [request.partition_key for request in result.run_requests or []] == ["2026-02-28"]


def test_the_funnel_and_freshness_schedules_run_their_jobs() -> None:
    for schedule, job, cron in (
        (signup_funnel_schedule, "signup_funnel_job", "15 1 * * *"),
        (freshness_schedule, "analytics_freshness_job", "0 6 * * *"),
    ):
        context = dg.build_schedule_context(
            scheduled_execution_time=dt.datetime(2026, 3, 10, 6, tzinfo=dt.UTC), repository_def=REPOSITORY
        )
        result = schedule.evaluate_tick(context)
        assert len(result.run_requests or []) == 1
        assert schedule.job_name == job and schedule.cron_schedule == cron
