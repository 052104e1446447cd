"""Checks every app that serves the database must pass; each app's tests call them with its factory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from database.migrate import migration_files
from database.testing.fixture import T
from foundation.errors import ConfigurationError
from foundation.rpc.dispatch import RpcApp
from foundation.settings import Settings, load_settings


def _environ(t: T, app_url: str, environment: str = "development") -> dict[str, str]:
    return {
        "DATABASE_URL": t.db.target.admin.render(),
        "APP_DATABASE_URL": app_url,
        "LOG_FORMAT": "json",
        "BLOSSOM_ENV": environment,
    }


def _settings(t: T, app_url: str, environment: str = "development") -> Settings:
    return load_settings(_environ(t, app_url, environment))


@contextlib.asynccontextmanager
async def rpc_client(t: T, create_app: Callable[[Settings], RpcApp]) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client (over ASGI) for the app, started on the test database in test mode, where the
    `x-test-principal` header authenticates."""
    app = create_app(_settings(t, t.db.target.app.render(), environment="test"))
    transport = httpx.ASGITransport(app=app)
    async with app.fallback.test_app(), httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        yield client


async def check_health_reports_database(t: T, create_app: Callable[[Settings], RpcApp], name: str) -> None:
    app = create_app(_settings(t, t.db.target.app.render()))
    transport = httpx.ASGITransport(app=app)
    async with app.fallback.test_app(), httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "app": name,
        "status": "ok",
        "database": {"reachable": True, "schema_version": migration_files()[-1].stem},
    }


async def check_refuses_a_role_that_bypasses_rls(
    t: T, create_app: Callable[[Settings], RpcApp], url_setting: str = "APP_DATABASE_URL"
) -> None:
    """`url_setting`: the variable naming the app's URL (panopticon: PANOPTICON_DATABASE_URL)."""
    app = create_app(load_settings({**_environ(t, t.db.target.app.render()), url_setting: t.db.target.owner.render()}))
    with pytest.raises(ConfigurationError, match="refusing to serve requests as role 'blossom_owner'"):
        async with app.fallback.test_app():
            pass
