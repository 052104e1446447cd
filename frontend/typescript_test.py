"""The TypeScript suite: type-checked with `tsc --strict`, run with Node's test runner against a
live product server on the test database. Skipped (with a reason) where Node is missing,
except in CI, where a missing Node fails."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from database.testing.fixture import T
from foundation.settings import REPO_ROOT
from foundation.testing.fakes.openai import openai_fake
from foundation.testing.servers import free_port, get_json, granian

FRONTEND = REPO_ROOT / "frontend"


def _require_node() -> str:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js and npm are required in CI to run the TypeScript suite")
        pytest.skip("Node.js and npm not found: install Node 20+ to run the TypeScript client suite")
    return npm


def _install(npm: str) -> None:
    """`npm ci` when node_modules is missing or older than the lock file."""
    marker = FRONTEND / "node_modules" / ".package-lock.json"
    lock = FRONTEND / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def test_the_generated_client_against_a_live_server(t: T, tmp_path: Path) -> None:
    npm = _require_node()
    _install(npm)
    org, other = await t.factory.org(), await t.factory.org()
    user = await t.factory.user()
    for target in (org, org, other):
        await t.factory.note(target)
    handle = "typescript-suite"  # the assistant workspace the chat test talks to
    now = t.clock.now()
    async with t.db.owner.acquire() as conn:
        workspace_id = await conn.fetchval(
            "INSERT INTO workspaces (org_id, display_name, created_at, updated_at)"
            " VALUES ($1, 'TS', $2, $2) RETURNING id",
            org.id,
            now,
        )
        await conn.execute(
            "INSERT INTO workspace_handles (org_id, workspace_id, handle, created_at) VALUES ($1, $2, $3, $4)",
            org.id,
            workspace_id,
            handle,
            now,
        )

    port = free_port()
    outbox = tmp_path / "outbox.jsonl"  # the server records mail here; the journey reads invitation codes
    env = {
        **os.environ,
        "BLOSSOM_ENV": "test",
        "LOG_FORMAT": "json",
        "DATABASE_URL": t.db.target.admin.render(),
        "APP_DATABASE_URL": t.db.target.app.render(),
        "BLOSSOM_MAIL_OUTBOX": str(outbox),
    }
    server_log = tmp_path / "server.log"
    # The assistant's replies come from a fake OpenAI server (it echoes the visitor's message).
    with openai_fake() as fake, granian("product.asgi:app", port, env | fake.settings(), cwd=REPO_ROOT, log=server_log):
        status, _ = get_json(f"http://127.0.0.1:{port}/health")
        assert status == 200
        result = subprocess.run(  # noqa: ASYNC221 (the server under test is another process)
            [npm, "test"],
            cwd=FRONTEND,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env={
                **os.environ,
                "BLOSSOM_PRODUCT_URL": f"http://127.0.0.1:{port}",
                "BLOSSOM_TEST_USER": user.id,
                "BLOSSOM_TEST_ORG": org.id,
                "BLOSSOM_TEST_HANDLE": handle,
                "BLOSSOM_MAIL_OUTBOX": str(outbox),
            },
        )
    output = result.stdout + result.stderr + "\n--- server log ---\n" + server_log.read_text(errors="replace")[-5000:]
    assert result.returncode == 0, output
    assert "# fail 0" in output, output
    assert "# pass 0" not in output, output
