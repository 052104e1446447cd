"""Typed RPC: `@router.route(...)` on an async function `(req: Req[In]) -> Out` makes an endpoint.

See foundation/rpc/README.md for the wire protocol.
"""

from foundation.rpc.principal import ANONYMOUS, Principal
from foundation.rpc.routes import Auth, Empty, Req, Router, RouteSpec

__all__ = ["ANONYMOUS", "Auth", "Empty", "Principal", "Req", "RouteSpec", "Router"]
