"""The committed web console bundle (panopticon/web/static) is what its sources build to, and the
build is deterministic. Skipped without Node, except in CI."""

import os
import shutil
from pathlib import Path

import pytest

from tools import web


def _require_node() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js and npm are required in CI to check the web console's bundle")
        pytest.skip("Node.js and npm not found: install Node 20+ to check the web console's bundle")


def test_the_committed_bundle_is_fresh() -> None:
    _require_node()
    assert web.stale() == [], "panopticon/web/static is stale: run `uv run just web` and commit it"


def test_the_build_is_deterministic(tmp_path: Path) -> None:
    _require_node()
    web.build(tmp_path / "a")
    web.build(tmp_path / "b")
    for name in web.OUTPUTS:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert str(tmp_path) not in (tmp_path / "a" / "console.js").read_text()  # no absolute path baked in
