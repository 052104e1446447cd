"""Assemble an app that serves typed routes over the database: a Quart app for health, docs and
the lifespan (the pool), with the RPC dispatcher in front whose `req.db` is a tenant transaction
carrying the caller's user and active organization."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from types import TracebackType
from typing import Any

from database.app_database import AppDatabase
from database.connect import PgConnection
from database.tx import tenant_transaction, tenant_transaction_on
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
        return _LeasedTenantTransaction(lease, principal)

    return open_db


class _LeasedTenantTransaction:
    """A tenant transaction on the request's leased connection (acquired on enter if need be)."""

    __slots__ = ("_lease", "_principal", "_transaction")

    def __init__(self, lease: Lease, principal: Principal) -> None:
        self._lease = lease
        self._principal = principal
        self._transaction: AbstractAsyncContextManager[PgConnection] | None = None

    async def __aenter__(self) -> PgConnection:
        conn = await self._lease.connection()
        self._transaction = tenant_transaction_on(conn, user_id=self._principal.user_id, org_id=self._principal.org_id)
        return await self._transaction.__aenter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._transaction is not None
        await self._transaction.__aexit__(exc_type, exc, tb)


def build_app(
    name: str,
    router: Router,
    settings: Settings,
    *,
    openapi_file: Path,
    authenticate: Callable[[AppDatabase, Authenticate], Authenticate] | None = None,
    services: Callable[[AppDatabase], Any] | None = None,
) -> RpcApp:
    """`authenticate(database, fallback)` builds the app's authentication hook (fallback: anonymous,
    or the test header in test mode); `services(database)` what handlers reach as `req.services`."""
    web = new_app(name, settings)
    database = AppDatabase(settings)
    database.attach(web)
    web.register_blueprint(health_blueprint(name, {"database": database.health}))
    if settings.environment == "development":
        web.register_blueprint(api_docs_blueprint(f"Blossom {name} API", openapi_file))
    fallback = header_principal if settings.environment == "test" else anonymous
    return serve(
        router,
        web,
        settings,
        open_db=tenant_opener(database),
        authenticate=authenticate(database, fallback) if authenticate else None,
        services=services(database) if services else None,
        lease=lambda: Lease(database.pool.acquire),
    )
