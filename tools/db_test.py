"""`just psql` and `just lint`'s schema check, as real processes on embedded servers in a fresh folder:
each stops the server it started and leaves one that was already running alone."""

import os
import subprocess
import sys
from pathlib import Path

from database import embedded
from foundation.settings import REPO_ROOT


def _tools_db(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_URL", "APP_DATABASE_URL"}}
    env["BLOSSOM_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "tools.db", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_psql_stops_the_server_it_started_and_leaves_a_running_one(tmp_path: Path) -> None:
    postgres = tmp_path / "postgres"
    try:
        result = _tools_db(tmp_path, "psql", "-At", "-c", "SELECT current_user")
        assert (result.returncode, result.stdout) == (0, "blossom_owner\n"), result.stderr
        assert not embedded.is_running(postgres), "psql stops the server it started"

        embedded.ensure_running(postgres)  # as `just dev` in another terminal would
        result = _tools_db(tmp_path, "psql", "--as", "app", "-At", "-c", "SELECT current_user")
        assert (result.returncode, result.stdout) == (0, "blossom_app\n"), result.stderr
        assert embedded.is_running(postgres), "a server that was running keeps running"
    finally:
        embedded.stop(postgres)


def test_the_schema_check_stops_the_test_cluster_it_started(tmp_path: Path) -> None:
    try:
        result = _tools_db(tmp_path, "schema", "--check")
        assert result.returncode == 0, result.stderr
        assert "schema.sql is up to date" in result.stdout
        assert (tmp_path / "postgres-test" / "PG_VERSION").exists(), "ran on the test cluster of BLOSSOM_DATA_DIR"
        assert not embedded.is_running(tmp_path / "postgres-test")
    finally:
        embedded.stop(tmp_path / "postgres-test")
