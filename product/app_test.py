import asyncio
import os
import subprocess
import sys

import pytest

from database.testing.app_checks import check_health_reports_database, check_refuses_a_role_that_bypasses_rls
from database.testing.fixture import T
from foundation.errors import ConfigurationError
from foundation.settings import REPO_ROOT, load_settings
from product.app import create_app
from product.testing import PASSWORD, product_harness


async def test_health_reports_the_database_and_schema_version(t: T) -> None:
    await check_health_reports_database(t, create_app, "product")


async def test_the_app_refuses_to_start_as_a_role_that_bypasses_rls(t: T) -> None:
    await check_refuses_a_role_that_bypasses_rls(t, create_app)


def test_the_demo_routes_are_served_in_development_and_tests_never_in_production(t: T) -> None:
    base = {
        "DATABASE_URL": t.db.target.admin.render(),
        "BLOSSOM_SECRET_KEY": "k" * 32,
        "SMTP_HOST": "smtp.example.com",
        "MAIL_FROM": "no-reply@example.com",
    }
    production = create_app(load_settings({**base, "BLOSSOM_ENV": "production"}))
    development = create_app(load_settings({**base, "BLOSSOM_ENV": "development"}))
    assert "demo.count" not in production.router.routes
    assert "auth.login" in production.router.routes
    assert {"demo.count", "demo.ping", "auth.login"} <= set(development.router.routes)


async def test_a_frontend_on_an_allowed_origin_signs_in_and_calls_with_its_cookie(t: T) -> None:
    async with product_harness(t, CORS_ALLOWED_ORIGINS="https://app.example") as product:
        origin = {"origin": "https://app.example"}
        client = product.client()
        await client.post(
            "/rpc/auth.signup",
            json={"email": "fe@example.com", "password": PASSWORD, "display_name": "Fe"},
            headers=origin,
        )
        login = await client.post(
            "/rpc/auth.login", json={"email": "fe@example.com", "password": PASSWORD}, headers=origin
        )
        assert login.headers["access-control-allow-credentials"] == "true"
        created = await client.post("/rpc/orgs.create", json={"name": "Cross"}, headers=origin)
        assert created.status_code == 200, created.text
        assert created.headers["access-control-allow-origin"] == "https://app.example"
        evil = await client.post("/rpc/orgs.create", json={"name": "Evil"}, headers={"origin": "https://evil.example"})
        assert evil.status_code == 403


@pytest.mark.parametrize("app", ["product", "panopticon"])
def test_the_server_entry_point_refuses_to_start_without_blossom_env(app: str) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "BLOSSOM_ENV"}
    probe = [sys.executable, "-c", f"import {app}.asgi"]
    refused = subprocess.run(probe, cwd=REPO_ROOT, env=environ, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert (
        refused.stderr.strip()
        .splitlines()[-1]
        .endswith("BLOSSOM_ENV is not set: a server must be told where it runs (production, development or test)")
    )
    told = subprocess.run(
        probe, cwd=REPO_ROOT, env={**environ, "BLOSSOM_ENV": "development"}, capture_output=True, text=True, timeout=120
    )
    assert told.returncode == 0, told.stderr


async def test_health_stays_200_when_every_connection_is_busy(t: T) -> None:
    # A load balancer must not pull a replica because its pool is saturated.
    async with product_harness(t, DATABASE_POOL_SIZE="1") as product:
        first = await product.http.get("/health")
        version = first.json()["database"]["schema_version"]
        taken, done = asyncio.Event(), asyncio.Event()

        async def hold() -> None:  # another task takes the only connection, as a request would
            async with product.database.pool.acquire():
                taken.set()
                await done.wait()

        holder = asyncio.create_task(hold())
        await taken.wait()
        busy = await product.http.get("/health")
        done.set()
        await holder
        assert busy.status_code == 200
        assert busy.json()["database"] == {"reachable": True, "busy": True, "schema_version": version}


def test_the_app_factory_refuses_to_build_without_blossom_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # `granian --factory product.app:create_app` must fail closed as product.asgi does.
    monkeypatch.delenv("BLOSSOM_ENV", raising=False)
    with pytest.raises(ConfigurationError, match=r"^BLOSSOM_ENV is not set"):
        create_app()
