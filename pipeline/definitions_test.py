import os
import subprocess
import sys

import dagster as dg

from foundation.settings import REPO_ROOT
from pipeline.definitions import defs
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
    assert {key.to_user_string() for key in defs.resolve_all_asset_keys()} == {"org_daily_activity", "signup_funnel"}
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert checks == {
        "org_daily_activity_matches_source",
        "org_daily_activity_no_negative_counts",
        "org_daily_activity_fresh",
        "signup_funnel_is_consistent",
    }
    for name in ("signup_funnel_job", "analytics_freshness_job"):
        defs.resolve_job_def(name)


def test_the_database_url_comes_from_the_environment() -> None:
    database = (defs.resources or {})["database"]
    assert isinstance(database, PipelineDatabase)
    assert database.url == dg.EnvVar("PIPELINE_DATABASE_URL")
