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
    before: Summary | None = None,
    after: Summary | None = None,
) -> None:
    """`user_id`: the actor when the caller is not signed in (sign-up, a reset code); by default
    the signed-in principal. `before`/`after`: what changed, never a secret. (When panopticon's
    impersonation reaches product sessions, the actor becomes `Actor(admin_id=<the admin>,
    acting_as_user_id=<the user>)` here, for every route at once.)"""
    await audit.record(
        req.db,
        chain=chain,
        actor=audit.Actor(user_id=user_id or req.principal.user_id),
        action=action,
        target=target,
        request_id=req.request_id,
        client_address=req.client[:100] or None,  # an address; the column holds 100 characters
        before=before,
        after=after,
        now=req.services.clock.now(),
    )
