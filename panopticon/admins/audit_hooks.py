"""The one place administrator events are recorded: enrolment, login, administrator management,
and routes refused for the caller's role (`denied`).

Today each event is a log line. When the audit log (database/audit/, `audit.record(conn, ...)`)
lands, `record` writes its row on `conn`, the request's own transaction, so the row commits with
the change it describes (and rolls back with it). Failed logins must survive the request's
rollback: their call site passes `conn=None` and the hook will write them in a short transaction
of their own then.
"""

from __future__ import annotations

from typing import Any

from foundation.logging import get_logger
from foundation.rpc import Principal
from foundation.rpc.request import Lease

log = get_logger("blossom.panopticon.audit")


async def record(
    conn: Any,
    *,
    action: str,
    admin_id: str | None,
    target_admin_id: str | None = None,
    request_id: str,
    client: str,
    details: dict[str, Any] | None = None,
) -> None:
    """An administrator event. `admin_id`: who acted (None: not yet identified, a failed login);
    `target_admin_id`: the administrator acted on; `details`: a before/after summary."""
    log.info(
        "admin_audit",
        action=action,
        admin_id=admin_id,
        target_admin_id=target_admin_id,
        request_id=request_id,
        client=client,
        **({"details": details} if details else {}),
    )


async def denied(route: str, principal: Principal, client: str, lease: Lease | None) -> None:
    """A signed-in administrator refused for their role (403 `insufficient_role`): the dispatcher
    calls this (`RpcApp(on_denied=...)`) before answering. The audit row will be written on the
    request's connection (`await lease.connection()`) in a short transaction of its own, since
    nothing else of the request commits."""
    log.warning(
        "admin_audit",
        action="admin.denied",
        admin_id=getattr(principal, "admin_id", None),
        role=principal.role,
        route=route,
        client=client,
    )
