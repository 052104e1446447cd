"""Put an app together: the RPC dispatcher in front of a Quart app (health, docs, lifespan)."""

from __future__ import annotations

from quart import Quart

from foundation.rpc.dispatch import OpenDb, RpcApp, anonymous
from foundation.rpc.routes import Router
from foundation.rpc.testing import header_principal
from foundation.settings import Settings


def serve(router: Router, web: Quart, settings: Settings, *, open_db: OpenDb | None) -> RpcApp:
    testing = settings.environment == "test"
    return RpcApp(
        router,
        web,
        # The product's real authentication arrives with accounts and sessions; until then only
        # tests can authenticate, with a header that is never honoured outside BLOSSOM_ENV=test.
        authenticate=header_principal if testing else anonymous,
        open_db=open_db,
        strict_errors=testing,
    )
