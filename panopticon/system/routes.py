"""Administrative facts about the running system."""

from __future__ import annotations

import msgspec

from foundation.rpc import AdminReq, Empty
from panopticon.rpc import router


class Whoami(msgspec.Struct, frozen=True):
    app: str
    admin_id: str
    role: str  # the caller's role: viewer, support, operator or owner


@router.route("system.whoami", read_only=True, role="viewer")
async def whoami(req: AdminReq[Empty]) -> Whoami:
    """Which app answered and which administrator is calling."""
    return Whoami(app="panopticon", admin_id=req.principal.admin_id, role=req.principal.role)
