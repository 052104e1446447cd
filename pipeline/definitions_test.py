import os
import subprocess
import sys

import dagster as dg

from foundation.settings import REPO_ROOT
from pipeline.definitions import defs
from pipeline.external import LLMResource, SheetsResource, SlackResource
from pipeline.resources import PipelineDatabase


def test_definitions_import() -> None:
    assert isinstance(defs, dg.Definitions)


def test_dagster_loads_the_code_location(tmp_path) -> None:
    # The way `dagster dev` loads it, in a subprocess with its own instance directory.
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipeline.definitions"],
        cwd=REPO_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Validation successful for code location pipeline.definitions" in result.stderr + result.stdout


def test_every_job_resolves_and_covers_its_assets() -> None:
    dg.Definitions.validate_loadable(defs)
    activity_job = defs.resolve_job_def("daily_activity_job")
    assert activity_job.partitions_def is not None
    assert activity_job.partitions_def.get_first_partition_key() == "2026-01-01"
    assert {key.to_user_string() for key in defs.resolve_all_asset_keys()} == {
        "org_daily_activity",
        "signup_funnel",
        "org_summaries",
        "metrics_sheet",
    }
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert checks == {
        "org_daily_activity_matches_source",
        "org_daily_activity_no_negative_counts",
        "org_daily_activity_fresh",
        "signup_funnel_is_consistent",
    }
    for name in ("signup_funnel_job", "analytics_freshness_job", "org_summaries_job", "metrics_sheet_job"):
        defs.resolve_job_def(name)
    defs.resolve_job_def("slack_digest_job")
    assert defs.resolve_sensor_def("slack_on_run_failure").default_status == dg.DefaultSensorStatus.RUNNING


def test_urls_and_credentials_come_from_the_environment() -> None:
    resources = defs.resources or {}
    database = resources["database"]
    assert isinstance(database, PipelineDatabase)
    assert database.url == dg.EnvVar("PIPELINE_DATABASE_URL")
    llm, slack, sheets = resources["llm"], resources["slack"], resources["sheets"]
    assert isinstance(llm, LLMResource) and llm.api_key == dg.EnvVar("OPENAI_API_KEY")
    assert llm.cache_mode == "record"  # a rerun replays what the first run was told
    assert isinstance(slack, SlackResource) and slack.bot_token == dg.EnvVar("SLACK_BOT_TOKEN")
    assert isinstance(sheets, SheetsResource)
    assert sheets.service_account_file == dg.EnvVar("GOOGLE_SERVICE_ACCOUNT_FILE")
    assert sheets.spreadsheet_id == dg.EnvVar("METRICS_SPREADSHEET_ID")
