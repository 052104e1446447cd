"""A run that fails posts one line to Slack: which job, which partition, the error's first line
and the run's id (the sensor runs under the Dagster daemon, `just pipeline` starts one)."""

import asyncio

import dagster as dg

from foundation.logging import get_logger
from pipeline.external import SlackResource

log = get_logger("blossom.pipeline.alerts")


def failure_reason(context: dg.RunFailureSensorContext) -> str:
    """The first failed step's own words (our `dg.Failure` descriptions name the asset and what
    was kept), else the run's failure message."""
    for event in context.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data is not None and data.user_failure_data.description:
            return data.user_failure_data.description
        if data.error is not None:
            return f"step {event.step_key}: {data.error.message}"
    return context.failure_event.message or "no message"


def alert_text(run: dg.DagsterRun, message: str) -> str:
    partition = run.tags.get("dagster/partition")
    where = f"{run.job_name}" + (f" (partition {partition})" if partition else "")
    first_line = (message.strip().splitlines() or ["no message"])[0][:500]
    return f":rotating_light: {where} failed: {first_line} (run {run.run_id})"


@dg.run_failure_sensor(
    name="slack_on_run_failure",
    description="Post every failed run of this code location to the Slack channel.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def slack_on_run_failure(context: dg.RunFailureSensorContext, slack: SlackResource) -> None:
    text = alert_text(context.dagster_run, failure_reason(context))
    # An alert that cannot be sent raises: the sensor's tick shows it failed, in the UI and logs.
    asyncio.run(slack.client().post_message(slack.channel, text))
    log.info("run_failure_alert", run_id=context.dagster_run.run_id, job=context.dagster_run.job_name)
