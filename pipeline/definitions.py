"""The code location's definitions: `dagster dev -m pipeline.definitions` (or `just pipeline`)."""

import datetime as dt

import dagster as dg

from foundation.settings import REPO_ROOT
from foundation.time import system_clock
from pipeline import activity, alerts, digest, funnel, sheet, summaries
from pipeline.external import LLMResource, SheetsResource, SlackResource
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


summaries_job = dg.define_asset_job("org_summaries_job", selection=dg.AssetSelection.assets(summaries.org_summaries))
metrics_sheet_job = dg.define_asset_job("metrics_sheet_job", selection=dg.AssetSelection.assets(sheet.metrics_sheet))


@dg.schedule(job=summaries_job, cron_schedule="0 2 * * 1", execution_timezone="UTC")
def org_summaries_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Mondays at 02:00 UTC, after Sunday's daily partition: the week (Monday to Sunday) just ended."""
    today = context.scheduled_execution_time.astimezone(dt.UTC).date()
    week = (today - dt.timedelta(days=today.weekday() + 7)).isoformat()
    return dg.RunRequest(run_key=f"org_summaries:{week}", partition_key=week)


metrics_sheet_schedule = dg.ScheduleDefinition(
    name="metrics_sheet_schedule", job=metrics_sheet_job, cron_schedule="30 1 * * *", execution_timezone="UTC"
)
signup_funnel_schedule = dg.ScheduleDefinition(
    name="signup_funnel_schedule", job=signup_funnel_job, cron_schedule="15 1 * * *", execution_timezone="UTC"
)
# Later in the morning, on its own: catches a daily run that never happened, not only one that failed.
freshness_schedule = dg.ScheduleDefinition(
    name="analytics_freshness_schedule", job=freshness_job, cron_schedule="0 6 * * *", execution_timezone="UTC"
)

# Credentials come from the environment when a run needs them (a run that does not, needs none).
EXTERNAL_RESOURCES = {
    "llm": LLMResource(api_key=dg.EnvVar("OPENAI_API_KEY"), cache_dir=str(REPO_ROOT / ".blossom" / "llm-cache")),
    "slack": SlackResource(bot_token=dg.EnvVar("SLACK_BOT_TOKEN")),
    "sheets": SheetsResource(
        service_account_file=dg.EnvVar("GOOGLE_SERVICE_ACCOUNT_FILE"),
        spreadsheet_id=dg.EnvVar("METRICS_SPREADSHEET_ID"),
    ),
}

defs = dg.Definitions(
    assets=[activity.org_daily_activity, funnel.signup_funnel, summaries.org_summaries, sheet.metrics_sheet],
    asset_checks=[
        activity.org_daily_activity_matches_source,
        activity.org_daily_activity_no_negative_counts,
        activity.org_daily_activity_fresh,
        funnel.signup_funnel_is_consistent,
    ],
    jobs=[
        daily_activity_job,
        signup_funnel_job,
        freshness_job,
        summaries_job,
        metrics_sheet_job,
        digest.slack_digest_job,
    ],
    schedules=[
        daily_activity_schedule,
        signup_funnel_schedule,
        freshness_schedule,
        org_summaries_schedule,
        metrics_sheet_schedule,
        digest.slack_digest_schedule,
    ],
    sensors=[alerts.slack_on_run_failure],
    resources={"database": database_from_env(), "clock": system_clock, **EXTERNAL_RESOURCES},
)
