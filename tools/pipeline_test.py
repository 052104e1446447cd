"""`just materialize` as a real process on an embedded server in a fresh folder: it migrates,
materializes as blossom_pipeline, records runs in DAGSTER_HOME and stops the server it started."""

import os
import subprocess
import sys
from pathlib import Path

from database import embedded
from foundation.settings import REPO_ROOT


def _tools_pipeline(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    removed = {"DATABASE_URL", "TEST_DATABASE_URL", "APP_DATABASE_URL", "PIPELINE_DATABASE_URL", "DAGSTER_HOME"}
    env = {k: v for k, v in os.environ.items() if k not in removed}
    env["BLOSSOM_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "tools.pipeline", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_materialize_runs_headlessly_and_stops_the_server_it_started(tmp_path: Path) -> None:
    postgres = tmp_path / "postgres"
    try:
        result = _tools_pipeline(tmp_path, "materialize", "--from", "2026-01-01", "--to", "2026-01-02")
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].startswith("org_daily_activity 2026-01-01: materialized (run ")
        assert lines[1].startswith("org_daily_activity 2026-01-02: materialized (run ")
        assert lines[2].startswith("signup_funnel: materialized (run ")
        assert lines[3] == f"runs recorded in {tmp_path / 'dagster'} (DAGSTER_HOME)"
        assert (tmp_path / "dagster").is_dir()
        assert not embedded.is_running(postgres), "materialize stops the server it started"
    finally:
        embedded.stop(postgres)


def test_an_unknown_asset_or_day_is_one_line(tmp_path: Path) -> None:
    try:
        result = _tools_pipeline(tmp_path, "materialize", "nope")
        assert (result.returncode, result.stderr.strip().splitlines()[-1]) == (
            1,
            "error: unknown asset nope; choose from metrics_sheet, org_daily_activity, org_summaries, signup_funnel",
        )
        result = _tools_pipeline(tmp_path, "materialize", "org_daily_activity", "--partition", "2020-01-01")
        assert result.returncode == 1
        assert (
            result.stderr.strip().splitlines()[-1].startswith("error: no partition '2020-01-01': from 2026-01-01 to ")
        )
    finally:
        embedded.stop(tmp_path / "postgres")
