import pytest
from quart.testing.app import LifespanError

from database.migrate import migration_files
from database.testing.fixture import T
from foundation.settings import load_settings
from panopticon.app import create_app


def _settings(t: T, app_url: str):
    admin = t.db.target.admin
    return load_settings({"DATABASE_URL": admin.render(), "APP_DATABASE_URL": app_url, "LOG_FORMAT": "json"})


async def test_health_reports_the_database_and_schema_version(t: T) -> None:
    app = create_app(_settings(t, t.db.target.app.render()))
    async with app.test_app() as test_app:
        response = await test_app.test_client().get("/health")
    assert response.status_code == 200
    assert await response.get_json() == {
        "app": "panopticon",
        "status": "ok",
        "database": {"reachable": True, "schema_version": migration_files()[-1].stem},
    }


async def test_the_app_refuses_to_start_as_a_role_that_bypasses_rls(t: T) -> None:
    app = create_app(_settings(t, t.db.target.owner.render()))
    # Quart reports a failed start-up as a LifespanError carrying our message.
    with pytest.raises(LifespanError, match="refusing to serve requests as role 'blossom_owner'"):
        async with app.test_app():
            pass
