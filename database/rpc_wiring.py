"""Assemble an app that serves typed routes over the database: a Quart app for health, docs and
the lifespan (the pool), with the RPC dispatcher in front whose `req.db` is a tenant transaction
carrying the caller's user and active organization."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from database.app_database import AppDatabase
from database.connect import PgConnection
from database.tx import tenant_transaction, tenant_transaction_leased
from foundation.logging import flush_logs
from foundation.rpc.db import Lease
from foundation.rpc.dispatch import Authenticate, OpenDb, RpcApp, anonymous
from foundation.rpc.principal import Principal
from foundation.rpc.routes import Router
from foundation.rpc.service import serve
from foundation.rpc.testing import header_principal
from foundation.settings import Settings
from foundation.web import api_docs_blueprint, health_blueprint, new_app


def tenant_opener(database: AppDatabase) -> OpenDb:
    def open_db(principal: Principal, lease: Lease | None) -> AbstractAsyncContextManager[PgConnection]:
        if lease is None:
            return tenant_transaction(database.pool, user_id=principal.user_id, org_id=principal.org_id)
        # On the request's leased connection (acquired when the transaction begins if need be).
        return tenant_transaction_leased(lease.connection, user_id=principal.user_id, org_id=principal.org_id)

    return open_db


def build_app(
    name: str,
    router: Router,
    settings: Settings,
    *,
    openapi_file: Path,
    database: AppDatabase | None = None,
    authenticate: Callable[[Authenticate], Authenticate] | None = None,
    services: Any = None,
) -> RpcApp:
    """`authenticate(fallback)` builds the app's authentication hook (fallback: anonymous, or the
    test header in test mode); it gets the request's connection lease to look the caller up.
    `services` is what handlers reach as `req.services` (never the pool: handlers use `req.db`)."""
    web = new_app(name, settings)
    database = database or AppDatabase(settings)
    database.attach(web)

    @web.after_serving
    async def _write_pending_log_lines() -> None:
        # Server workers may exit without running atexit hooks: write what the last loop
        # iteration gathered before the process goes.
        flush_logs()

    web.register_blueprint(health_blueprint(name, {"database": database.health}))
    if settings.environment == "development":
        web.register_blueprint(api_docs_blueprint(f"Blossom {name} API", openapi_file))
    fallback = header_principal if settings.environment == "test" else anonymous
    return serve(
        router,
        web,
        settings,
        open_db=tenant_opener(database),
        authenticate=authenticate(fallback) if authenticate else None,
        services=services,
        lease=lambda: Lease(database.pool.acquire),
        unavailable=database.unavailable,
    )
