from database.testing.app_checks import rpc_client
from database.testing.fixture import T
from panopticon.app import create_app


async def test_whoami_is_for_administrators_only(t: T) -> None:
    async with rpc_client(t, create_app) as client:
        assert (await client.get("/rpc/system.whoami")).status_code == 401
        member = {"x-test-principal": "user=usr_1; org=org_1"}
        assert (await client.get("/rpc/system.whoami", headers=member)).status_code == 403
        response = await client.get("/rpc/system.whoami", headers={"x-test-principal": "admin=adm_1"})
    assert response.json() == {"app": "panopticon", "admin_id": "adm_1", "role": "owner"}
