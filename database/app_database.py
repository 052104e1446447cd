"""The database as an app sees it: a pool opened when the app starts serving, closed when it
stops; each request's lease on one of its connections and its tenant transactions (what the RPC
dispatcher calls `RequestDatabase`); the 503 it answers during an outage; its health probe."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from functools import partial
from typing import Literal

import asyncpg

from database.connect import DatabaseUnreachable, PgConnection
from database.connection_pool import ConnectionPool, PoolClosed, PoolTimeout
from database.outage import RETRY_AFTER_SECONDS, is_connection_loss
from database.pool import create_app_pool, schema_version
from database.target import resolve_target
from database.tx import tenant_transaction, tenant_transaction_leased
from foundation.errors import Unavailable
from foundation.rpc.principal import Principal
from foundation.rpc.request import Lease
from foundation.settings import Settings
from foundation.web import WebApp

# How long a request waits for its pooled connection (every one busy, or the server at its
# connection limit) before it answers 503 with Retry-After: a route's own default timeout.
LEASE_TIMEOUT_SECONDS = 10.0
# How long /health waits for a connection before it answers `busy` (all of them in use).
HEALTH_WAIT_SECONDS = 1.0


class AppDatabase:
    """`serving_as="panopticon"`: the admin app's pool, as panopticon's own role (its tables, never
    the product's), and no outbox pool (it sends nothing yet)."""

    def __init__(self, settings: Settings, *, serving_as: Literal["product", "panopticon"] = "product") -> None:
        self._settings = settings
        self._serving_as = serving_as
        self._pool: ConnectionPool | None = None
        self._outbox_pool: ConnectionPool | None = None
        self._lease_acquire = self._not_serving
        self._schema_version: str | None = None  # as /health last read it

    @property
    def pool(self) -> ConnectionPool:
        if self._pool is None:
            raise RuntimeError("the app's database pool is not open (the app is not serving)")
        return self._pool

    @property
    def outbox_pool(self) -> ConnectionPool:
        """The outbox worker's few connections, as the outbox role (it alone claims rows)."""
        if self._outbox_pool is None:
            raise RuntimeError("the app's outbox pool is not open (the app is not serving)")
        return self._outbox_pool

    def _not_serving(self) -> AbstractAsyncContextManager[PgConnection]:
        return self.pool.acquire()  # raises: the pool is not open

    async def open(self) -> None:
        """Connect as the application role (or panopticon's) and the outbox role; refuses (ConfigurationError) a role
        that bypasses RLS."""
        target = resolve_target(self._settings)
        behind_pooler = self._settings.database_pooler == "transaction"
        url = target.panopticon if self._serving_as == "panopticon" else target.app
        self._pool = await create_app_pool(url, max_size=self._settings.database_pool_size, behind_pooler=behind_pooler)
        self._lease_acquire = partial(self._pool.acquire, timeout=LEASE_TIMEOUT_SECONDS)  # made once, not per request
        if self._serving_as == "product":
            self._outbox_pool = await create_app_pool(
                target.outbox, min_size=0, max_size=2, behind_pooler=behind_pooler
            )

    async def close(self) -> None:
        # The closed pool stays: a request still arriving while the server stops gets PoolClosed
        # from it (a 503), not "the pool is not open" (a 500).
        if self._outbox_pool is not None:
            await self._outbox_pool.close()
        if self._pool is not None:
            await self._pool.close()

    def attach(self, app: WebApp) -> None:
        """Open the pool when `app` starts serving and close it when it stops."""
        app.before_serving(self.open)
        app.after_serving(self.close)

    def lease(self) -> Lease:
        """A request's one pooled connection, acquired on first use (authentication or req.db)."""
        return Lease(self._lease_acquire)

    def transaction(self, principal: Principal, lease: Lease | None) -> AbstractAsyncContextManager[PgConnection]:
        """A tenant transaction with the principal's user and active organization: on the
        request's leased connection, or (a stream's short step) on a pooled one for the block.
        A read-only impersonation's transactions are READ ONLY: PostgreSQL refuses its writes."""
        impersonation = principal.impersonation
        read_only = impersonation is not None and impersonation.read_only
        if lease is None:
            return tenant_transaction(
                self.pool,
                user_id=principal.user_id,
                org_id=principal.org_id,
                timeout=LEASE_TIMEOUT_SECONDS,
                read_only=read_only,
            )
        begun = lease.take_begun((principal.user_id, principal.org_id))
        if begun is not None:  # authentication began it with this context (its check and the context, one round trip)
            return begun  # (never for a read-only impersonation: SessionAuthenticator does not keep those)
        return tenant_transaction_leased(
            lease.connection, user_id=principal.user_id, org_id=principal.org_id, read_only=read_only
        )

    def unavailable(self, error: Exception) -> Unavailable | None:
        """What a request that failed with `error` answers when the database is out of reach
        (503 with Retry-After), else None (a bug: 500). A broken connection is reported to the
        pool, which logs the outage once and probes for the server's return."""
        if isinstance(error, PoolClosed):
            return Unavailable("the server is shutting down", retry_after_seconds=RETRY_AFTER_SECONDS)
        if isinstance(error, PoolTimeout):  # busy, not gone: nothing to report to the pool
            return Unavailable("the database is busy", retry_after_seconds=RETRY_AFTER_SECONDS)
        if isinstance(error, DatabaseUnreachable) or is_connection_loss(error):
            if self._pool is not None:
                self._pool.connection_lost(error)  # once per outage; a no-op while it lasts
            return Unavailable("the database is unavailable", retry_after_seconds=RETRY_AFTER_SECONDS)
        return None

    async def health(self) -> tuple[bool, dict[str, object]]:
        """A health probe: reachable, and the schema version (newest applied migration). A pool
        whose connections are all busy (or at the server's connection limit) is healthy: it
        answers `busy` with the last version it read rather than queueing behind requests, so a
        load balancer does not pull every replica at the moment they are most needed."""
        try:
            async with self.pool.acquire(timeout=HEALTH_WAIT_SECONDS) as conn:
                self._schema_version = await schema_version(conn)
                return True, {"reachable": True, "schema_version": self._schema_version}
        except PoolTimeout:
            return True, {"reachable": True, "busy": True, "schema_version": self._schema_version}
        except (
            OSError,
            TimeoutError,
            asyncpg.PostgresError,
            asyncpg.InterfaceError,
            asyncpg.InternalClientError,  # a connection the shutting-down server just sent FATAL on
            DatabaseUnreachable,
        ):
            return False, {"reachable": False, "schema_version": None}
