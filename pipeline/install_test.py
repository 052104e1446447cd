"""`just pipeline` works out of the box for a developer, and the apps' own install leaves Dagster out."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

from foundation.settings import REPO_ROOT
from foundation.testing.servers import free_port, get_json

_LOCATIONS_QUERY = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"


def test_dagster_is_a_default_group_for_developers_and_not_an_app_dependency() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    runtime = " ".join(project["project"]["dependencies"])
    assert "dagster" not in runtime
    pipeline_group = " ".join(project["dependency-groups"]["pipeline"])
    assert "dagster>=" in pipeline_group and "dagster-webserver>=" in pipeline_group
    assert "pipeline" in project["tool"]["uv"]["default-groups"]


def _location_statuses(port: int) -> dict[str, str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": _LOCATIONS_QUERY}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        entries = json.loads(response.read())["data"]["workspaceOrError"]["locationEntries"]
    return {entry["name"]: entry["loadStatus"] for entry in entries}


def test_the_dagster_ui_serves_the_code_location(tmp_path: Path) -> None:
    # `just pipeline` runs `dagster dev`, which needs the webserver package; start the webserver
    # itself on the code location (lighter than `dagster dev`, which also starts a daemon).
    port = free_port()
    log = tmp_path / "webserver.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dagster_webserver",
                "-m",
                "pipeline.definitions",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            cwd=REPO_ROOT,
            env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        statuses: dict[str, str] = {}
        for _ in range(3000):
            if statuses.get("pipeline.definitions") == "LOADED":
                break
            assert server.poll() is None, log.read_text()
            with contextlib.suppress(OSError):  # not listening yet
                statuses = _location_statuses(port)  # the code server loads the location in the background
            time.sleep(0.2)
        assert statuses.get("pipeline.definitions") == "LOADED", statuses
        status, info = get_json(f"http://127.0.0.1:{port}/server_info")
        assert status == 200 and "dagster_webserver_version" in info, info
    finally:
        with contextlib.suppress(ProcessLookupError):  # the webserver and the code server it started
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        with contextlib.suppress(ProcessLookupError):  # anything of the group still there
            os.killpg(server.pid, signal.SIGKILL)
