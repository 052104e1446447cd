from database.testing.fixture import T
from panopticon.support_testing import ok
from panopticon.system.status import app_version
from panopticon.testing import panopticon_harness


async def test_the_system_page_reports_schema_size_connections_and_version(t: T) -> None:
    async with panopticon_harness(t) as pan, pan.signed_in("viewer@example.com", "viewer") as (_, viewer):
        status = await ok(viewer, "system.status")
    newest = await t.db.owner.fetchval("SELECT max(migration_id) FROM _yoyo_migration")
    assert status["schema_version"] == newest and newest.startswith("00")
    assert status["app_version"] == app_version() != "unknown"
    assert status["environment"] == "test"
    assert status["database_size_bytes"] > 1_000_000
    connections = status["connections"]
    assert 1 <= connections["total"] <= connections["max"]
    by_role = {r["role"]: r["connections"] for r in connections["by_role"]}
    assert by_role.get("blossom_panopticon", 0) >= 1  # this request's own
    assert sum(by_role.values()) == connections["total"]
