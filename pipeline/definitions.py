"""The code location's definitions: `dagster dev -m pipeline.definitions` (or `just pipeline`)."""

import datetime as dt

import dagster as dg

from foundation.time import system_clock
from pipeline import activity, funnel
from pipeline.resources import database_from_env

daily_activity_job = dg.define_asset_job(
    "daily_activity_job", selection=dg.AssetSelection.assets(activity.org_daily_activity)
)
signup_funnel_job = dg.define_asset_job("signup_funnel_job", selection=dg.AssetSelection.assets(funnel.signup_funnel))
freshness_job = dg.define_asset_job(
    "analytics_freshness_job", selection=dg.AssetSelection.checks(activity.org_daily_activity_fresh)
)


@dg.schedule(job=daily_activity_job, cron_schedule="0 1 * * *", execution_timezone="UTC")
def daily_activity_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Shortly after midnight UTC: yesterday's partition, the last complete day."""
    tick = context.scheduled_execution_time
    day = (tick.astimezone(dt.UTC).date() - dt.timedelta(days=1)).isoformat()
    return dg.RunRequest(run_key=f"org_daily_activity:{day}", partition_key=day)


signup_funnel_schedule = dg.ScheduleDefinition(
    name="signup_funnel_schedule", job=signup_funnel_job, cron_schedule="15 1 * * *", execution_timezone="UTC"
)
# Later in the morning, on its own: catches a daily run that never happened, not only one that failed.
freshness_schedule = dg.ScheduleDefinition(
    name="analytics_freshness_schedule", job=freshness_job, cron_schedule="0 6 * * *", execution_timezone="UTC"
)

defs = dg.Definitions(
    assets=[activity.org_daily_activity, funnel.signup_funnel],
    asset_checks=[
        activity.org_daily_activity_matches_source,
        activity.org_daily_activity_no_negative_counts,
        activity.org_daily_activity_fresh,
        funnel.signup_funnel_is_consistent,
    ],
    jobs=[daily_activity_job, signup_funnel_job, freshness_job],
    schedules=[daily_activity_schedule, signup_funnel_schedule, freshness_schedule],
    resources={"database": database_from_env(), "clock": system_clock},
)
