import os
import subprocess
import sys

import dagster as dg

from foundation.settings import REPO_ROOT
from pipeline.definitions import defs


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
