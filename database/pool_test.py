import pytest

from database.connect import DatabaseUnreachable, connect
from database.pool import UnsafeApplicationRole, check_app_role, create_app_pool, schema_version
from database.target import OWNER_ROLE, PgUrl
from database.testing.fixture import T


async def test_the_app_role_passes_the_check(t: T) -> None:
    async with t.db.app.acquire() as conn:
        await check_app_role(conn)
        assert await conn.fetchval("SELECT current_user") == "blossom_app"


@pytest.mark.parametrize(("role", "reason"), [("admin", "is a superuser"), ("owner", "has BYPASSRLS and owns tables")])
async def test_the_app_refuses_a_role_that_could_bypass_rls(t: T, role: str, reason: str) -> None:
    url = t.db.target.admin if role == "admin" else t.db.target.owner
    with pytest.raises(UnsafeApplicationRole, match=reason):
        await create_app_pool(url)


async def test_a_member_of_the_owner_role_is_refused(t: T) -> None:
    await t.db.owner.execute("SELECT 1")  # pool warm
    admin = await connect(t.db.target.admin)
    try:
        await admin.execute("DROP ROLE IF EXISTS blossom_probe_member; CREATE ROLE blossom_probe_member LOGIN")
        await admin.execute(f"GRANT {OWNER_ROLE} TO blossom_probe_member")
        with pytest.raises(UnsafeApplicationRole, match="member of a role"):
            await create_app_pool(t.db.target.app.with_user("blossom_probe_member"))
    finally:
        await admin.execute("DROP ROLE IF EXISTS blossom_probe_member")
        await admin.close()


async def test_schema_version_is_the_newest_migration(t: T) -> None:
    from database.migrate import migration_files

    async with t.db.app.acquire() as conn:
        assert await schema_version(conn) == migration_files()[-1].stem


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("postgresql://blossom_app@127.0.0.1:1/blossom", "127.0.0.1:1"),
        ("postgresql://blossom_app@no-such-host.invalid:5432/blossom", "no-such-host.invalid:5432"),
    ],
)
async def test_an_unreachable_server_is_one_line_naming_the_host(url: str, where: str) -> None:
    with pytest.raises(DatabaseUnreachable) as failure:
        await create_app_pool(PgUrl.parse(url))
    message = str(failure.value)
    assert message.startswith(f"cannot reach PostgreSQL at {where}")
    assert "\n" not in message


async def test_health_reports_an_unreachable_server_instead_of_failing() -> None:
    from database.app_database import AppDatabase
    from database.connect import connect
    from database.connection_pool import ConnectionPool
    from foundation.settings import load_settings

    database = AppDatabase(load_settings({}))
    nowhere = PgUrl.parse("postgresql://blossom_app@127.0.0.1:1/blossom")
    database._pool = ConnectionPool(lambda: connect(nowhere), min_size=0)
    assert await database.health() == (False, {"reachable": False, "schema_version": None})
