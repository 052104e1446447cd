"""A database outage, for real: the product app on a PostgreSQL server of this test's own, which
the test stops and starts again. (The suite's shared server is never stopped.)

While the server is down every request that needs it answers 503 with Retry-After (no 500, no
traceback per request) and one line says the database is unavailable; a request that needs no
database is served as usual; when the server is back a request succeeds within about a second
and one line says so."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from database import embedded
from database.migrate import apply_migrations
from database.provision import provision
from database.target import DatabaseTarget, PgUrl, target_from_admin_url
from foundation.ids import new_id
from foundation.logging import flush_logs
from foundation.settings import load_settings
from product.app import create_app


@pytest.fixture
def own_server() -> Iterator[tuple[Path, DatabaseTarget]]:
    # Under /tmp itself, not pytest's tmp_path: pytest resets its own folder to mode 0700 whenever
    # a session starts, which locks out the server's system user when tests run as root.
    base = Path(tempfile.mkdtemp(prefix="blossom-outage-test-"))
    data_dir = base / "pg"
    try:
        server = embedded.ensure_running(data_dir, settings=embedded.FAST_UNSAFE_SETTINGS)
        target = target_from_admin_url(PgUrl.parse(server.url("blossom_outage")), embedded=False)
        provision(target)
        apply_migrations(target)
        yield data_dir, target
    finally:
        embedded.stop(data_dir)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
async def http(own_server: tuple[Path, DatabaseTarget]) -> AsyncIterator[httpx.AsyncClient]:
    _, target = own_server
    settings = load_settings(
        {
            "DATABASE_URL": target.admin.render(),
            "APP_DATABASE_URL": target.app.render(),
            "BLOSSOM_ENV": "test",
            "LOG_FORMAT": "json",
        }
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.fallback.test_app(),
        httpx.AsyncClient(transport=transport, base_url="https://product.test") as client,
    ):
        yield client


def _output(capsys: pytest.CaptureFixture[str]) -> str:
    # Loggers made before logging was configured print to stdout (console format): read both.
    flush_logs()
    captured = capsys.readouterr()
    return captured.out + captured.err


def _lines(output: str, event: str) -> int:
    return sum(f'"event":"{event}"' in line or f" {event} " in line for line in output.splitlines())


async def test_an_outage_answers_503_logs_once_and_recovers_when_the_server_returns(
    own_server: tuple[Path, DatabaseTarget], http: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, _ = own_server
    as_user = {"x-test-principal": f"user={new_id('usr')}"}

    async def list_orgs() -> httpx.Response:  # a tenant transaction: needs the database
        return await http.post("/rpc/orgs.list", json={}, headers=as_user)

    response = await list_orgs()
    assert response.status_code == 200, response.text
    assert (await http.get("/health")).status_code == 200
    _output(capsys)  # forget what came before

    await asyncio.to_thread(embedded.stop, data_dir)
    for _ in range(30):
        response = await list_orgs()
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "unavailable"
        assert 1 <= int(response.headers["retry-after"]) <= 5
    health = await http.get("/health")
    assert health.status_code == 503
    assert health.json()["database"]["reachable"] is False
    ping = await http.post("/rpc/demo.ping", json={"message": "no database needed"})
    assert ping.status_code == 200
    output = _output(capsys)
    assert "Traceback" not in output
    assert _lines(output, "unhandled_error") == 0
    assert _lines(output, "database_unavailable") == 1

    await asyncio.to_thread(embedded.ensure_running, data_dir, settings=embedded.FAST_UNSAFE_SETTINGS)
    back = time.monotonic()
    while (response := await list_orgs()).status_code != 200 and time.monotonic() - back < 5:
        assert response.status_code == 503, response.text
        await asyncio.sleep(0.02)
    assert response.status_code == 200, response.text  # (within about a second; bounded at 5 s here)
    assert (await http.get("/health")).status_code == 200
    assert _lines(_output(capsys), "database_available") == 1
