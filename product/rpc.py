"""The product app's route set and the request types its handlers take. Features declare routes
with `@router.route(...)` on handlers annotated with these aliases, which carry the product's
services: `req.services` is a `ProductServices` (clock, hasher, mailer, settings), typed."""

from typing import TypeVar

from foundation.rpc import AnonymousPrincipal, OrgPrincipal, Principal, Request, Router, SignedIn
from product.services import ProductServices

In = TypeVar("In")

Req = Request[In, Principal, ProductServices]  # public
AnonymousReq = Request[In, AnonymousPrincipal, ProductServices]  # public; the caller is never looked up
UserReq = Request[In, SignedIn, ProductServices]  # a signed-in user
OrgReq = Request[In, OrgPrincipal, ProductServices]  # a member in their active organization

router = Router("product", services=ProductServices)
