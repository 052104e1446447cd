import httpx

from database.testing.fixture import T
from foundation.settings import load_settings
from panopticon.app import create_app


async def test_whoami_is_for_administrators_only(t: T) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": t.db.target.admin.render(),
            "APP_DATABASE_URL": t.db.target.app.render(),
            "BLOSSOM_ENV": "test",
            "LOG_FORMAT": "json",
        }
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.fallback.test_app(), httpx.AsyncClient(transport=transport, base_url="http://admin") as client:
        assert (await client.get("/rpc/system.whoami")).status_code == 401
        member = {"x-test-principal": "user=usr_1; org=org_1"}
        assert (await client.get("/rpc/system.whoami", headers=member)).status_code == 403
        response = await client.get("/rpc/system.whoami", headers={"x-test-principal": "admin=adm_1"})
    assert response.json() == {"app": "panopticon", "admin_id": "adm_1"}
