"""The admin app: `create_app()` builds it; `panopticon.asgi:app` is what the server runs.

Requests under /rpc/ go to the typed routes (`panopticon.routes`); the rest (health, lifespan) to Quart.
"""

from __future__ import annotations

from database.app_database import AppDatabase
from database.rpc_wiring import tenant_opener
from foundation.rpc.dispatch import RpcApp
from foundation.rpc.service import serve
from foundation.settings import Settings, load_settings
from foundation.web import health_blueprint, new_app
from panopticon.routes import router

APP_NAME = "panopticon"


def create_app(settings: Settings | None = None) -> RpcApp:
    settings = settings or load_settings()
    web = new_app(APP_NAME, settings)
    database = AppDatabase(settings)
    database.attach(web)
    web.register_blueprint(health_blueprint(APP_NAME, {"database": database.health}))
    return serve(router, web, settings, open_db=tenant_opener(database))
