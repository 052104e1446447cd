"""The admin app's route set and the request types its handlers take. Every administrator's
route names its minimum role on the ladder below (`@router.route("admins.list", role="owner")`):
a lower role gets 403 `insufficient_role`. The permission table is in panopticon/README.md."""

from typing import Literal, TypeVar

from foundation.rpc import AdminPrincipal, AnonymousPrincipal, Request, Router
from panopticon.services import PanopticonServices

In = TypeVar("In")

AdminRole = Literal["viewer", "support", "operator", "owner"]
ROLES: tuple[AdminRole, ...] = ("viewer", "support", "operator", "owner")  # lowest first

AnonymousReq = Request[In, AnonymousPrincipal, PanopticonServices]  # public; the caller is never looked up
AdminReq = Request[In, AdminPrincipal, PanopticonServices]  # a signed-in administrator

router = Router("panopticon", services=PanopticonServices, roles=ROLES)
