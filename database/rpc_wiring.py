"""How an app's RPC layer reaches the database: each request's `req.db` is a tenant
transaction carrying the caller's user and active organization."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from database.app_database import AppDatabase
from database.connect import PgConnection
from database.tx import tenant_transaction
from foundation.rpc.principal import Principal


def tenant_opener(database: AppDatabase):
    def open_db(principal: Principal) -> AbstractAsyncContextManager[PgConnection]:
        return tenant_transaction(database.pool, user_id=principal.user_id, org_id=principal.org_id)

    return open_db
