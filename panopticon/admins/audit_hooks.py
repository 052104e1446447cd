"""The one place administrator events are recorded: enrolment, login, administrator management,
and routes refused for the caller's role (`denied`, the log line; panopticon/audit/record.py
writes that refusal's row).

`record` writes the event's row on the administrators' audit chain (database/audit/,
`audit.ADMIN`) on `db`, the request's own transaction, so the row commits with the change it
describes and rolls back with it, and logs one line. A failed login is a log line only
(`db=None`): its request rolls back, and the login rate limit already counts it, as product
does for its own users.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from database import audit
from database.connect import DbConnection
from foundation.logging import get_logger
from foundation.rpc import Principal
from foundation.rpc.request import Lease

log = get_logger("blossom.panopticon.audit")
_ADMIN_ID = re.compile(r"^adm_[0-9a-hjkmnp-tv-z]{26}$")  # not the test header's made-up ids


async def record(
    db: DbConnection | None,
    *,
    action: str,
    admin_id: str | None,
    now: dt.datetime | None = None,
    target_admin_id: str | None = None,
    request_id: str,
    client: str,
    details: dict[str, Any] | None = None,
) -> None:
    """An administrator event. `admin_id`: who acted (None: not yet identified, a failed login);
    `target_admin_id`: the administrator acted on (else the actor); `details`: a summary, with
    `before`/`after` keys where something changed. `now` is required with `db`."""
    log.info(
        "admin_audit",
        action=action,
        admin_id=admin_id,
        target_admin_id=target_admin_id,
        request_id=request_id,
        client=client,
        **({"details": details} if details else {}),
    )
    if db is None or admin_id is None or not _ADMIN_ID.match(admin_id):
        return
    assert now is not None, "an audited event needs its time"
    summary = dict(details or {})
    before, after = summary.pop("before", None), summary.pop("after", None)
    if summary:  # what is not a before/after pair describes the outcome
        after = {**(after or {}), **summary}
    await audit.record(
        db,
        chain=audit.ADMIN,
        actor=audit.Actor(admin_id=admin_id),
        action=action,
        now=now,
        target=target_admin_id or admin_id,
        request_id=request_id,
        client_address=client[:100] or None,
        before=before,
        after=after,
    )


async def denied(route: str, principal: Principal, client: str, lease: Lease | None) -> None:
    """A signed-in administrator refused for their role (403 `insufficient_role`): the log line
    (panopticon/audit/record.py's `DeniedRecorder` writes the row)."""
    log.warning(
        "admin_audit",
        action="admin.denied",
        admin_id=getattr(principal, "admin_id", None),
        role=principal.role,
        route=route,
        client=client,
    )
