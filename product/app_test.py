from database.testing.app_checks import check_health_reports_database, check_refuses_a_role_that_bypasses_rls
from database.testing.fixture import T
from product.app import create_app


async def test_health_reports_the_database_and_schema_version(t: T) -> None:
    await check_health_reports_database(t, create_app, "product")


async def test_the_app_refuses_to_start_as_a_role_that_bypasses_rls(t: T) -> None:
    await check_refuses_a_role_that_bypasses_rls(t, create_app)
