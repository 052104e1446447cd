"""Put an app together: the RPC dispatcher in front of a Quart app (health, docs, lifespan)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quart import Quart

from foundation.rpc.db import Lease
from foundation.rpc.dispatch import Authenticate, OpenDb, RpcApp, Unavailability, anonymous
from foundation.rpc.routes import Router
from foundation.rpc.testing import header_principal
from foundation.settings import Settings


def serve(
    router: Router,
    web: Quart,
    settings: Settings,
    *,
    open_db: OpenDb | None,
    authenticate: Authenticate | None = None,
    services: Any = None,
    lease: Callable[[], Lease] | None = None,
    unavailable: Unavailability | None = None,
) -> RpcApp:
    testing = settings.environment == "test"
    if authenticate is None:
        # An app without authentication of its own: only tests authenticate, with a header that
        # is never honoured outside BLOSSOM_ENV=test.
        authenticate = header_principal if testing else anonymous
    return RpcApp(
        router,
        web,
        authenticate=authenticate,
        open_db=open_db,
        allowed_origins=settings.allowed_origins,
        trusted_proxies=settings.proxies,
        strict_errors=testing,
        services=services,
        lease=lease,
        unavailable=unavailable,
    )
