"""Administrative facts about the running system."""

from __future__ import annotations

import msgspec

from foundation.rpc import Empty, Req
from panopticon.rpc import router


class Whoami(msgspec.Struct, frozen=True):
    app: str
    admin_id: str | None


@router.route("system.whoami", auth="admin", read_only=True)
async def whoami(req: Req[Empty]) -> Whoami:
    """Which app answered and which administrator is calling."""
    return Whoami(app="panopticon", admin_id=req.principal.user_id)
