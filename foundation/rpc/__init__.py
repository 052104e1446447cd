"""Typed RPC: `@router.route(...)` on an async function `(req: Req[In]) -> Out` makes an endpoint.

See foundation/rpc/README.md for the wire protocol.
"""

from foundation.rpc.principal import (
    ANONYMOUS,
    AdminPrincipal,
    AnonymousPrincipal,
    Impersonation,
    OrgPrincipal,
    Principal,
    SignedIn,
    UserPrincipal,
)
from foundation.rpc.request import AdminReq, AnonymousReq, OrgReq, Req, Request, UserReq
from foundation.rpc.routes import Auth, Empty, Router, RouteSpec

__all__ = [
    "ANONYMOUS",
    "AdminPrincipal",
    "AdminReq",
    "AnonymousPrincipal",
    "AnonymousReq",
    "Auth",
    "Empty",
    "Impersonation",
    "OrgPrincipal",
    "OrgReq",
    "Principal",
    "Req",
    "Request",
    "RouteSpec",
    "Router",
    "SignedIn",
    "UserPrincipal",
    "UserReq",
]
