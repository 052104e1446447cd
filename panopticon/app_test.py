import httpx
import pytest

from database.testing.app_checks import (
    check_health_reports_database,
    check_refuses_a_role_that_bypasses_rls,
    rpc_client,
)
from database.testing.fixture import T
from foundation.errors import ConfigurationError
from foundation.settings import load_settings
from panopticon.app import create_app


async def test_health_reports_the_database_and_schema_version(t: T) -> None:
    await check_health_reports_database(t, create_app, "panopticon")


async def test_the_app_refuses_to_start_as_a_role_that_bypasses_rls(t: T) -> None:
    await check_refuses_a_role_that_bypasses_rls(t, create_app, "PANOPTICON_DATABASE_URL")


async def test_every_route_is_served_over_jsonrpc_too(t: T) -> None:
    """The same routes at POST /jsonrpc: an administrator's call answers, anyone else's is refused
    per call (-32002), in one batch."""
    calls = [{"jsonrpc": "2.0", "method": "system.whoami", "id": n} for n in (1, 2)]
    async with rpc_client(t, create_app) as client:
        admin = await client.post("/jsonrpc", json=calls, headers={"x-test-principal": "admin=adm_1"})
        anonymous = await client.post("/jsonrpc", json=calls[0])
    assert admin.status_code == 200
    assert [a["result"] for a in admin.json()] == [{"app": "panopticon", "admin_id": "adm_1", "role": "owner"}] * 2
    assert anonymous.json()["error"]["code"] == -32002
    assert anonymous.json()["error"]["data"]["code"] == "unauthenticated"


async def test_the_test_header_is_ignored_outside_test_mode(t: T) -> None:
    """`x-test-principal` authenticates only under BLOSSOM_ENV=test; in development (and
    production) it is nobody."""
    settings = load_settings(
        {
            "DATABASE_URL": t.db.target.admin.render(),
            "APP_DATABASE_URL": t.db.target.app.render(),
            "BLOSSOM_ENV": "development",
            "LOG_FORMAT": "json",
        }
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.fallback.test_app(), httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        response = await client.get("/rpc/system.whoami", headers={"x-test-principal": "admin=adm_1"})
    assert response.status_code == 401


def test_production_refuses_to_start_without_an_encryption_key() -> None:
    settings = load_settings(
        {
            "BLOSSOM_ENV": "production",
            "DATABASE_URL": "postgresql://u@db/x",
            "BLOSSOM_SECRET_KEY": "s" * 40,
            "SMTP_HOST": "smtp.example.com",
            "MAIL_FROM": "no-reply@example.com",
        }
    )
    with pytest.raises(ConfigurationError, match="BLOSSOM_ENCRYPTION_KEY"):
        create_app(settings)
