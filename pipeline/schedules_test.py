import datetime as dt

import dagster as dg

from pipeline.definitions import (
    daily_activity_schedule,
    defs,
    freshness_schedule,
    metrics_sheet_schedule,
    org_summaries_schedule,
    signup_funnel_schedule,
)
from pipeline.digest import slack_digest_schedule
from pipeline.summaries import weekly_partitions

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
        (metrics_sheet_schedule, "metrics_sheet_job", "30 1 * * *"),
        (slack_digest_schedule, "slack_digest_job", "0 7 * * *"),
    ):
        context = dg.build_schedule_context(
            scheduled_execution_time=dt.datetime(2026, 3, 10, 6, tzinfo=dt.UTC), repository_def=REPOSITORY
        )
        result = schedule.evaluate_tick(context)
        assert len(result.run_requests or []) == 1
        assert schedule.job_name == job and schedule.cron_schedule == cron


def test_the_weekly_schedule_requests_the_week_that_just_ended() -> None:
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 3, 9, 2, 0, tzinfo=dt.UTC), repository_def=REPOSITORY
    )  # a Monday
    result = org_summaries_schedule.evaluate_tick(context)
    assert [request.partition_key for request in result.run_requests or []] == ["2026-03-02"]
    assert weekly_partitions.has_partition_key("2026-03-02")
    assert org_summaries_schedule.cron_schedule == "0 2 * * 1"
