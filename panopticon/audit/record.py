"""Panopticon's audit rows (database/audit/): each action's row in the action's own transaction
(`record_action`), and the row for a call refused for the caller's role (`DeniedRecorder`), in
a short transaction of its own on the request's connection, since nothing else of the request
commits. The actor is always the administrator; `reason` is the one they gave."""

from __future__ import annotations

import re
from typing import Any

from database import audit
from database.audit import Summary
from database.tx import change_context, tenant_transaction_on
from foundation.logging import current_request_id
from foundation.rpc import AdminPrincipal, Principal
from foundation.rpc.request import Lease
from foundation.rpc.routes import Router
from foundation.time import Clock
from panopticon.admins import audit_hooks
from panopticon.rpc import AdminReq

DENIED = "panopticon.denied"  # the action of a refused call's row (on the administrators' chain)
_ADMIN_ID = re.compile(r"^adm_[0-9a-hjkmnp-tv-z]{26}$")


async def record_action(
    req: AdminReq[Any],
    action: str,
    *,
    chain: str,
    target: str,
    reason: str | None = None,
    before: Summary | None = None,
    after: Summary | None = None,
) -> None:
    """Call last in the handler, after the change. `chain`: an organization's id (its chain,
    written in its context, set here), `audit.ACCOUNT` for a user's account, `audit.ADMIN`."""
    conn = await req.db.connection()
    if chain.startswith("org_"):
        await change_context(conn, org_id=chain)
    await audit.record(
        conn,
        chain=chain,
        actor=audit.Actor(admin_id=req.principal.admin_id),
        action=action,
        now=req.services.clock.now(),
        target=target,
        reason=reason,
        request_id=req.request_id,
        client_address=req.client[:100] or None,
        before=before,
        after=after,
    )


class DeniedRecorder:
    """`RpcApp(on_denied=...)`: an administrator refused a route for their role gets a row on
    the administrators' chain (action `panopticon.denied`, target the route), committed at once."""

    def __init__(self, clock: Clock, router: Router[Any]) -> None:
        self._clock = clock
        self._router = router

    async def __call__(self, route: str, principal: Principal, client: str, lease: Lease | None) -> None:
        await audit_hooks.denied(route, principal, client, lease)  # the log line
        if lease is None or not isinstance(principal, AdminPrincipal) or not _ADMIN_ID.match(principal.admin_id):
            return  # no database, or the test header's made-up id (which no row may name)
        spec = self._router.routes.get(route)
        conn = await lease.connection()
        async with tenant_transaction_on(conn, user_id=None, org_id=None):
            await audit.record(
                conn,
                chain=audit.ADMIN,
                actor=audit.Actor(admin_id=principal.admin_id),
                action=DENIED,
                now=self._clock.now(),
                target=route,
                request_id=current_request_id(),
                client_address=client[:100] or None,
                after={"role": principal.role, "required_role": spec.role if spec else None},
            )
