"""Product's side of the audit log (database/audit/): `await audit_event(req, "orgs.rename", ...)`
writes the event in the request's own transaction, with who called (the principal, or the user a
public route has just identified), the request id and the client's address. Call it after the
change it describes, last in the handler: the chain's writers take turns until COMMIT.

Chains: an organization's events go to its chain (`chain=org_id`; the transaction must be in that
organization's context, as every org route's is), a user's own account events to `ACCOUNT`."""

from __future__ import annotations

from typing import Any

from database import audit
from database.audit import ACCOUNT, Summary
from product.rpc import Req

__all__ = ["ACCOUNT", "audit_event"]


async def audit_event(
    req: Req[Any],
    action: str,
    *,
    chain: str,
    target: str | None,
    user_id: str | None = None,
    admin_id: str | None = None,
    before: Summary | None = None,
    after: Summary | None = None,
) -> None:
    """`user_id`: the actor when the caller is not signed in (sign-up, a reset code); by default
    the signed-in principal. `before`/`after`: what changed, never a secret. Under an impersonation
    (panopticon's) the actor is the administrator acting as the user, for every route at once."""
    impersonation = req.principal.impersonation
    if admin_id is not None:  # a public route that has just identified an administrator acting as `user_id`
        actor = audit.Actor(admin_id=admin_id, acting_as_user_id=user_id)
    elif impersonation is not None:
        actor = audit.Actor(admin_id=impersonation.admin_id, acting_as_user_id=req.principal.user_id)
    else:
        actor = audit.Actor(user_id=user_id or req.principal.user_id)
    await audit.record(
        req.db,
        chain=chain,
        actor=actor,
        action=action,
        target=target,
        request_id=req.request_id,
        client_address=req.client[:100] or None,  # an address; the column holds 100 characters
        before=before,
        after=after,
        now=req.services.clock.now(),
    )
