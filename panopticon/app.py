"""The admin Quart app: `create_app()` builds it; `panopticon.asgi:app` is what the server runs."""

from __future__ import annotations

from quart import Quart

from database.app_database import AppDatabase
from foundation.settings import Settings, load_settings
from foundation.web import health_blueprint, new_app

APP_NAME = "panopticon"


def create_app(settings: Settings | None = None) -> Quart:
    settings = settings or load_settings()
    app = new_app(APP_NAME, settings)
    database = AppDatabase(settings)
    database.attach(app)
    app.register_blueprint(health_blueprint(APP_NAME, {"database": database.health}))
    return app
